/**
 * Regex terms mean on Athena what they mean locally. Every pattern of regexOracleCases.ts is
 * rewritten by javaRegex.ts; joniOracle.json holds what a real Joni (Trino's regexp_like: Java
 * syntax) answered for each rewrite on each string (scripts/joniOracle.mjs regenerates it). An
 * exact rewrite must agree with RE2 (re2js, the local engine) on every string; a narrowing one
 * (case-insensitive) must keep every string RE2 matches, the rows then re-checked locally.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { javaRegex } from '../../../src/core/query/javaRegex';
import { compileRegex } from '../../../src/core/query/patterns';
import { oracleInput } from '../../support/regexOracleInput';
import { repoRoot } from '../../support/repoRoot';

interface Fixture {
  strings: string[];
  cases: Array<{ source: string; flags: string; rewritten?: string; refused?: string; joni?: string }>;
}
const fixture = JSON.parse(readFileSync(join(repoRoot(), 'test/support/joniOracle.json'), 'utf8')) as Fixture;

describe('regex terms on Athena (Joni, Java syntax) and locally (RE2)', () => {
  test('the fixture was made from the rewrites as they are now', () => {
    const now = oracleInput();
    assert.deepEqual(fixture.strings, now.strings);
    assert.deepEqual(
      fixture.cases.map(({ joni: _, ...c }) => c),
      now.cases,
      'run node scripts/joniOracle.mjs to regenerate test/support/joniOracle.json',
    );
  });

  test('every rewritten pattern agrees with RE2 on every string (or keeps all its matches, when narrowing)', () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const c of fixture.cases) {
      const re = compileRegex(c.source, c.flags);
      if ('error' in re || !c.rewritten || !c.joni || /^[EF] /.test(c.joni)) {
        if (c.joni?.startsWith('E ') && !('error' in re))
          wrong.push(`/${c.source}/${c.flags} → ${c.rewritten}: Joni refuses it (${c.joni})`);
        continue;
      }
      const exact = (javaRegex(c.source, c.flags) as { exact: boolean }).exact;
      fixture.strings.forEach((s, i) => {
        const local = re.re.matcher(s).find();
        const athena = c.joni![i] === '1';
        checked++;
        if (exact ? local !== athena : local && !athena)
          wrong.push(`/${c.source}/${c.flags} → ${c.rewritten} on ${JSON.stringify(s)}: RE2 ${local}, Joni ${athena}`);
      });
    }
    assert.ok(checked > 20_000, `${checked} pairs checked`);
    assert.deepEqual(wrong.slice(0, 30), []);
  });

  test("what cannot agree is refused by name; the issue's cases are rewritten", () => {
    assert.deepEqual(javaRegex('\\d+\\w\\s$', ''), { source: '[0-9]+[0-9A-Za-z_][\\t\\n\\f\\r ]\\z', exact: true });
    assert.deepEqual(javaRegex('\\pL[a&&b]\\x{41}(?P<n>x)', ''), { source: '\\p{L}[a\\&\\&b]A(?<n>x)', exact: true });
    assert.equal((javaRegex('a', 'i') as { exact: boolean }).exact, false, 'case folding differs: a narrowing');
    assert.match((javaRegex('(?U)a*', '') as { error: string }).error, /ungreedy/);
    assert.match((javaRegex('[\\D]', '') as { error: string }).error, /\\D inside a character class/);
    assert.match((javaRegex('\\C', '') as { error: string }).error, /\\C/);
  });
});
