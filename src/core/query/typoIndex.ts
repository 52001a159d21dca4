/**
 * Typo search with full recall over one field's distinct values (README "Typos"): every value
 * within 1 edit of the term (2 for terms of 8 characters or more) is found, an edit being a
 * character inserted, left out, replaced, or swapped with its neighbour (optimal string alignment
 * distance), case ignored. A value matches whole, by its start (a partial ARN or key typed from
 * its beginning), or by its tail after its last separator (`/`, `:`, space: the session in
 * `role/session`, the resource name at the end of an ARN).
 *
 * The method: the values sorted by their lowercase form are walked as an implicit trie. The
 * dynamic-programming row of the distance between the term and each prefix is kept per depth,
 * so values sharing a start share its rows (ARNs and access keys share long ones), and the row
 * is banded (only the 2k+1 cells within k of the diagonal can be ≤ k). When a prefix's row has
 * no cell ≤ k no value under it can match, and the walk jumps past all of them with a galloping
 * search. Two-edit terms are split (pigeonhole): the walk allows one edit in the term's first part,
 * and the values holding the rest exactly, found by the vocabulary's substring search, are checked
 * one by one; that keeps the walk out of the dense top of a trie of random keys. The walk needs
 * no index of its own over the whole values (the vocabulary's sorted order serves prefix patterns
 * too); the tails are a small sorted index of their own. `npm run bench` (fuzzy_* lines) compares
 * it with Fuse.js and uFuzzy, and prints what a deletion index and a trigram index would hold.
 */

/** One value found: how far it is from the term and which part of it matched. */
export interface TypoHit {
  id: number;
  /** Edits between the term and the matched text (0 only when the engine is asked directly). */
  distance: number;
  /** The matched text in the value's lowercase form: [start, end). */
  start: number;
  end: number;
  /** How the value matched: whole, by its start, or by a tail after a separator. */
  kind: TypoKind;
}

export type TypoKind = 'whole' | 'prefix' | 'tail';
const KIND_ORDER: Record<TypoKind, number> = { whole: 0, prefix: 1, tail: 2 };

/** Terms longer than this are not typed by hand: no typo search (bounded time for pasted text). */
export const MAX_TYPO_TERM = 256;
/** Rows computed per search at most: bounds a search over a million near-identical values. */
const MAX_STEPS = 1_500_000;
/** Rows the first, unsplit walk of a two-edit term over a large vocabulary may take. */
const TRY_STEPS = 10000;
/** Values of one matching prefix range looked at for ranking, at most. */
const RANGE_EXPAND = 2000;
/** Values containing a term's second half checked one by one, at most (else the walks go unstaged). */
const MAX_CHECKED = 2000;
/**
 * Vocabularies smaller than this are walked unstaged: the walk over a few thousand values is
 * quicker than the substring search and the checks the split needs.
 */
const STAGED_FROM = 20_000;
const MIN_TAIL = 3;

/** Edits forgiven for a term of this length: none below 3 characters, 2 from 8 on. */
export function typoBudget(length: number): number {
  return length < 3 ? 0 : length < 8 ? 1 : 2;
}

/** A separator before a tail: `/`, `:`, space. */
function isSeparator(c: number): boolean {
  return c === 47 || c === 58 || c === 32;
}

interface Found {
  distance: number;
  start: number;
  end: number;
  kind: TypoKind;
}

/** Keys in sorted order: `keys[order[i]]`, or `keys[i]` without an order. */
interface SortedKeys {
  keys: readonly string[];
  order: Uint32Array | undefined;
  length: number;
  /** Per position: the length of the start key i shares with key i - 1 (see lcpOf). */
  lcp: Uint16Array;
}

/** The common start of each sorted key with the one before it (capped at 65,535; 0 for the first). */
export function lcpOf(keys: readonly string[], order: Uint32Array | undefined, n: number): Uint16Array {
  const lcp = new Uint16Array(n);
  let prev = n > 0 ? (order ? keys[order[0]] : keys[0]) : '';
  for (let i = 1; i < n; i++) {
    const key = order ? keys[order[i]] : keys[i];
    const lim = Math.min(key.length, prev.length, 65535);
    let d = 0;
    while (d < lim && key.charCodeAt(d) === prev.charCodeAt(d)) d++;
    lcp[i] = d;
    prev = key;
  }
  return lcp;
}

