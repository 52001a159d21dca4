/**
 * Safe pieces of Athena SQL (Trino dialect) for values taken from queries and events, which are
 * attacker-influenced (a pasted ARN, a value copied out of an event): every string goes out as a
 * literal with its quotes doubled, every name as a double-quoted identifier, and LIKE patterns
 * escape their own metacharacters. Nothing a user types is ever spliced into SQL unquoted.
 */
import { javaRegex } from './javaRegex';
import type { ValuePattern } from './query';

/** A Trino string literal: single quotes doubled (the only escape inside '…'). */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** A double-quoted identifier. */
export function sqlIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A LIKE pattern (with ESCAPE '\') for lower-case glob parts: `%` between parts, metacharacters escaped. */
export function likePattern(parts: readonly string[]): string {
  return parts.map((p) => p.replace(/[\\%_]/g, '\\$&')).join('%');
}

const ASCII = /^[\x00-\x7f]*$/;

/**
 * Case-insensitive compares: the local engine lowers with JavaScript's toLowerCase (full mapping:
 * İ → i + U+0307, a final Σ → ς); Trino's lower maps code point by code point (Java's
 * Character.toLowerCase, airlift SliceUtf8: İ → i, Σ → σ always). So the column is lowered in
 * Trino with İ first spelt as JavaScript lowers it, which agrees with JavaScript on every code point
 * but a final Σ; for an ASCII value that is exact (a Σ lowers to a non-ASCII letter either way).
 * A value with non-ASCII characters is lowered in Trino too (both sides in one engine) with ς
 * folded to σ on both sides, which keeps every row JavaScript's compare keeps; such terms are a
 * narrowing, re-checked locally (caseExact).
 */
export function lowerSql(x: string, foldSigma = false): string {
  const l = `lower(replace(${x}, 'İ', 'i\u0307'))`;
  return foldSigma ? `replace(${l}, 'ς', 'σ')` : l;
}

/** Whether compares against these values say in Trino exactly what they say locally (ASCII values). */
export function caseExact(values: readonly string[], patterns: readonly ValuePattern[] = []): boolean {
  return (
    values.every((v) => ASCII.test(v)) &&
    patterns.every((p) => p.kind !== 'glob' || p.parts.every((x) => ASCII.test(x)))
  );
}

/** A lower-case literal compared with lowerSql(x): as is when ASCII, else lowered in Trino the same way. */
function lowered(text: string): { col: (x: string) => string; lit: string } {
  if (ASCII.test(text)) return { col: (x) => lowerSql(x), lit: sqlString(text.toLowerCase()) };
  return { col: (x) => lowerSql(x, true), lit: lowerSql(sqlString(text), true) };
}

/** `x` (a non-null text expression) holding `piece` ignoring case, as the local substring match. */
export function containsSql(x: string, piece: string): string {
  const l = lowered(piece);
  return `strpos(${l.col(x)}, ${l.lit}) > 0`;
}

/** `x` (a non-null text expression) against one alternative, as vocabulary.ts matches values. */
export function valueSql(x: string, alt: string, literal: boolean): string {
  if (alt === '') return `${x} = ''`;
  if (literal || !alt.includes('*')) {
    const l = lowered(alt);
    return `${l.col(x)} = ${l.lit}`;
  }
  return globSql(x, alt.toLowerCase().split('*'));
}

/** Glob parts (lower-case); more than one part never matches an empty value. */
export function globSql(x: string, parts: readonly string[]): string {
  if (parts.length === 1) return valueSql(x, parts[0], true);
  const l = lowered(likePattern(parts));
  return `(${x} <> '' AND ${l.col(x)} LIKE ${l.lit} ESCAPE '\\')`;
}

/** The pattern as Trino's regexp_like (Joni, Java syntax) must be given it to mean what RE2 means (javaRegex.ts); compileAthena refuses the term first when it cannot be. */
function regexSource(source: string, flags: string): string {
  const j = javaRegex(source, flags);
  return 'error' in j ? '(?!)' : j.source;
}

/** `x` (non-null text) against a value pattern: regex, CIDR range or glob with literal pieces. */
export function patternSql(x: string, p: ValuePattern): string {
  if (p.kind === 'glob')
    return globSql(
      x,
      p.parts.map((s) => s.toLowerCase()),
    );
  if (p.kind === 'regex') return `regexp_like(${x}, ${sqlString(regexSource(p.source, p.flags))})`;
  // Trino's IPADDRESS holds IPv4 as IPv4-mapped IPv6, so the family is checked as cidrContains does.
  const family = p.version === 4 ? `strpos(${x}, ':') = 0` : `strpos(${x}, ':') > 0`;
  const range = `COALESCE(contains(${sqlString(`${p.network}/${p.bits}`)}, try(CAST(${x} AS IPADDRESS))), false)`;
  return `(${valueSql(x, p.text, true)} OR (${family} AND ${range}))`;
}

/** OR of `x` against every alternative and pattern of a term ('FALSE' when it has none). */
export function alternativesSql(
  x: string,
  values: readonly string[],
  literal: boolean,
  patterns: readonly ValuePattern[] = [],
): string {
  const parts = [...values.map((v) => valueSql(x, v, literal)), ...patterns.map((p) => patternSql(x, p))];
  return parts.length === 0 ? 'FALSE' : parts.length === 1 ? parts[0] : `(${parts.join(' OR ')})`;
}

/** `x || y` of the search code (first non-empty), for non-null text expressions; the last is the fallback. */
export function firstNonEmpty(...xs: string[]): string {
  return xs.length === 1
    ? xs[0]
    : `COALESCE(${xs
        .slice(0, -1)
        .map((x) => `NULLIF(${x}, '')`)
        .join(', ')}, ${xs[xs.length - 1]})`;
}

/** OR of parts, dropping duplicates; 'FALSE' when empty. */
export function anyOf(parts: readonly string[]): string {
  const uniq = [...new Set(parts)];
  return uniq.length === 0 ? 'FALSE' : uniq.length === 1 ? uniq[0] : `(${uniq.join(' OR ')})`;
}
