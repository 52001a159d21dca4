/**
 * Evaluating a query over a million rows without touching each row per term. The term expected
 * to match fewest rows drives: only its rows (from the inverted index, or a slice of the time
 * order) are visited, and each visited row is checked against the other terms through per-value
 * score tables (one array read per field). Results, order and scores are those of the dense
 * evaluation in search.ts (one Float32Array per term over all rows), which stays for term kinds
 * this file does not know.
 */
import type { SortOrder } from '../../protocol/logViewer';
import type { EventStore, IndexedField } from '../store/store';
import { orderRows } from './order';
import { scratch } from './scratch';
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

function compileValues(
  store: EventStore,
  fields: ReadonlyMap<IndexedField, ReadonlyMap<number, ValueMatch>>,
  tables: Tables,
): Part[] {
  const parts: Part[] = [];
  for (const [field, matches] of fields) {
    if (matches.size === 0) continue;
    const table = tables.take(store.dictionary(field).size, matches);
    if (matches instanceof IdSetMatches) for (const id of matches.ids) table[id] = 0;
    else for (const [id, m] of matches) if (m.score < table[id]) table[id] = m.score;
    parts.push({ table, column: field === 'resources' ? undefined : store.column(field) });
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
    for (let i = 0; i < free.length; i++)
      if (free[i].length >= size && (best < 0 || free[i].length < free[best].length)) best = i;
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
    Tables.pools.set(
      this.store,
      free.filter((t) => (slots += t.length) <= KEPT_SLOTS),
    );
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

/**
 * Rows matching every term, in display order (see rankRows). `termCount` is the query's number of
 * terms, for relevance bands; `byTime` is every row, newest first.
 */
export function evaluate(
  store: EventStore,
  terms: readonly PlanTerm[],
  termCount: number,
  byTime: Uint32Array,
  sort: SortOrder,
): Uint32Array {
  const tables = new Tables(store);
  try {
    return evaluateWith(store, terms, termCount, byTime, sort, tables);
  } finally {
    tables.release();
  }
}

function evaluateWith(
  store: EventStore,
  terms: readonly PlanTerm[],
  termCount: number,
  byTime: Uint32Array,
  sort: SortOrder,
  tables: Tables,
): Uint32Array {
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
      checks.push({
        parts: [],
        negate: false,
        after: term.after ?? -Infinity,
        before: term.before ?? Infinity,
        given: 0,
      });
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
    if (cost < driverCost)
      [driverCost, driverRange, driverTerm, driverCheck] = [cost, undefined, term.fields, checks.length - 1];
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
  return orderRows(hitRows.subarray(0, hits), hitScores.subarray(0, hits), termCount, byTime, sort, !!driverRange);
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
function visitPostings(
  ids: Uint32Array,
  offsets: Uint32Array,
  rows: Uint32Array,
  seen: Uint8Array,
  out: Uint32Array,
  w: number,
  scoreTable: Float32Array | undefined,
  scores: Float32Array | undefined,
): number {
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
