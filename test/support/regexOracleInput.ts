/** What scripts/joniOracle.mjs asks the oracle: each case with its rewrite (or the refusal), and the strings. */
import { javaRegex } from '../../src/core/query/javaRegex';
import { oracleCases, STRINGS } from './regexOracleCases';

/** The cases with `rewritten` (what Athena would be sent) or `refused` (the reason). */
export function oracleInput(): {
  cases: Array<{ source: string; flags: string; rewritten?: string; refused?: string }>;
  strings: string[];
} {
  const cases = oracleCases().map((c) => {
    const r = javaRegex(c.source, c.flags);
    return 'error' in r ? { ...c, refused: r.error } : { ...c, rewritten: r.source };
  });
  return { cases, strings: STRINGS };
}
