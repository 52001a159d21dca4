// The README's test command (`npm test`): checks formatting and lint, builds the VSIX and the
// tests, then runs every tier — lint (Prettier and ESLint, two checks), unit (plain Node),
// integration (mocha inside a real VS Code extension host) and e2e (the installed VSIX in a real
// VS Code in Chromium) — and ends with one line counting them all: `N passed, N failed`.
// `npm test -- unit` (or lint, integration, e2e) runs one tier.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const all = ['lint', 'unit', 'integration', 'e2e'];
const wanted = process.argv.slice(2).filter((a) => all.includes(a));
const tiers = wanted.length ? wanted : all;
// Tests run in a zone far from UTC, so a time shown in local time by mistake is caught.
const env = { ...process.env, TZ: 'Australia/Sydney', CTL_VSIX: join(root, 'cloudtrail-lens.vsix') };

function sh(cmd, args, extra = {}) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  return spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env, ...extra }).status ?? 1;
}

/** Reads node:test's TAP summary (`# pass N`, `# fail N`, `# cancelled N`). */
function tapCounts(file) {
  if (!existsSync(file)) return { passed: 0, failed: 1 };
  const text = readFileSync(file, 'utf8');
  const n = (k) => Number(new RegExp(`^# ${k} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  return { passed: n('pass'), failed: n('fail') + n('cancelled') };
}

function nodeTests(dir, tap) {
  rmSync(tap, { force: true });
  const code = sh(process.execPath, [
    '--test',
    '--test-concurrency=1',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    dir,
  ]);
  const counts = tapCounts(tap);
  if (code !== 0 && counts.failed === 0) counts.failed = 1;
  return counts;
}

// Screenshots of this run only: a stale FAILED-*.png from an earlier run would mislead.
if (tiers.includes('e2e')) rmSync(join(root, 'test-results', 'screenshots'), { recursive: true, force: true });

const results = {};
if (tiers.includes('lint')) {
  // Each is one check: a file Prettier would change, or an ESLint finding, fails it (and names it).
  const checks = [
    sh('npx', ['prettier', '--check', '--log-level', 'warn', '.']),
    sh('npx', ['eslint', '--max-warnings', '0', 'src', 'test', 'bench', 'scripts']),
  ];
  results.lint = { passed: checks.filter((c) => c === 0).length, failed: checks.filter((c) => c !== 0).length };
}
let buildFailed = false;
if (tiers.includes('e2e') && sh('npm', ['run', '--silent', 'package']) !== 0) buildFailed = true;
if (tiers.some((t) => t !== 'lint') && !buildFailed && sh(process.execPath, ['scripts/build.mjs', '--tests']) !== 0)
  buildFailed = true;

if (!buildFailed) {
  for (const tier of tiers) {
    if (tier === 'unit') results.unit = nodeTests('out/test/unit/', join(root, 'out/unit.tap'));
    if (tier === 'e2e') results.e2e = nodeTests('out/test/e2e/', join(root, 'out/e2e.tap'));
    if (tier === 'integration') {
      const resultFile = join(root, 'out/integration-result.json');
      rmSync(resultFile, { force: true });
      const code = sh(process.execPath, ['out/test/integration/run.js']);
      const counts = existsSync(resultFile) ? JSON.parse(readFileSync(resultFile, 'utf8')) : { passed: 0, failed: 1 };
      if (code !== 0 && counts.failed === 0) counts.failed = 1;
      results.integration = counts;
    }
  }
}

console.log('\nSummary');
let passed = 0;
let failed = buildFailed ? 1 : 0;
if (buildFailed) console.log('build: failed');
for (const [tier, c] of Object.entries(results)) {
  console.log(`  ${tier}: ${c.passed} passed, ${c.failed} failed`);
  passed += c.passed;
  failed += c.failed;
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
