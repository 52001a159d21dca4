/**
 * Generated typos, for the typo index's unit tests and the bench (#22): one edit of each kind at
 * any position, and the optimal string alignment distance as a reference (adjacent swaps count
 * one; a swapped pair is not edited again).
 */

export const EDIT_KINDS = ['insert', 'delete', 'replace', 'swap'] as const;
export type EditKind = (typeof EDIT_KINDS)[number];

/** One edit of `kind` at a random position (the first and last characters included), letters from `alphabet`. */
export function typo(
  s: string,
  kind: EditKind,
  next: () => number,
  alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789',
): string {
  const at = Math.floor(next() * s.length);
  const ch = alphabet[Math.floor(next() * alphabet.length)];
  if (kind === 'insert') return s.slice(0, at) + ch + s.slice(at);
  if (kind === 'delete') return s.slice(0, at) + s.slice(at + 1);
  if (kind === 'replace') return s.slice(0, at) + (s[at] === ch ? (ch === 'q' ? 'z' : 'q') : ch) + s.slice(at + 1);
  const p = Math.min(at, s.length - 2);
  return s.slice(0, p) + s[p + 1] + s[p] + s.slice(p + 2);
}

/** Optimal string alignment distance between a and b, by the book. */
export function osaDistance(a: string, b: string): number {
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
      cur.push(v);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length];
}
