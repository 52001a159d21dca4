/**
 * Correlation rules over a window, per group (ruleKinds.ts): event_count, value_count, temporal
 * and temporal_ordered, with Sigma's meaning. Every kind walks the candidates once, oldest
 * first, keeping per group only what its window needs: the rows inside the window for the counts
 * (dropped as the window moves on), one chain per step for the sequences. So a group costs
 * O(steps) or O(events in its window), never the whole history.
 *
 * What fires: for counts, every event inside a window that meets the condition; for sequences,
 * the events of each complete chain (for temporal_ordered the latest-starting chain, so a step
 * repeated before the next is the one closest to it).
 */
import type { EventStore } from '../../store/store';
import type { Correlation } from './ruleKinds';
import { keyReader, valueReader } from './groupKeys';
import { KeyTable } from './keyTable';

/** A row's steps as bits (bit i: step i matched); 0 for a row no step matched. */
export type StepBits = (row: number) => number;

/**
 * Marks (in a mask over the store's rows) the rows that fire. `ordered` holds the candidates
 * oldest first, each with a time; `stepBits` tells the temporal kinds which steps a row matched.
 */
export function correlate(store: EventStore, ordered: Uint32Array, c: Correlation, stepBits: StepBits): Uint8Array {
  const fired = new Uint8Array(store.size);
  const key = keyReader(store, c.groupBy);
  const times = store.timeColumn();
  const windowMs = c.withinMinutes * 60_000;
  const ctx: Ctx = { times, windowMs, fired, min: c.min };
  const index = groupIndex();
  if (c.type === 'event_count' || c.type === 'value_count') {
    const value = c.type === 'value_count' ? valueReader(store, c.field!) : undefined;
    const groups: Window[] = [];
    for (const row of ordered) {
      const k = key(row);
      if (k === undefined) continue;
      let v = '';
      if (value && !(v = value(row))) continue;
      const gi = index(k, groups.length);
      if (gi === groups.length)
        groups.push({ rows: [], values: [], start: 0, marked: -1, counts: value ? new Map() : undefined });
      slide(ctx, groups[gi], row, v);
    }
    return fired;
  }
  const steps = c.steps!.length;
  const groups: Chains[] = [];
  for (const row of ordered) {
    const bits = stepBits(row);
    if (bits === 0) continue;
    const k = key(row);
    if (k === undefined) continue;
    const gi = index(k, groups.length);
    if (gi === groups.length) groups.push(new Array<Chain | undefined>(steps).fill(undefined));
    const g = groups[gi];
    if (c.type === 'temporal_ordered') ordered1(ctx, g, row, bits);
    else anyOrder(ctx, g, row, bits);
  }
  return fired;
}

/** Numbers groups by key in order of first appearance: `index(key, next)` answers `next` for a new key. */
function groupIndex(): (key: number | string, next: number) => number {
  const table = new KeyTable();
  const texts = new Map<string, number>();
  return (key, next) => {
    if (typeof key === 'number') {
      const i = table.get(key, -1);
      if (i >= 0) return i;
      table.swap(key, next, -1);
      return next;
    }
    const i = texts.get(key);
    if (i !== undefined) return i;
    texts.set(key, next);
    return next;
  };
}

interface Ctx {
  times: Float64Array;
  windowMs: number;
  fired: Uint8Array;
  min: number;
}

/** A count's window of one group: rows[start..] are inside it; `marked` the last index flagged. */
interface Window {
  rows: number[];
  values: string[];
  start: number;
  marked: number;
  counts?: Map<string, number>;
}

function slide(ctx: Ctx, g: Window, row: number, value: string): void {
  const t = ctx.times[row];
  g.rows.push(row);
  if (g.counts) {
    g.values.push(value);
    g.counts.set(value, (g.counts.get(value) ?? 0) + 1);
  }
  while (t - ctx.times[g.rows[g.start]] > ctx.windowMs) {
    if (g.counts) {
      const v = g.values[g.start];
      const n = g.counts.get(v)! - 1;
      if (n === 0) g.counts.delete(v);
      else g.counts.set(v, n);
    }
    g.start++;
  }
  const end = g.rows.length - 1;
  const size = g.counts ? g.counts.size : end - g.start + 1;
  if (size >= ctx.min) {
    for (let i = Math.max(g.start, g.marked + 1); i <= end; i++) ctx.fired[g.rows[i]] = 1;
    g.marked = end;
  }
  // Rows that left the window are dropped now and then, so memory follows the window, not the history.
  if (g.start > 1024 && g.start * 2 > g.rows.length) {
    g.rows.splice(0, g.start);
    if (g.counts) g.values.splice(0, g.start);
    g.marked -= g.start;
    g.start = 0;
  }
}

/** A partial sequence: when its first step happened, its last row, and the chain before it. */
interface Chain {
  start: number;
  row: number;
  prev?: Chain;
}
type Chains = Array<Chain | undefined>;

function mark(ctx: Ctx, chain: Chain | undefined): void {
  for (let c = chain; c; c = c.prev) ctx.fired[c.row] = 1;
}

/** temporal_ordered: step i extends the chain that ended at step i − 1 (last step first, so one event is one step). */
function ordered1(ctx: Ctx, g: Chains, row: number, bits: number): void {
  const t = ctx.times[row];
  const last = g.length - 1;
  for (let i = last; i >= 0; i--) {
    if (!(bits & (1 << i))) continue;
    if (i === 0) {
      g[0] = { start: t, row };
      continue;
    }
    const prev = g[i - 1];
    if (!prev || t - prev.start > ctx.windowMs) continue;
    // Chains share their earlier links: extending one is one object, not a copy.
    const chain = { start: prev.start, row, prev };
    if (i === last) {
      mark(ctx, chain);
      continue;
    }
    const cur = g[i];
    if (!cur || cur.start <= chain.start) g[i] = chain;
  }
}

/** temporal: the latest event of each step; fires when `min` steps fall within the window. */
function anyOrder(ctx: Ctx, g: Chains, row: number, bits: number): void {
  const t = ctx.times[row];
  for (let i = 0; i < g.length; i++) if (bits & (1 << i)) g[i] = { start: t, row };
  let inside = 0;
  for (const c of g) if (c && t - c.start <= ctx.windowMs) inside++;
  if (inside >= ctx.min) for (const c of g) if (c && t - c.start <= ctx.windowMs) ctx.fired[c.row] = 1;
}
