// Regenerates test/support/joniOracle.json: the answers of a real Joni (Trino's regexp_like engine)
// for every rewritten pattern of test/support/regexOracleCases.ts on every string, so the unit
// test needs no Java. Needs javac and the sources of github.com/jruby/joni and jruby/jcodings:
//   node scripts/joniOracle.mjs /path/to/joni /path/to/jcodings
// (each a checkout; the commits used are written into the fixture).
import { Buffer } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const [joni, jcodings] = process.argv.slice(2);
if (!joni || !jcodings) throw new Error('usage: node scripts/joniOracle.mjs JONI_DIR JCODINGS_DIR');
const work = mkdtempSync(join(tmpdir(), 'joni-'));
const javaFiles = (dir) =>
  readdirSync(dir).flatMap((e) =>
    statSync(join(dir, e)).isDirectory()
      ? javaFiles(join(dir, e))
      : e.endsWith('.java') && e !== 'module-info.java'
        ? [join(dir, e)]
        : [],
  );
const classes = join(work, 'classes');
execFileSync(
  'javac',
  [
    '-nowarn',
    '-encoding',
    'UTF-8',
    '-d',
    classes,
    ...javaFiles(join(joni, 'src')),
    ...javaFiles(join(jcodings, 'src')),
    'scripts/joniOracle/JoniOracle.java',
  ],
  { stdio: 'inherit' },
);
cpSync(join(jcodings, 'resources', 'tables'), join(classes, 'tables'), { recursive: true });

const bundle = await build({
  entryPoints: ['test/support/regexOracleInput.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  write: false,
});
const mod = await import(`data:text/javascript;base64,${Buffer.from(bundle.outputFiles[0].text).toString('base64')}`);
const { cases, strings } = mod.oracleInput();
const b64 = (s) => Buffer.from(s, 'utf8').toString('base64');
const input = [
  `S ${strings.length}`,
  ...strings.map(b64),
  ...cases.filter((c) => c.rewritten).map((c) => `P ${b64(c.rewritten)}`),
].join('\n');
const answers = execFileSync('java', ['-cp', classes, 'JoniOracle'], { input, encoding: 'utf8', maxBuffer: 1 << 26 })
  .trim()
  .split('\n');
let a = 0;
const rev = (dir) => execFileSync('git', ['-C', dir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
const out = {
  about:
    'Answers of Joni (Syntax.Java, Option.DEFAULT, UTF-8, search over the whole value: Trino regexp_like) for each rewritten pattern on each string. Regenerate: node scripts/joniOracle.mjs JONI_DIR JCODINGS_DIR',
  joni: rev(joni),
  jcodings: rev(jcodings),
  strings,
  cases: cases.map((c) => (c.rewritten ? { ...c, joni: answers[a++] } : c)),
};
writeFileSync('test/support/joniOracle.json', `${JSON.stringify(out, null, 1)}\n`);
rmSync(work, { recursive: true, force: true });
console.log(`${out.cases.length} patterns × ${strings.length} strings`);
