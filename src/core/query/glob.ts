/**
 * Wildcard matching for the search language's `*` values, shared by every matcher (indexed
 * values, JSON paths, row-set ids, patterns). Pure string work with no dependency, so the
 * webviews can bundle the query syntax without the fuzzy matchers.
 */

/**
 * Whether `value` matches the glob split at its `*`s. Greedy and linear: no backtracking regex,
 * so a hostile pattern (a*a*a*…) or value cannot stall the extension host.
 */
export function globMatch(parts: readonly string[], value: string): boolean {
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (parts.length === 1) return value === first;
  if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last)) return false;
  let at = first.length;
  const end = value.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const found = value.indexOf(parts[i], at);
    if (found < 0 || found + parts[i].length > end) return false;
    at = found + parts[i].length;
  }
  return true;
}
