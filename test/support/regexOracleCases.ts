/**
 * The patterns and strings the Joni oracle answers for (scripts/joniOracle.mjs writes
 * joniOracle.json from them; test/unit/query/javaRegex.test.ts reads it). Patterns are drawn from
 * every construct javaRegex.ts rewrites, alone and in random sequences; strings mix ASCII with
 * what the engines disagree on (Unicode digits, letters and spaces, line terminators, case-fold
 * specials). Deterministic, so the fixture and the test always see the same cases.
 */
import { rng } from '../../bench/corpus';

/** Pieces of RE2 syntax, each one construct the rewrite handles. */
export const PIECES = [
  '\\d',
  '\\D',
  '\\w',
  '\\W',
  '\\s',
  '\\S',
  '\\b',
  '\\B',
  '^',
  '$',
  '.',
  '\\A',
  '\\z',
  '\\pL',
  '\\PL',
  '\\p{L}',
  '\\p{^L}',
  '\\pN',
  '\\p{Greek}',
  '[\\d]',
  '[\\w-]',
  '[^\\s]',
  '[a&&b]',
  '[[:alpha:]]',
  '[[:digit:]_]',
  '[[a]',
  '[]a]',
  '[^]a]',
  '\\x{41}',
  '\\x{e9}',
  '\\x41',
  '\\Qa.b\\E',
  '\\v',
  '\\t',
  '(?P<n>a)',
  '(?<m>b)',
  '(?i:a)',
  '(?s:.)',
  '(?m:^)',
  '(?m:$)',
  '(?i)k',
  'a{2}',
  'a{,2}',
  'x{',
  'a|b',
  'a*?',
  '(a|é)+',
  '[0-9]+',
  'é',
  'ß',
  'K',
  'İ',
  '&',
  '#',
  '\\.',
  '\\/',
  '\\n',
];

/** The strings every pattern is tried on. */
export const STRINGS = [
  '',
  'a',
  'A',
  'aa',
  'ab',
  'b',
  'k',
  'K',
  '\u212A',
  'ſ',
  's',
  'S',
  'é',
  'É',
  'e\u0301',
  '٣',
  '3',
  '_',
  ' ',
  '\u00A0',
  '\u2003',
  '\t',
  '\n',
  '\r',
  '\u000B',
  '\f',
  '\u0085',
  '\u2028',
  'a\n',
  'ab\n',
  '\na',
  'a\r\n',
  'x{',
  'a{,2}',
  'a.b',
  'aXb',
  '&',
  '#',
  '/',
  '.',
  'A_1 b',
  'héllo wörld',
  'ΟΔΟΣ',
  'οδος',
  'ß',
  'ss',
  'SS',
  'İ',
  'i',
  'ı',
  'I',
  'Ω',
  'α1',
  ']',
  '[',
  'x-y',
  'ab c',
  'a&&b',
  '0',
  'é٣',
  'aé',
  'éa',
  'a é',
  '😀',
  'abc😀',
];

export interface OracleCase {
  source: string;
  flags: string;
}

/** Every piece alone with each flag set, then random sequences of two to four pieces. */
export function oracleCases(): OracleCase[] {
  const out: OracleCase[] = [];
  for (const p of PIECES) for (const flags of ['', 'i', 'm', 's']) out.push({ source: p, flags });
  const next = rng(2101);
  for (let n = 0; n < 300; n++) {
    const len = 2 + Math.floor(next() * 3);
    const source = Array.from({ length: len }, () => PIECES[Math.floor(next() * PIECES.length)]).join('');
    out.push({ source, flags: ['', '', 'i', 'm', 's'][Math.floor(next() * 5)] });
  }
  return out;
}
