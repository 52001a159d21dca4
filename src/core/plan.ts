/**
 * Evaluating a query over a million rows without touching each row per term. The term expected
 * to match fewest rows drives: only its rows (from the inverted index, or a slice of the time
 * order) are visited, and each visited row is checked against the other terms through per-value
 * score tables (one array read per field). Results, order and scores are those of the dense
 * evaluation in search.ts (one Float32Array per term over all rows), which stays for term kinds
 * this file does not know.
 */
import type { SortOrder } from '../protocol/logViewer';
import { rankRows } from './rank';
import type { EventStore, IndexedField, StringField } from './store';
import type { ValueMatch } from './vocabulary';

/** A term resolved to matched values per field, or a time range. */
export type PlanTerm =
  | { kind: 'values'; negate: boolean; fields: ReadonlyMap<IndexedField, ReadonlyMap<number, ValueMatch>> }
  | { kind: 'time'; after?: number; before?: number };

/** A term compiled to a per-row score: Infinity for no match. */
type RowScore = (row: number) => number;

function compileValues(store: EventStore, fields: ReadonlyMap<IndexedField, ReadonlyMap<number, ValueMatch>>): RowScore | undefined {
  const parts: RowScore[] = [];
  for (const [field, matches] of fields) {
    if (matches.size === 0) continue;
    const table = new Float32Array(store.dictionary(field).size).fill(Infinity);
    for (const [id, m] of matches) if (m.score < table[id]) table[id] = m.score;
    if (field === 'resources') {
      parts.push((row) => {
        let best = Infinity;
        for (const id of store.resourceValueIds(row)) if (table[id] < best) best = table[id];
        return best;
      });
    } else {
      const column = store.column(field as StringField);
      parts.push((row) => table[column[row]]);
    }
  }
  if (parts.length === 0) return undefined;
  if (parts.length === 1) return parts[0];
  return (row) => {
    let best = Infinity;
    for (const p of parts) {
      const s = p(row);
      if (s < best) best = s;
    }
    return best;
  };
}

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
  const n = store.size;
  const times = store.timeColumn();
  const checks: Array<{ score: RowScore; negate: boolean }> = [];
  let driver: (visit: (row: number) => void) => void = (visit) => {
    for (let r = 0; r < n; r++) visit(r);
  };
  let driverCost = n;
  for (const term of terms) {
    if (term.kind === 'time') {
      const after = term.after ?? -Infinity;
      const before = term.before ?? Infinity;
      checks.push({ score: (row) => (times[row] >= after && times[row] < before ? 0 : Infinity), negate: false });
      // Rows at positions [lo, hi) have after ≤ time < before (rows without a time sort last,
      // and nothing is below -Infinity but them).
      const lo = firstBelow(times, byTime, before);
      const hi = Math.max(lo, firstBelow(times, byTime, after));
      if (hi - lo < driverCost) {
        driverCost = hi - lo;
        driver = (visit) => {
          for (let i = lo; i < hi; i++) visit(byTime[i]);
        };
      }
      continue;
    }
    const score = compileValues(store, term.fields);
    if (!score) {
      // Nothing matched: a positive term admits no row; an excluding one excludes none.
      if (term.negate) continue;
      return new Uint32Array(0);
    }
    checks.push({ score, negate: term.negate });
    if (term.negate) continue;
    let cost = 0;
    for (const [field, matches] of term.fields) {
      const index = store.dictionary(field).postings();
      for (const id of matches.keys()) cost += index.of(id).length;
    }
    if (cost < driverCost) {
      driverCost = cost;
      driver = (visit) => {
        const seen = new Uint8Array(n);
        for (const [field, matches] of term.fields) {
          const index = store.dictionary(field).postings();
          for (const id of matches.keys()) {
            for (const row of index.of(id)) {
              if (seen[row]) continue;
              seen[row] = 1;
              visit(row);
            }
          }
        }
      };
    }
  }
  const hitRows: number[] = [];
  const hitScores: number[] = [];
  driver((row) => {
    let total = 0;
    for (const c of checks) {
      let s = c.score(row);
      if (c.negate) s = s === Infinity ? 0 : Infinity;
      if (s === Infinity) return;
      // Summed in float32, as the dense evaluation's Float32Array does, so relevance bands agree.
      total = Math.fround(total + s);
    }
    hitRows.push(row);
    hitScores.push(total);
  });
  return order(hitRows, hitScores, termCount, byTime, sort);
}

/**
 * Puts the matching rows in display order. Few: sort their positions in the time order. Many:
 * spread their scores over those positions and read them back in one sequential pass.
 */
function order(rows: number[], scores: number[], termCount: number, byTime: Uint32Array, sort: SortOrder): Uint32Array {
  const k = rows.length;
  const rank = rankOf(byTime);
  if (k * Math.log2(k + 2) > byTime.length) {
    const byPosition = new Float32Array(byTime.length).fill(Infinity);
    for (let i = 0; i < k; i++) byPosition[rank[rows[i]]] = scores[i];
    // rankRows over positions (the identity order), mapped back to rows.
    const positions = rankRows(byPosition, identity(byTime.length), termCount, sort);
    for (let i = 0; i < positions.length; i++) positions[i] = byTime[positions[i]];
    return positions;
  }
  // Band above position in one exactly representable number: sorting the keys sorts by band, then time.
  const keys = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const band = sort === 'relevance' ? Math.max(0, Math.round((scores[i] / termCount) * 20)) : 0;
    keys[i] = band * 2 ** 32 + rank[rows[i]];
  }
  keys.sort();
  const out = new Uint32Array(k);
  for (let i = 0; i < k; i++) out[i] = byTime[keys[i] % 2 ** 32];
  return sort === 'oldest' ? out.reverse() : out;
}

let identityCache = new Uint32Array(0);
/** 0, 1, … n-1 (shared: do not modify). */
function identity(n: number): Uint32Array {
  if (identityCache.length !== n) identityCache = Uint32Array.from({ length: n }, (_, i) => i);
  return identityCache;
}
