// Bundles the extension with esbuild (docs/architecture.md, "Conventions"): the extension host bundle (node, cjs,
// `vscode` external), the decode worker, and the webview bundles (browser, iife).
// `--production` minifies and drops source maps (for the VSIX); `--tests` also bundles the tests.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildIpData } from './ipData.mjs';

const production = process.argv.includes('--production');
const tests = process.argv.includes('--tests');
const bench = process.argv.includes('--bench');
const root = new URL('..', import.meta.url).pathname;

const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  absWorkingDir: root,
};

rmSync(join(root, 'dist'), { recursive: true, force: true });
buildIpData(root);
const jobs = [
  build({ ...node, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js' }),
  build({ ...node, entryPoints: ['src/core/ingest/decodeWorker.ts'], outfile: 'dist/decodeWorker.js' }),
  build({ ...node, entryPoints: ['src/core/engine/storeWorker.ts'], outfile: 'dist/storeWorker.js' }),
  build({
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: production ? false : 'inline',
    minify: production,
    logLevel: 'warning',
    absWorkingDir: root,
    entryPoints: {
      logViewer: 'src/webview/logViewer/main.ts',
      eventView: 'src/webview/eventView/main.ts',
      integrity: 'src/webview/integrity/main.ts',
      identity: 'src/webview/identity/main.ts',
      coverage: 'src/webview/coverage/main.ts',
    },
    outdir: 'dist/webview',
  }),
  // The notebook renderer: VS Code loads it as an ES module and calls its `activate`.
  build({
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    sourcemap: production ? false : 'inline',
    minify: production,
    logLevel: 'warning',
    absWorkingDir: root,
    entryPoints: ['src/webview/notebookRenderer/main.ts'],
    outfile: 'dist/webview/notebookRenderer.js',
  }),
];

if (tests) {
  // Test files in `dir` and its subfolders (test/unit mirrors src/core's folders).
  const list = (dir, re) =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? list(`${dir}/${e.name}`, re) : re.test(e.name) ? [`${dir}/${e.name}`] : [],
    );
  rmSync(join(root, 'out'), { recursive: true, force: true });
  const testBuild = {
    ...node,
    sourcemap: 'inline',
    minify: false,
    external: ['vscode', 'mocha', 'playwright-core', 'jsdom', '@duckdb/node-api'],
  };
  jobs.push(
    build({
      ...testBuild,
      entryPoints: list('test/unit', /\.test\.ts$/),
      outbase: 'test/unit',
      outdir: 'out/test/unit',
    }),
    build({ ...testBuild, entryPoints: list('test/e2e', /\.test\.ts$/), outdir: 'out/test/e2e' }),
    build({ ...testBuild, entryPoints: list('test/integration/suite', /\.ts$/), outdir: 'out/test/integration/suite' }),
    build({ ...testBuild, entryPoints: ['test/integration/run.ts'], outfile: 'out/test/integration/run.js' }),
    build({
      ...testBuild,
      external: [...testBuild.external, '@vscode/test-electron'],
      entryPoints: ['test/integration/runElectron.ts'],
      outfile: 'out/test/integration/runElectron.js',
    }),
  );
}
if (bench) {
  jobs.push(
    build({
      ...node,
      sourcemap: 'inline',
      minify: false,
      external: ['vscode', '@duckdb/node-api'],
      entryPoints: ['bench/bench.ts', 'bench/fuseBaseline.ts', 'bench/estimateBench.ts'],
      outdir: 'out/bench',
    }),
  );
}
await Promise.all(jobs);