/**
 * One row of the banded distance table: the distances of term[0, j) to a key's first `d1`
 * characters, for the 2k+1 columns j = d1 - k … d1 + k (cell `off` is j = d1 - k + off), from the
 * two rows above it; `c` is the key's character d1 - 1 and `p` the one before. Cells past k are k
 * + 1. With `staged` > 0, a cell of a column ≤ staged may hold at most k - 1 (the walk that lets
 * the term's first half have one edit less). Returns the row's least cell.
 */
function fillRow(
  rows: Uint8Array,
  d1: number,
  c: number,
  p: number,
  t: Uint16Array,
  k: number,
  staged: number,
): number {
  const W = 2 * k + 1;
  const BIG = k + 1;
  const m = t.length;
  const base = d1 * W;
  const pb = base - W;
  const ppb = pb - W;
  let rmin = BIG;
  for (let off = 0; off < W; off++) {
    const j = d1 - k + off;
    let v: number;
    if (j < 0 || j > m) v = BIG;
    else if (j === 0) v = d1 < BIG ? d1 : BIG;
    else {
      v = rows[pb + off] + (c === t[j - 1] ? 0 : 1);
      if (off + 1 < W && rows[pb + off + 1] + 1 < v) v = rows[pb + off + 1] + 1;
      if (off > 0 && rows[base + off - 1] + 1 < v) v = rows[base + off - 1] + 1;
      if (j > 1 && d1 > 1 && c === t[j - 2] && p === t[j - 1] && rows[ppb + off] + 1 < v) v = rows[ppb + off] + 1;
      if (v > BIG) v = BIG;
    }
    if (staged > 0 && j <= staged && v >= k) v = BIG;
    rows[base + off] = v;
    if (v < rmin) rmin = v;
  }
  return rmin;
}

/**
 * Whether a swap could still reach a cell ≤ k two rows below row d1 - 1, over a row d1 past k:
 * only staged rows can lose the diagonal cell it would otherwise go through (a first-part cell
 * pruned), and the swap needs the key's character d1 - 1 to be the term's character after it.
 */
function swapAhead(rows: Uint8Array, d1: number, c: number, t: Uint16Array, k: number): boolean {
  const W = 2 * k + 1;
  const pb = (d1 - 1) * W;
  for (let off = 0; off < W; off++) {
    const j = d1 - 1 - k + off;
    if (j >= 0 && j + 1 < t.length && rows[pb + off] < k && t[j + 1] === c) return true;
  }
  return false;
}

/** Row 0 of the banded table: term[0, j) against nothing costs j. */
function firstRow(rows: Uint8Array, m: number, k: number, staged: number): void {
  for (let off = 0; off < 2 * k + 1; off++) {
    const j = off - k;
    rows[off] = j < 0 || j > m || (staged > 0 && j <= staged && j >= k) ? k + 1 : Math.min(j, k + 1);
  }
}

/** The cell of column m (the whole term) in row d, or k + 1 outside the band. */
function lastCell(rows: Uint8Array, d: number, m: number, k: number): number {
  const off = m - d + k;
  return off >= 0 && off < 2 * k + 1 ? rows[d * (2 * k + 1) + off] : k + 1;
}

/**
 * Walks `keys` (sorted) for those within `k` edits of `term`, whole or by a prefix. `onHit` gets
 * each such key (its prefix match's end, or its length when whole); `onRange` gets runs of keys
 * that all match by a common prefix, without visiting them. `staged`: see fillRow. Returns false
 * when it stopped after `maxSteps` rows (the answer is then partial).
 */
