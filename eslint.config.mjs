// ESLint (typescript-eslint, type-checked) over src, test, bench and scripts; `npm run lint` runs
// it with Prettier, and `npm test` runs lint before the unit tier. Each rule turned off or tuned
// says why beside it: the design wins where a rule fights it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'out-*/', 'node_modules/', 'test-results/', '.cache/', 'media/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's test() and describe() return promises the runner itself awaits.
      // Async interfaces (file access, credential providers, fakes' handlers) are implemented by async
      // functions that need no await; wrapping their values in Promise.resolve would be noise.
      '@typescript-eslint/require-await': 'off',
      // Stripping control characters is what those patterns are for (untrusted text made visible, CSV cells).
      'no-control-regex': 'off',
      // `_` names a value kept only to be left out (a destructured field, an unused parameter).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
    },
  },
  {
    // The byte scanner compares raw bytes with a const enum of character codes: that is the point.
    files: ['src/core/ingest/scan*.ts'],
    rules: { '@typescript-eslint/no-unsafe-enum-comparison': 'off' },
  },
  {
    // Tests and fakes read JSON.parse results and AWS request bodies (typed `any`/`unknown` by nature)
    // and compare them; the assertions, not the types, are what checks them.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      // Playwright's and node:test's methods are passed around bound by their libraries.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
    },
  },
);
