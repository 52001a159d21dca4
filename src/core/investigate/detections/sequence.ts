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
import { grow } from '../../store/grow';
import type { EventStore } from '../../store/store';
import type { Correlation } from './ruleKinds';
import { keyReader, type MarkOptions, valueReader } from './groupKeys';
import { certainlyOnce, KeyTable, numericKeys } from './keyTable';

/** A row's steps as bits (bit i: step i matched); 0 for a row no step matched. */
export type StepBits = (row: number) => number;

/**
 * Marks (in `o.fired`, a zeroed mask over the store's rows) the rows that fire. `ordered` holds the
 * candidates oldest first, each with a time; `stepBits` tells the temporal kinds which steps a row matched.
 */
export function correlate(
  store: EventStore,
  ordered: Uint32Array,
  c: Correlation,
  stepBits: StepBits,
  o: MarkOptions = {},
): Uint8Array {
  const fired = o.fired ?? new Uint8Array(store.size);
  const key = keyReader(store, c.groupBy);
  const times = store.timeColumn();
  const windowMs = c.withinMinutes * 60_000;
  const ctx: Ctx = { times, windowMs, fired, min: c.min };
  const index = groupIndex();
  const keys = numericKeys(ordered, key);
  // A group of one event cannot fire when firing takes two events (a count of 2 or more, a
  // sequence in order): those are passed over without a group (most of them, grouped by address).
  // Not for temporal: one event matching two steps is both.
  const once =
    o.sieve !== false && keys && (c.type === 'temporal_ordered' || (c.type !== 'temporal' && c.min >= 2))
      ? certainlyOnce(keys)
      : undefined;
  if (c.type === 'event_count' || c.type === 'value_count') {
    const value = c.type === 'value_count' ? valueReader(store, c.field!) : undefined;
    const groups: Window[] = [];
    for (let i = 0; i < ordered.length; i++) {
      if (once?.[i]) continue;
      const row = ordered[i];
      const k = keys ? keys[i] : key(row);
      if (k === undefined || k !== k) continue;
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
  const seq = new Sequences(steps, c.type === 'temporal_ordered', ordered.length);
  let groups = 0;
  for (let i = 0; i < ordered.length; i++) {
    if (once?.[i]) continue;
    const row = ordered[i];
    const bits = stepBits(row);
    if (bits === 0) continue;
    const k = keys ? keys[i] : key(row);
    if (k === undefined || k !== k) continue;
    const gi = index(k, groups);
    if (gi === groups) seq.reserve(++groups);
    if (c.type === 'temporal_ordered') ordered1(ctx, seq, gi * steps, row, bits);
    else anyOrder(ctx, seq, gi * steps, row, bits);
  }
  return fired;
}

/** Numbers groups by key in order of first appearance: `index(key, next)` answers `next` for a new key. */
function groupIndex(): (key: number | string, next: number) => number {
  // Not sized for the candidates: a table sized for a million keys that holds a few thousand
  // spreads them over tens of megabytes, and its look-ups miss the cache (measured slower).
  const table = new KeyTable();
  const texts = new Map<string, number>();
  return (key, next) => {
    if (typeof key === 'number') return table.intern(key, next);
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

/**
 * The sequences' state in typed arrays, not objects: a group has one slot per step (`at` =
 * group × steps + step). For temporal_ordered a slot holds the best chain ending at that step, a
 * link: when its first step happened, its row, and the link before it (chains share their earlier
 * links, so extending one is one link, not a copy). For temporal a slot holds the step's latest
 * event (its time and row). At a million events nearly every group can be new (a principal and
 * an address): objects per group and per link were most of the time, and of the garbage.
 * Indexes are stored plus one, so 0 is "none" and new arrays need no fill.
 */
class Sequences {
  /** Per slot (temporal_ordered): the chain's link + 1. */
  head = new Int32Array(0);
  /** Per slot (temporal): the step's latest time, and its row + 1. */
  time = new Float64Array(0);
  row = new Int32Array(0);
  linkStart = new Float64Array(0);
  linkRow = new Int32Array(0);
  /** The link before (+ 1). */
  linkPrev = new Int32Array(0);
  links = 0;

  /** `expected`: the candidates, which bound both the groups and the links. */
  constructor(
    readonly steps: number,
    readonly ordered: boolean,
    expected: number,
  ) {
    const n = Math.max(16, Math.min(expected, 1 << 16));
    this.reserve(n);
    if (ordered) this.reserveLinks(n);
  }

  /** Room for `groups` groups. */
  reserve(groups: number): void {
    const need = groups * this.steps;
    const have = this.ordered ? this.head.length : this.row.length;
    if (need <= have) return;
    if (this.ordered) this.head = grow(this.head, need);
    else {
      this.time = grow(this.time, need);
      this.row = grow(this.row, need);
    }
  }

  private reserveLinks(size: number): void {
    this.linkStart = grow(this.linkStart, size);
    this.linkRow = grow(this.linkRow, size);
    this.linkPrev = grow(this.linkPrev, size);
  }

  /** A new link (its index + 1): a chain started at `start`, now at `row`, after `prev` (+ 1; 0: none). */
  link(start: number, row: number, prev: number): number {
    if (this.links === this.linkRow.length) this.reserveLinks(this.links * 2);
    this.linkStart[this.links] = start;
    this.linkRow[this.links] = row;
    this.linkPrev[this.links] = prev;
    return ++this.links;
  }
}

/** temporal_ordered: step i extends the chain that ended at step i − 1 (last step first, so one event is one step). */
function ordered1(ctx: Ctx, s: Sequences, at: number, row: number, bits: number): void {
  const t = ctx.times[row];
  const last = s.steps - 1;
  for (let i = last; i >= 0; i--) {
    if (!(bits & (1 << i))) continue;
    if (i === 0) {
      s.head[at] = s.link(t, row, 0);
      continue;
    }
    const prev = s.head[at + i - 1];
    if (prev === 0) continue;
    const start = s.linkStart[prev - 1];
    if (t - start > ctx.windowMs) continue;
    if (i === last) {
      // A whole chain: its rows fire (this one and the links before it).
      ctx.fired[row] = 1;
      for (let l = prev; l !== 0; l = s.linkPrev[l - 1]) ctx.fired[s.linkRow[l - 1]] = 1;
      continue;
    }
    const cur = s.head[at + i];
    if (cur === 0 || s.linkStart[cur - 1] <= start) s.head[at + i] = s.link(start, row, prev);
  }
}

/** temporal: the latest event of each step; fires when `min` steps fall within the window. */
function anyOrder(ctx: Ctx, s: Sequences, at: number, row: number, bits: number): void {
  const t = ctx.times[row];
  for (let i = 0; i < s.steps; i++)
    if (bits & (1 << i)) {
      s.time[at + i] = t;
      s.row[at + i] = row + 1;
    }
  let inside = 0;
  for (let i = 0; i < s.steps; i++) if (s.row[at + i] !== 0 && t - s.time[at + i] <= ctx.windowMs) inside++;
  if (inside >= ctx.min)
    for (let i = 0; i < s.steps; i++)
      if (s.row[at + i] !== 0 && t - s.time[at + i] <= ctx.windowMs) ctx.fired[s.row[at + i] - 1] = 1;
}