function walk(
  keys: SortedKeys,
  term: string,
  k: number,
  staged: number,
  maxSteps: number,
  onHit: (i: number, distance: number, end: number, whole: boolean) => void,
  onRange: (from: number, to: number, distance: number, end: number) => void,
): boolean {
  const m = term.length;
  const BIG = k + 1;
  const maxDepth = m + k;
  const t = new Uint16Array(m);
  for (let j = 0; j < m; j++) t[j] = term.charCodeAt(j);
  const rows = new Uint8Array((maxDepth + 2) * (2 * k + 1));
  // Per depth: the least distance of the term to a prefix of the path so far, and that prefix's length.
  const bestD = new Uint8Array(maxDepth + 2);
  const bestAt = new Int32Array(maxDepth + 2);
  firstRow(rows, m, k, staged);
  bestD[0] = m <= k ? m : BIG;
  let depth = 0;
  // The start this key shares with the one visited before it: its rows up to there are kept.
  let common = 0;
  let steps = 0;
  const n = keys.length;
  let i = 0;
  const { keys: all, order, lcp } = keys;
  while (i < n) {
    const key = order ? all[order[i]] : all[i];
    let d = Math.min(depth, common, key.length);
    let dead = false;
    while (d < key.length) {
      const d1 = d + 1;
      let rmin = BIG;
      if (d1 <= maxDepth) {
        rmin = fillRow(rows, d1, key.charCodeAt(d), d > 0 ? key.charCodeAt(d - 1) : -1, t, k, staged);
        steps++;
      }
      d = d1;
      if (rmin > k && (staged === 0 || d1 > maxDepth || !swapAhead(rows, d1, key.charCodeAt(d1 - 1), t, k))) {
        // No key starting with key[0, d) can match better than its prefix already did: skip them all.
        // The keys after it sharing key[0, d) are a run: their common starts are all ≥ d.
        let to = i + 1;
        while (to < n && lcp[to] >= d) to++;
        if (bestD[d - 1] <= k) onRange(i, to, bestD[d - 1], bestAt[d - 1]);
        common = to < n ? lcp[to] : 0;
        i = to;
        depth = d - 1;
        dead = true;
        break;
      }
      const last = lastCell(rows, d, m, k);
      if (last < bestD[d - 1]) {
        bestD[d] = last;
        bestAt[d] = d;
      } else {
        bestD[d] = bestD[d - 1];
        bestAt[d] = bestAt[d - 1];
      }
    }
    if (!dead) {
      const len = key.length;
      const whole = lastCell(rows, len, m, k);
      if (whole <= k) onHit(i, whole, len, true);
      else if (bestD[len] <= k) onHit(i, bestD[len], bestAt[len], false);
      i++;
      depth = len;
      common = i < n ? lcp[i] : 0;
    }
    if (steps > maxSteps) return false;
  }
  return true;
}

/**
 * The term against one text from `from` on: its distance to the whole rest, else to the rest's
 * closest start (and where that start ends), within k; undefined past k.
 */
function align(
  s: string,
  from: number,
  term: string,
  k: number,
): { distance: number; end: number; whole: boolean } | undefined {
  const m = term.length;
  const t = new Uint16Array(m);
  for (let j = 0; j < m; j++) t[j] = term.charCodeAt(j);
  const len = Math.min(s.length - from, m + k);
  const rows = new Uint8Array((len + 2) * (2 * k + 1));
  firstRow(rows, m, k, 0);
  let best = k + 1;
  let at = 0;
  let d = 0;
  for (; d < len; d++) {
    const rmin = fillRow(rows, d + 1, s.charCodeAt(from + d), d > 0 ? s.charCodeAt(from + d - 1) : -1, t, k, 0);
    const last = lastCell(rows, d + 1, m, k);
    if (last < best) {
      best = last;
      at = d + 1;
    }
    if (rmin > k) break;
  }
  if (d === len && len === s.length - from) {
    const whole = lastCell(rows, len, m, k);
    if (whole <= k) return { distance: whole, end: s.length, whole: true };
  }
  return best <= k ? { distance: best, end: from + at, whole: false } : undefined;
}

/**
 * The tails of the values: distinct lowercase texts after each value's last separators, sorted,
 * each with the values (and offsets) it comes from.
 */
interface Tails {
  keys: string[];
  /** CSR: entries of tail i are [starts[i], starts[i + 1]) in ids/offsets. */
  starts: Uint32Array;
  ids: Uint32Array;
  offsets: Uint32Array;
  /** Values covered. */
  count: number;
  lcp: Uint16Array;
}

/** Where a value's tail starts (after its last separator, leaving MIN_TAIL characters at least), or -1. */
function tailStart(s: string): number {
  for (let at = s.length - MIN_TAIL - 1; at >= 0; at--) if (isSeparator(s.charCodeAt(at))) return at + 1;
  return -1;
}

