/**
 * Evaluating a query over a million rows without touching each row per term. The term expected
 * to match fewest rows drives: only its rows (from the inverted index, or a slice of the time
 * order) are visited, and each visited row is checked against the other terms through per-value
 * score tables (one array read per field). Results, order and scores are those of the dense
 * evaluation in search.ts (one Float32Array per term over all rows), which stays for term kinds
 * this file does not know.
 */
import type { SortOrder } from '../../protocol/logViewer';
import type { EventStore, IndexedField, StringField } from '../store/store';
import { IdSetMatches, matchIds, type ValueMatch } from './vocabulary';

/** A term resolved to matched values per field, or a time range. */
export type PlanTerm =
  | { kind: 'values'; negate: boolean; fields: ReadonlyMap<IndexedField, ReadonlyMap<number, ValueMatch>> }
  | { kind: 'time'; after?: number; before?: number };

/** One field of a term: each value id's score (Infinity: not matched), and the rows' value ids. */
interface Part {
  table: Float32Array;
  /** The field's column; undefined for the multi-valued resources. */
  column: Uint32Array | undefined;
}

/** A term compiled for per-row checks: the parts of a values term, or a time range. */
interface Check {
  parts: Part[];
  negate: boolean;
  after: number;
  before: number;
  /**
   * Answered by visiting the driver's rows, so not checked: 1 = passes with score 0 (a time term,
   * when the driver is the time range), 2 = passes with the driver's score for the row.
   */
  given: 0 | 1 | 2;
}

function compileValues(store: EventStore, fields: ReadonlyMap<IndexedField, ReadonlyMap<number, ValueMatch>>, tables: Tables): Part[] {
  const parts: Part[] = [];
  for (const [field, matches] of fields) {
    if (matches.size === 0) continue;
    const table = tables.take(store.dictionary(field).size, matches);
    if (matches instanceof IdSetMatches) for (const id of matches.ids) table[id] = 0;
    else for (const [id, m] of matches) if (m.score < table[id]) table[id] = m.score;
    parts.push({ table, column: field === 'resources' ? undefined : store.column(field as StringField) });
  }
  return parts;
}

/**
 * Score tables (one slot per distinct value of a field, Infinity where not matched), kept between
 * queries and handed back clean: a text term needs one per field, a million slots each for the
 * largest fields, and allocating and filling them cost more than the rest of many queries.
 */
class Tables {
  /** Clean tables kept per store, so they go when the store goes. */
  private static readonly pools = new WeakMap<EventStore, Float32Array[]>();
  private readonly used: Array<[Float32Array, ReadonlyMap<number, ValueMatch>]> = [];

  constructor(private readonly store: EventStore) {}

  /** An all-Infinity table of at least `size` slots, cleaned of `matches`' ids on release. */
  take(size: number, matches: ReadonlyMap<number, ValueMatch>): Float32Array {
    let free = Tables.pools.get(this.store);
    if (!free) Tables.pools.set(this.store, (free = []));
    let best = -1;
    for (let i = 0; i < free.length; i++) if (free[i].length >= size && (best < 0 || free[i].length < free[best].length)) best = i;
    const table = best >= 0 ? free.splice(best, 1)[0] : new Float32Array(size).fill(Infinity);
    this.used.push([table, matches]);
    return table;
  }

  /** Cleans the tables and keeps them for the next query, the largest first, up to KEPT_SLOTS in all. */
  release(): void {
    const free = Tables.pools.get(this.store) ?? [];
    for (const [table, matches] of this.used) {
      for (const id of matchIds(matches)) table[id] = Infinity;
      free.push(table);
    }
    this.used.length = 0;
    free.sort((a, b) => b.length - a.length);
    let slots = 0;
    Tables.pools.set(this.store, free.filter((t) => (slots += t.length) <= KEPT_SLOTS));
  }
}
/** Slots kept between queries (32 MB): a text term over every field of a million events needs ~3 M. */
const KEPT_SLOTS = 8 * 1024 * 1024;

