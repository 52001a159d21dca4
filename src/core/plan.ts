/**
 * Evaluating a query over a million rows without touching each row per term. The term expected
 * to match fewest rows drives: only its rows (from the inverted index, or a slice of the time
 * order) are visited, and each visited row is checked against the other terms through per-value
 * score tables (one array read per field). Results, order and scores are those of the dense
 * evaluation in search.ts (one Float32Array per term over all rows), which stays for term kinds
 * this file does not know.
 */
import type { SortOrder } from '../protocol/logViewer';
import type { EventStore, IndexedField, StringField } from './store';
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
  private static free: Float32Array[] = [];
  private readonly used: Array<[Float32Array, ReadonlyMap<number, ValueMatch>]> = [];

  /** An all-Infinity table of at least `size` slots, cleaned of `matches`' ids on release. */
  take(size: number, matches: ReadonlyMap<number, ValueMatch>): Float32Array {
    const free = Tables.free;
    let best = -1;
    for (let i = 0; i < free.length; i++) if (free[i].length >= size && (best < 0 || free[i].length < free[best].length)) best = i;
    const table = best >= 0 ? free.splice(best, 1)[0] : new Float32Array(size).fill(Infinity);
    this.used.push([table, matches]);
    return table;
  }

  /** Cleans the tables and keeps them for the next query, the largest first, up to KEPT_SLOTS in all. */
  release(): void {
    for (const [table, matches] of this.used) {
      for (const id of matchIds(matches)) table[id] = Infinity;
      Tables.free.push(table);
    }
    this.used.length = 0;
    Tables.free.sort((a, b) => b.length - a.length);
    let slots = 0;
    Tables.free = Tables.free.filter((t) => (slots += t.length) <= KEPT_SLOTS);
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
  const tables = new Tables();
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
  for (const term of terms) {
    if (term.kind === 'time') {
      const after = term.after ?? -Infinity;
      const before = term.before ?? Infinity;
      checks.push({ parts: [], negate: false, after, before });
      // Rows at positions [lo, hi) have after ≤ time < before (rows without a time sort last,
      // and nothing is below -Infinity but them).
      const lo = firstBelow(times, byTime, before);
      const hi = Math.max(lo, firstBelow(times, byTime, after));
      if (hi - lo < driverCost) [driverCost, driverRange, driverTerm] = [hi - lo, [lo, hi], undefined];
      continue;
    }
    const parts = compileValues(store, term.fields, tables);
    if (parts.length === 0) {
      // Nothing matched: a positive term admits no row; an excluding one excludes none.
      if (term.negate) continue;
      return new Uint32Array(0);
    }
    checks.push({ parts, negate: term.negate, after: NaN, before: NaN });
    if (term.negate) continue;
    let cost = 0;
    for (const [field, matches] of term.fields) {
      const { offsets } = store.dictionary(field).postings();
      for (const id of matchIds(matches)) cost += offsets[id + 1] - offsets[id];
    }
    if (cost < driverCost) [driverCost, driverRange, driverTerm] = [cost, undefined, term.fields];
  }
  const candidates = driverRows(store, n, byTime, driverCost, driverRange, driverTerm);
  const { starts: resStarts, ids: resIds } = store.resourceLists();
  const hitRows = new Uint32Array(candidates.length);
  const hitScores = new Float32Array(candidates.length);
  let hits = 0;
  rows: for (let i = 0; i < candidates.length; i++) {
    const row = candidates[i];
    let total = 0;
    for (let c = 0; c < checks.length; c++) {
      const check = checks[c];
      let s = Infinity;
      if (check.parts.length === 0) {
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
  return order(hitRows.subarray(0, hits), hitScores.subarray(0, hits), termCount, byTime, sort);
}

/** The rows the driver visits: all rows, a slice of the time order, or a term's rows (each once). */
function driverRows(
  store: EventStore,
  n: number,
  byTime: Uint32Array,
  cost: number,
  range: [number, number] | undefined,
  term: ReadonlyMap<IndexedField, ReadonlyMap<number, ValueMatch>> | undefined,
): Uint32Array {
  if (range) return byTime.subarray(range[0], range[1]);
  if (!term) return identity(n);
  const out = new Uint32Array(cost);
  const seen = scratch.seen(n);
  let w = 0;
  for (const [field, matches] of term) {
    // Offsets, not index.of(id): a view per value costs an allocation, and a pattern can match 30,000.
    const { offsets, rows } = store.dictionary(field).postings();
    for (const id of matchIds(matches)) {
      for (let i = offsets[id]; i < offsets[id + 1]; i++) {
        const row = rows[i];
        if (seen[row]) continue;
        seen[row] = 1;
        out[w++] = row;
      }
    }
  }
  // Clean for the next query: clearing the rows set costs less than a new array of every row.
  for (let i = 0; i < w; i++) seen[out[i]] = 0;
  return out.subarray(0, w);
}

/**
 * Puts the matching rows in display order: by relevance band (sort 'relevance' only), then by
 * position in the time order. Band and position are packed into one 32-bit key and the keys
 * radix-sorted, so the cost follows the matching rows, not the store: ordering 140,000 matches of
 * a million rows through a pass over every row's position took 10-20 ms; this takes one or two.
 */
function order(rows: Uint32Array, scores: Float32Array, termCount: number, byTime: Uint32Array, sort: SortOrder): Uint32Array {
  const k = rows.length;
  const rank = rankOf(byTime);
  const bands = new Uint32Array(k);
  let maxBand = 0;
  if (sort === 'relevance') {
    for (let i = 0; i < k; i++) {
      const band = Math.max(0, Math.round((scores[i] / termCount) * 20));
      bands[i] = band;
      if (band > maxBand) maxBand = band;
    }
  }
  const positionBits = Math.max(1, 32 - Math.clz32(byTime.length));
  const out = new Uint32Array(k);
  if (positionBits + (32 - Math.clz32(maxBand)) <= 32) {
    const keys = new Uint32Array(k);
    for (let i = 0; i < k; i++) keys[i] = ((bands[i] * 2 ** positionBits) + rank[rows[i]]) >>> 0;
    const sorted = radixSort(keys);
    const mask = 2 ** positionBits - 1;
    for (let i = 0; i < k; i++) out[i] = byTime[(sorted[i] & mask) >>> 0];
  } else {
    // Past 32 bits (a store of billions of rows, or absurd scores): a float64 key, exact to 2^53.
    const keys = new Float64Array(k);
    for (let i = 0; i < k; i++) keys[i] = bands[i] * 2 ** positionBits + rank[rows[i]];
    keys.sort();
    for (let i = 0; i < k; i++) out[i] = byTime[keys[i] % 2 ** positionBits];
  }
  return sort === 'oldest' ? out.reverse() : out;
}

const RADIX_BITS = 11;
/** `keys` sorted ascending (may return `keys` itself, sorted in place). LSD radix sort, 11 bits a pass. */
export function radixSort(keys: Uint32Array): Uint32Array {
  const k = keys.length;
  if (k < 2048) return keys.sort();
  let max = 0;
  for (let i = 0; i < k; i++) if (keys[i] > max) max = keys[i];
  let from: Uint32Array = keys;
  let to: Uint32Array = new Uint32Array(k);
  const counts = new Uint32Array(1 << RADIX_BITS);
  for (let shift = 0; shift < 32 && max >>> shift > 0; shift += RADIX_BITS) {
    counts.fill(0);
    for (let i = 0; i < k; i++) counts[(from[i] >>> shift) & ((1 << RADIX_BITS) - 1)]++;
    let sum = 0;
    for (let d = 0; d < counts.length; d++) {
      const c = counts[d];
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < k; i++) {
      const v = from[i];
      to[counts[(v >>> shift) & ((1 << RADIX_BITS) - 1)]++] = v;
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