function buildTails(lowered: readonly string[], count: number): Tails {
  const index = new Map<string, number>();
  const keys: string[] = [];
  const entryTail: number[] = [];
  const entryId: number[] = [];
  const entryOff: number[] = [];
  for (let id = 0; id < count; id++) {
    const s = lowered[id];
    const at = tailStart(s);
    if (at > 0) {
      const tail = s.slice(at);
      let t = index.get(tail);
      if (t === undefined) {
        t = keys.length;
        index.set(tail, t);
        keys.push(tail);
      }
      entryTail.push(t);
      entryId.push(id);
      entryOff.push(at);
    }
  }
  const order = Uint32Array.from(keys.keys()).sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : 0));
  const rank = new Uint32Array(keys.length);
  for (let r = 0; r < order.length; r++) rank[order[r]] = r;
  const starts = new Uint32Array(keys.length + 1);
  for (const t of entryTail) starts[rank[t] + 1]++;
  for (let r = 0; r < keys.length; r++) starts[r + 1] += starts[r];
  const fill = starts.slice(0, keys.length);
  const ids = new Uint32Array(entryTail.length);
  const offsets = new Uint32Array(entryTail.length);
  for (let e = 0; e < entryTail.length; e++) {
    const at = fill[rank[entryTail[e]]]++;
    ids[at] = entryId[e];
    offsets[at] = entryOff[e];
  }
  const sortedKeys = Array.from(order, (t) => keys[t]);
  return { keys: sortedKeys, starts, ids, offsets, count, lcp: lcpOf(sortedKeys, undefined, sortedKeys.length) };
}

export interface TypoSearchOptions {
  /** Most values returned (ranked). */
  limit: number;
  /** Edits forgiven; typoBudget(term length) by default. */
  maxEdits?: number;
  /** Vocabularies from this size take the split two-edit search (STAGED_FROM; tests lower it). */
  stagedFrom?: number;
  /** Take the split search at once, without the short unsplit try first (tests hold it to a scan). */
  split?: boolean;
  /** How many events hold a value (ranks values at the same distance); none: all equal. */
  counts?: (id: number) => number;
}

/**
 * Typo search over a vocabulary. `lowered` holds each value's lowercase form by id (it may grow);
 * `sorted` returns all ids in the order of those forms (the vocabulary's own sorted index).
 */
export class TypoIndex {
  private tails: Tails | undefined;
  private lcpFor: Uint32Array | undefined;
  private lcps: Uint16Array = new Uint16Array(0);
  /** False after a search stopped at its step budget (bench and tests read it). */
  complete = true;

  constructor(
    private readonly lowered: readonly string[],
    private readonly sorted: () => Uint32Array,
    /** Ids of the values containing a lowercase text (the vocabulary's substring search), if any. */
    private readonly containing?: (lower: string) => readonly number[],
  ) {}

  /** Builds what the first search would (the common starts, the tails); the sorted order belongs to the vocabulary. */
  prepare(): void {
    this.lcp(this.sorted());
    this.tailIndex();
  }

  /** The common starts of the sorted values, remade when the vocabulary's order is (values added). */
  private lcp(sorted: Uint32Array): Uint16Array {
    if (this.lcpFor !== sorted) {
      this.lcpFor = sorted;
      this.lcps = lcpOf(this.lowered, sorted, sorted.length);
    }
    return this.lcps;
  }

  private tailIndex(): Tails {
    if (!this.tails || this.tails.count !== this.lowered.length)
      this.tails = buildTails(this.lowered, this.lowered.length);
    return this.tails;
  }

  /** The walks over the whole values and over the tails; false when one stopped at its budget. */
  private walks(
    lower: string,
    k: number,
    staged: number,
    sorted: Uint32Array,
    keep: (id: number, f: Found) => void,
    maxSteps = MAX_STEPS,
  ): boolean {
    let expanded = 0;
    const whole: SortedKeys = { keys: this.lowered, order: sorted, length: sorted.length, lcp: this.lcp(sorted) };
    const full = walk(
      whole,
      lower,
      k,
      staged,
      maxSteps,
      (i, distance, end, isWhole) => keep(sorted[i], { distance, start: 0, end, kind: isWhole ? 'whole' : 'prefix' }),
      (from, to, distance, end) => {
        const n = Math.min(to - from, RANGE_EXPAND, Math.max(0, 20 * RANGE_EXPAND - expanded));
        expanded += n;
        for (let x = from; x < from + n; x++) keep(sorted[x], { distance, start: 0, end, kind: 'prefix' });
      },
    );
    const tails = this.tailIndex();
    const tailKeys: SortedKeys = { keys: tails.keys, order: undefined, length: tails.keys.length, lcp: tails.lcp };
    const addTail = (t: number, distance: number, end: number): void => {
      for (let e = tails.starts[t]; e < tails.starts[t + 1]; e++) {
        const at = tails.offsets[e];
        keep(tails.ids[e], { distance, start: at, end: at + end, kind: 'tail' });
      }
    };
    const tailsFull = walk(
      tailKeys,
      lower,
      k,
      staged,
      maxSteps,
      (i, distance, end) => addTail(i, distance, end),
      (from, to, distance, end) => {
        for (let x = from; x < Math.min(to, from + RANGE_EXPAND); x++) addTail(x, distance, end);
      },
    );
    return full && tailsFull;
  }