/** Index of the first position in the newest-first order whose time is below `t` (NaN counts as lowest). */
function firstBelow(times: Float64Array, byTime: Uint32Array, t: number): number {
  let lo = 0;
  let hi = byTime.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = times[byTime[mid]];
    if (v < t || Number.isNaN(v)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Positions in the time order of each row (the inverse permutation), cached per order. */
const ranks = new WeakMap<Uint32Array, Uint32Array>();
function rankOf(byTime: Uint32Array): Uint32Array {
  let rank = ranks.get(byTime);
  if (!rank) {
    rank = new Uint32Array(byTime.length);
    for (let i = 0; i < byTime.length; i++) rank[byTime[i]] = i;
    ranks.set(byTime, rank);
  }
  return rank;
}

/**
 * Rows matching every term, in display order (see rankRows). `termCount` is the query's number of
 * terms, for relevance bands; `byTime` is every row, newest first.
 */
export function evaluate(store: EventStore, terms: readonly PlanTerm[], termCount: number, byTime: Uint32Array, sort: SortOrder): Uint32Array {
  const tables = new Tables(store);
  try {
    return evaluateWith(store, terms, termCount, byTime, sort, tables);
  } finally {
    tables.release();
  }
}

function evaluateWith(store: EventStore, terms: readonly PlanTerm[], termCount: number, byTime: Uint32Array, sort: SortOrder, tables: Tables): Uint32Array {
  const n = store.size;
  const times = store.timeColumn();
  const checks: Check[] = [];
  // The driver: the rows to visit, as a range of the time order or a values term's postings.
  let driverCost = n;
  let driverRange: [number, number] | undefined;
  let driverTerm: ReadonlyMap<IndexedField, ReadonlyMap<number, ValueMatch>> | undefined;
  /** The driver's entry in `checks`, or -1 for none (every row visited). */
  let driverCheck = -1;
  // Every time term together is one range of the time order: rows at positions [lo, hi) have
  // after ≤ time < before for the latest `after` and the earliest `before` (rows without a time
  // sort last, and nothing is below -Infinity but them). Visiting it answers all of them at once;
  // one term's range alone (after:X of before:Y) could be most of the store.
  let after = -Infinity;
  let before = Infinity;
  let timed = false;
  for (const term of terms) {
    if (term.kind !== 'time') continue;
    timed = true;
    after = Math.max(after, term.after ?? -Infinity);
    before = Math.min(before, term.before ?? Infinity);
  }
  if (timed) {
    const lo = firstBelow(times, byTime, before);
    const hi = Math.max(lo, firstBelow(times, byTime, after));
    if (hi - lo < driverCost) [driverCost, driverRange] = [hi - lo, [lo, hi]];
  }
  for (const term of terms) {
    if (term.kind === 'time') {
      checks.push({ parts: [], negate: false, after: term.after ?? -Infinity, before: term.before ?? Infinity, given: 0 });
      continue;
    }
    const parts = compileValues(store, term.fields, tables);
    if (parts.length === 0) {
      // Nothing matched: a positive term admits no row; an excluding one excludes none.
      if (term.negate) continue;
      return new Uint32Array(0);
    }
    checks.push({ parts, negate: term.negate, after: NaN, before: NaN, given: 0 });
    if (term.negate) continue;
    let cost = 0;
    for (const [field, matches] of term.fields) {
      const { offsets } = store.dictionary(field).postings();
      for (const id of matchIds(matches)) cost += offsets[id + 1] - offsets[id];
    }
    if (cost < driverCost) [driverCost, driverRange, driverTerm, driverCheck] = [cost, undefined, term.fields, checks.length - 1];
  }
  if (driverRange) for (const check of checks) if (check.parts.length === 0) check.given = 1;
  // The driver's own check can be skipped when visiting its rows already answers it: a time
  // range's rows are inside it (score 0), and a term matched in one string column scores each
  // row by the value it was reached through. (Resources, or several fields, still take the check
  // for the best score over a row's values.)
  const driverParts = driverCheck >= 0 ? checks[driverCheck].parts : [];
  const scoreTable = driverTerm && driverParts.length === 1 && driverParts[0].column ? driverParts[0].table : undefined;
  if (scoreTable) checks[driverCheck].given = 2;
  const driverScores = scoreTable ? scratch.scores(driverCost) : undefined;
  const candidates = driverRows(store, n, byTime, driverCost, driverRange, driverTerm, scoreTable, driverScores);
  const { starts: resStarts, ids: resIds } = store.resourceLists();
  const hitRows = new Uint32Array(candidates.length);
  const hitScores = new Float32Array(candidates.length);
  const hits = checkRows(candidates, checks, driverScores, times, resStarts, resIds, hitRows, hitScores);
  return order(hitRows.subarray(0, hits), hitScores.subarray(0, hits), termCount, byTime, sort, !!driverRange);
}

/*
 * The loops over rows below are functions of their own, with nothing after the loop that a first
 * run would not have reached: V8 compiles a hot loop mid-call (on-stack replacement), and code
 * compiled that way deoptimized at the first statement after the loop that had never run, every
 * call, so that each query ran its loops partly in the interpreter (half the time in profiles).
 */

/** Rows of `candidates` passing every check, with their summed scores; returns how many. */
function checkRows(
  candidates: Uint32Array,
  checks: readonly Check[],
  driverScores: Float32Array | undefined,
  times: Float64Array,
  resStarts: Uint32Array,
  resIds: Uint32Array,
  hitRows: Uint32Array,
  hitScores: Float32Array,
): number {
  let hits = 0;
  rows: for (let i = 0; i < candidates.length; i++) {
    const row = candidates[i];
    let total = 0;
    for (let c = 0; c < checks.length; c++) {
      const check = checks[c];
      let s = Infinity;
      if (check.given !== 0) s = check.given === 2 ? driverScores![i] : 0;
      else if (check.parts.length === 0) {
        const t = times[row];
        if (t >= check.after && t < check.before) s = 0;
      } else {
        for (let p = 0; p < check.parts.length; p++) {
          const { table, column } = check.parts[p];
          if (column) {
            if (table[column[row]] < s) s = table[column[row]];
          } else {
            for (let k = resStarts[row]; k < resStarts[row + 1]; k++) if (table[resIds[k]] < s) s = table[resIds[k]];
          }
        }
      }
      if (check.negate) s = s === Infinity ? 0 : Infinity;
      if (s === Infinity) continue rows;
      // Summed in float32, as the dense evaluation's Float32Array does, so relevance bands agree.
      total = Math.fround(total + s);
    }
    hitRows[hits] = row;
    hitScores[hits++] = total;
  }
  return hits;
}

/** The rows the driver visits: all rows, a slice of the time order, or a term's rows (each once). */
function driverRows(
  store: EventStore,
  n: number,
  byTime: Uint32Array,
  cost: number,
  range: [number, number] | undefined,
  term: ReadonlyMap<IndexedField, ReadonlyMap<number, ValueMatch>> | undefined,
  /** With `scores`: each visited row's score is `scoreTable[id]` of the value it was reached through. */
  scoreTable?: Float32Array,
  scores?: Float32Array,
): Uint32Array {
  if (range) return byTime.subarray(range[0], range[1]);
  if (!term) return identity(n);
  const out = new Uint32Array(cost);
  const seen = scratch.seen(n);
  let w = 0;
  for (const [field, matches] of term) {
    const { offsets, rows } = store.dictionary(field).postings();
    const ids = matches instanceof IdSetMatches ? matches.ids : Uint32Array.from(matches.keys());
    w = visitPostings(ids, offsets, rows, seen, out, w, scoreTable, scores);
  }
  clearSeen(seen, out, w);
  return out.subarray(0, w);
}

/** Appends to `out` from `w` the rows of value ids `ids` not `seen` yet (marking them); returns the new end. */
function visitPostings(ids: Uint32Array, offsets: Uint32Array, rows: Uint32Array, seen: Uint8Array, out: Uint32Array, w: number, scoreTable: Float32Array | undefined, scores: Float32Array | undefined): number {
  for (let j = 0; j < ids.length; j++) {
    const id = ids[j];
    // Offsets, not index.of(id): a view per value costs an allocation, and a pattern can match 30,000.
    const score = scoreTable ? scoreTable[id] : 0;
    for (let i = offsets[id]; i < offsets[id + 1]; i++) {
      const row = rows[i];
      if (seen[row]) continue;
      seen[row] = 1;
      if (scores) scores[w] = score;
      out[w++] = row;
    }
  }
  return w;
}

/** Clean for the next query: clearing the rows set costs less than a new array of every row. */
function clearSeen(seen: Uint8Array, rows: Uint32Array, count: number): void {
  for (let i = 0; i < count; i++) seen[rows[i]] = 0;
}

/**
 * Puts the matching rows in display order: by relevance band (sort 'relevance' only), then by
 * position in the time order. Band and position are packed into one 32-bit key and the keys
 * radix-sorted, so the cost follows the matching rows, not the store: ordering 140,000 matches of
 * a million rows through a pass over every row's position took 10-20 ms; this takes one or two.
 */
function order(rows: Uint32Array, scores: Float32Array, termCount: number, byTime: Uint32Array, sort: SortOrder, inTimeOrder: boolean): Uint32Array {
  const k = rows.length;
  const bands = new Uint32Array(k);
  const maxBand = sort === 'relevance' ? relevanceBands(scores, termCount, bands) : 0;
  // Rows visited along a slice of the time order are in it still: only bands need sorting.
  if (inTimeOrder) {
    const out = maxBand === 0 ? rows.slice() : bandSort(rows, bands, maxBand);
    return sort === 'oldest' ? out.reverse() : out;
  }
  const rank = rankOf(byTime);
  // Many matches (an eighth of the rows or more): mark their positions and read them back in one
  // sequential pass, cheaper than sorting that many keys.
  if (k * 8 >= byTime.length && maxBand < 255) {
    const inOrder = rowsByPosition(rows, bands, rank, byTime, scratch.marks(byTime.length));
    const out = maxBand === 0 ? inOrder.rows : bandSort(inOrder.rows, inOrder.bands, maxBand);
    return sort === 'oldest' ? out.reverse() : out;
  }
  const positionBits = Math.max(1, 32 - Math.clz32(byTime.length));
  const out = new Uint32Array(k);
  if (positionBits + (32 - Math.clz32(maxBand)) <= 32) {
    const sorted = radixSort(positionKeys(rows, bands, rank, positionBits));
    rowsAtPositions(sorted, 2 ** positionBits - 1, byTime, out);
  } else {
    // Past 32 bits (a store of billions of rows, or absurd scores): a float64 key, exact to 2^53.
    const keys = new Float64Array(k);
    for (let i = 0; i < k; i++) keys[i] = bands[i] * 2 ** positionBits + rank[rows[i]];
    keys.sort();
    for (let i = 0; i < k; i++) out[i] = byTime[keys[i] % 2 ** positionBits];
  }
  return sort === 'oldest' ? out.reverse() : out;
}

/** Each score's relevance band (the mean per term, in twentieths) into `bands`; returns the largest. */
function relevanceBands(scores: Float32Array, termCount: number, bands: Uint32Array): number {
  let maxBand = 0;
  for (let i = 0; i < scores.length; i++) {
    const band = Math.max(0, Math.round((scores[i] / termCount) * 20));
    bands[i] = band;
    if (band > maxBand) maxBand = band;
  }
  return maxBand;
}

/** Per row: its band above its position in the time order, as one 32-bit key. */
function positionKeys(rows: Uint32Array, bands: Uint32Array, rank: Uint32Array, positionBits: number): Uint32Array {
  const keys = new Uint32Array(rows.length);
  for (let i = 0; i < rows.length; i++) keys[i] = (bands[i] * 2 ** positionBits + rank[rows[i]]) >>> 0;
  return keys;
}

/** The rows at the positions held in the low bits of `keys`, into `out`. */
function rowsAtPositions(keys: Uint32Array, mask: number, byTime: Uint32Array, out: Uint32Array): void {
  for (let i = 0; i < keys.length; i++) out[i] = byTime[(keys[i] & mask) >>> 0];
}

/**
 * `rows` (with their bands) in time order: each row's position marked with its band + 1 in
 * `marks` (all 0, and left so), then the positions read back in order.
 */
function rowsByPosition(rows: Uint32Array, bands: Uint32Array, rank: Uint32Array, byTime: Uint32Array, marks: Uint8Array): { rows: Uint32Array; bands: Uint32Array } {
  for (let i = 0; i < rows.length; i++) marks[rank[rows[i]]] = bands[i] + 1;
  const outRows = new Uint32Array(rows.length);
  const outBands = new Uint32Array(rows.length);
  let w = 0;
  for (let p = 0; p < byTime.length; p++) {
    const m = marks[p];
    if (m === 0) continue;
    marks[p] = 0;
    outRows[w] = byTime[p];
    outBands[w++] = m - 1;
  }
  return { rows: outRows, bands: outBands };
}

/** `rows` stably sorted by `bands` (counting sort; bands at most `maxBand`). */
function bandSort(rows: Uint32Array, bands: Uint32Array, maxBand: number): Uint32Array {
  const starts = new Uint32Array(maxBand + 2);
  for (let i = 0; i < rows.length; i++) starts[bands[i] + 1]++;
  for (let b = 0; b < maxBand; b++) starts[b + 1] += starts[b];
  const out = new Uint32Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[starts[bands[i]]++] = rows[i];
  return out;
}

/**
 * `keys` sorted ascending (may return `keys` itself, sorted in place). LSD radix sort in as few
 * passes of at most 13 bits as the largest key needs: two for the 25-bit keys of a million rows.
 */
export function radixSort(keys: Uint32Array): Uint32Array {
  const k = keys.length;
  if (k < 2048) return keys.sort();
  let max = 0;
  for (let i = 0; i < k; i++) if (keys[i] > max) max = keys[i];
  const bits = 32 - Math.clz32(max);
  const passes = Math.ceil(bits / 13);
  const digit = Math.ceil(bits / Math.max(1, passes));
  const mask = 2 ** digit - 1;
  let from: Uint32Array = keys;
  let to: Uint32Array = new Uint32Array(k);
  const counts = new Uint32Array(mask + 1);
  for (let shift = 0; shift < bits; shift += digit) {
    counts.fill(0);
    for (let i = 0; i < k; i++) counts[(from[i] >>> shift) & mask]++;
    let sum = 0;
    for (let d = 0; d < counts.length; d++) {
      const c = counts[d];
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < k; i++) {
      const v = from[i];
      to[counts[(v >>> shift) & mask]++] = v;
    }
    [from, to] = [to, from];
  }
  return from;
}

/**
 * Arrays of one slot per row, kept between queries and handed back clean (all 0, all Infinity):
 * allocating megabytes per query made V8 run full collections of the whole heap mid-query.
 */
const scratch = {
  seenArray: new Uint8Array(0),
  scoresArray: new Float32Array(0),
  /** Not clean: the caller writes every slot it reads. */
  scores(n: number): Float32Array {
    if (this.scoresArray.length < n) this.scoresArray = new Float32Array(Math.max(n, this.scoresArray.length * 2));
    return this.scoresArray;
  },
  marksArray: new Uint8Array(0),
  marks(n: number): Uint8Array {
    if (this.marksArray.length < n) this.marksArray = new Uint8Array(Math.max(n, this.marksArray.length * 2));
    return this.marksArray;
  },
  seen(n: number): Uint8Array {
    if (this.seenArray.length < n) this.seenArray = new Uint8Array(Math.max(n, this.seenArray.length * 2));
    return this.seenArray;
  },
};

let identityCache = new Uint32Array(0);
/** 0, 1, … n-1 (shared: do not modify). */
function identity(n: number): Uint32Array {
  if (identityCache.length !== n) {
    // A plain loop: Uint32Array.from with a mapping function took ~100 ms for a million rows.
    identityCache = new Uint32Array(n);
    for (let i = 0; i < n; i++) identityCache[i] = i;
  }
  return identityCache;
}