  /** One value against the term as the walks would see it: whole, by its start, by its tail. */
  private check(id: number, lower: string, k: number, keep: (id: number, f: Found) => void): void {
    const s = this.lowered[id];
    const a = align(s, 0, lower, k);
    if (a) keep(id, { distance: a.distance, start: 0, end: a.end, kind: a.whole ? 'whole' : 'prefix' });
    const at = tailStart(s);
    if (at > 0) {
      const b = align(s, at, lower, k);
      if (b) keep(id, { distance: b.distance, start: at, end: b.end, kind: 'tail' });
    }
  }

  /**
   * Two edits: the term's first part has at most one, or else the rest none. The walks allow one
   * edit less in the first part (which prunes where a trie of keys branches densely, as random
   * key ids do), and the values containing the rest as typed are checked one by one. The rest is
   * as short as leaves few such values (the shorter, the more of the walk is pruned), and at most
   * half the term; when even that is in too many values, the walks go unstaged: slower, never less.
   */
  private split(lower: string, k: number, sorted: Uint32Array, keep: (id: number, f: Found) => void): boolean {
    const m = lower.length;
    let staged = 0;
    for (const rest of [3, 5, 8, m - (m >> 1)]) {
      if (rest > m - (m >> 1)) continue;
      const exact = this.containing!(lower.slice(m - rest));
      if (exact.length > MAX_CHECKED) continue;
      staged = m - rest;
      for (const id of exact) this.check(id, lower, k, keep);
      break;
    }
    return this.walks(lower, k, staged, sorted, keep);
  }

  /**
   * Values within the term's edit budget, best first: fewer edits, then more events, then a
   * whole value before one matched by its start before one matched by a tail, then shorter.
   */
  search(term: string, opts: TypoSearchOptions): TypoHit[] {
    const lower = term.toLowerCase();
    const k = opts.maxEdits ?? typoBudget(lower.length);
    this.complete = true;
    if (k <= 0 || lower.length > MAX_TYPO_TERM || opts.limit <= 0) return [];
    const found = new Map<number, Found>();
    const keep = (id: number, f: Found): void => {
      const was = found.get(id);
      if (
        !was ||
        f.distance < was.distance ||
        (f.distance === was.distance && KIND_ORDER[f.kind] < KIND_ORDER[was.kind])
      )
        found.set(id, f);
    };
    const sorted = this.sorted();
    const low = this.lowered;
    // Most vocabularies are walked whole in a few thousand rows (ARNs: their structure prunes). A
    // two-edit term over a large one first gets a short try; past it, the split search below.
    const large = k === 2 && this.containing && sorted.length >= (opts.stagedFrom ?? STAGED_FROM);
    if (!large) this.complete = this.walks(lower, k, 0, sorted, keep);
    else if (opts.split || !this.walks(lower, k, 0, sorted, keep, TRY_STEPS)) {
      found.clear();
      this.complete = this.split(lower, k, sorted, keep);
    }
    const counts = opts.counts;
    const hits: TypoHit[] = [];
    for (const [id, f] of found) hits.push({ id, ...f });
    const count = new Map<number, number>();
    const countOf = (id: number): number => {
      let c = count.get(id);
      if (c === undefined) count.set(id, (c = counts ? counts(id) : 0));
      return c;
    };
    hits.sort(
      (a, b) =>
        a.distance - b.distance ||
        countOf(b.id) - countOf(a.id) ||
        KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
        low[a.id].length - low[b.id].length ||
        a.id - b.id,
    );
    return hits.length > opts.limit ? hits.slice(0, opts.limit) : hits;
  }
}
