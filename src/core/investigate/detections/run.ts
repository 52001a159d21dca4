/**
 * Runs detection rules over the loaded events: each rule's queries through the search engine
 * (indexed terms first, path terms on what is left), then its comparison and burst threshold,
 * or its first-seen baseline (firstSeen.ts) or correlation (sequence.ts).
 * The matches become the engine's `detection` row sets, so `detection:<id>` shows them.
 */
import { parseRaw, valuesAt, parsePath } from '../../query/eventPath';
import { parseQuery, QUERY_FIELDS } from '../../query/query';
import type { SearchEngine } from '../../query/search';
import type { EventStore, StringField } from '../../store/store';
import type { Compare, DetectionRule, Threshold } from './rules';
import type { RowNotes } from './ruleKinds';
import { firstSeen } from './firstSeen';
import { oldestOf } from './groupKeys';
import { correlate } from './sequence';
import { impossibleTravel } from './travel';

export interface DetectionResult {
  rule: DetectionRule;
  /** Matching store rows, newest first. */
  rows: Uint32Array;
  /** rows.length: how many events matched. */
  count: number;
  /** Problems running the rule (a query too broad for its path terms); empty when none. */
  errors: string[];
  /** Why each fired row fired, where the rule says more than its queries (impossible travel: how far, how fast). */
  notes?: RowNotes;
}

/** The row-set family detections feed: `detection:<id>`. */
export const DETECTION_SET = 'detection';

/** How often a run hands on what it has found so far (the panel's first results and progress). */
export const BATCH_MS = 100;

/** What a run has done so far: the results of rules `done - results.length` … `done - 1`. */
export interface DetectionBatch {
  results: DetectionResult[];
  done: number;
  total: number;
}

/**
 * Runs every rule, yielding to the event loop between rules so the extension host stays
 * responsive, and names each rule's matches as a `detection` row set in the engine (rules that
 * match nothing too, so their ids are known). Rules run in batches of about BATCH_MS: after each,
 * `onBatch` gets the batch's results and its rules' row sets are in place (the rules not yet run
 * keep the sets of the run before), so a panel can show and open the first results while the
 * rest run. Rejects with the signal's reason when aborted: the rules that ran keep their new sets.
 */
export async function runDetections(
  engine: SearchEngine,
  store: EventStore,
  rules: readonly DetectionRule[],
  signal?: AbortSignal,
  onBatch?: (batch: DetectionBatch) => void,
  batchMs = BATCH_MS,
): Promise<DetectionResult[]> {
  const results: DetectionResult[] = [];
  const sets = new Map(engine.rowSetsOf(DETECTION_SET));
  let flushed = 0;
  let since = performance.now();
  const flush = (): void => {
    if (flushed === results.length) return;
    const batch = results.slice(flushed);
    flushed = results.length;
    since = performance.now();
    for (const r of batch) sets.set(r.rule.id, r.rows);
    engine.setRowSets(DETECTION_SET, sets);
    onBatch?.({ results: batch, done: results.length, total: rules.length });
  };
  for (const rule of rules) {
    signal?.throwIfAborted();
    results.push(runRule(engine, store, rule));
    if (performance.now() - since >= batchMs) flush();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  signal?.throwIfAborted();
  flush();
  engine.setRowSets(DETECTION_SET, new Map(results.map((r) => [r.rule.id, r.rows])));
  return results;
}

/** One rule's matches (synchronous; runDetections is the way to run a library). */
export function runRule(engine: SearchEngine, store: EventStore, rule: DetectionRule): DetectionResult {
  const errors: string[] = [];
  const hit = scratchMask(0, store.size);
  // A sequence's steps are searched one by one: each row learns which steps it matched.
  const steps = rule.correlation?.steps ?? [rule.query];
  const bits = rule.correlation?.steps ? scratchMask(1, store.size) : undefined;
  let hits = 0;
  let only: Uint32Array | undefined;
  let empty = 0;
  for (const [i, step] of steps.entries()) {
    const before = hits;
    for (const q of step) {
      // Path terms only narrow what the indexed terms find, and a query with path terms takes the
      // engine's dense evaluation (milliseconds at 1M events even when nothing is left): when the
      // indexed terms alone find nothing, neither does the query (the bench's 2 s target).
      const parsed = parseQuery(q);
      const indexed = parsed.terms.filter((t) => t.kind !== 'path');
      if (
        indexed.length > 0 &&
        indexed.length < parsed.terms.length &&
        parsed.errors.length === 0 &&
        engine.search({ ...parsed, terms: indexed }, 'newest').rows.length === 0
      )
        continue;
      const r = engine.search(q, 'newest');
      for (const e of r.errors) if (!errors.includes(e)) errors.push(e);
      // A rule whose terms were partly left out would over-match: it reports instead.
      if (r.errors.length > 0) continue;
      if (r.rows.length === 0) continue;
      only = hits === 0 && !bits ? r.rows : undefined;
      hits += r.rows.length;
      for (const row of r.rows) {
        hit[row] = 1;
        if (bits) bits[row] |= 1 << i;
      }
    }
    // A sequence that needs a step nothing matched cannot fire: its other steps are not searched
    // (the usual case: no StopLogging at all, and the step after it is every write). A query
    // error in a step not searched shows once the steps before it match.
    if (hits === before && bits && ++empty > steps.length - stepsNeeded(rule.correlation!))
      return { rule, rows: new Uint32Array(0), count: 0, errors };
  }
  if (rule.firstSeen || rule.correlation || rule.travel) return { rule, ...judged(store, rule, hit, bits), errors };
  let rows: number[] = [];
  // One query's rows are already newest first and distinct; only a union needs the time order's
  // walk (a million rows per rule: most of the library's time at 1M events when every rule did).
  if (only) rows = Array.from(only);
  else if (hits > 0) for (const row of engine.search('', 'newest').rows) if (hit[row]) rows.push(row);
  if (rule.compare) rows = rows.filter(comparer(store, rule.compare));
  if (rule.threshold) rows = bursts(store, rows, rule.threshold);
  const out = Uint32Array.from(rows);
  return { rule, rows: out, count: out.length, errors };
}

/**
 * Buffers runRule reuses from rule to rule (it runs start to end synchronously): the hit, step
 * and fired masks over the store's rows, and the candidates' list. Fresh ones per rule, a few
 * megabytes each at a million events, were page faults and external-memory GCs on every rule.
 */
const scratchMasks: Array<Uint8Array<ArrayBuffer>> = [];
let scratchRows: ArrayBuffer | undefined;

/** Mask `i` (0 hits, 1 steps, 2 fired) of `size` rows, all zero. */
function scratchMask(i: number, size: number): Uint8Array<ArrayBuffer> {
  let m = scratchMasks[i];
  if (m?.length !== size) scratchMasks[i] = m = new Uint8Array(size);
  else m.fill(0);
  return m;
}

/** How many of a sequence's steps must match for it to fire: all in order, or `min` of them in any order. */
function stepsNeeded(c: NonNullable<DetectionRule['correlation']>): number {
  return c.type === 'temporal_ordered' ? c.steps!.length : c.min;
}

/**
 * First-seen and correlation rules judge candidates (`hit`) against each other: walked oldest
 * first straight from the store's time order, as masks, never as lists of a million numbers.
 */
function judged(
  store: EventStore,
  rule: DetectionRule,
  hit: Uint8Array,
  bits: Uint8Array | undefined,
): { rows: Uint32Array; count: number; notes?: RowNotes } {
  const keep = rule.compare ? comparer(store, rule.compare) : undefined;
  const ordered = oldestOf(store, keep ? (row) => hit[row] === 1 && keep(row) : (row) => hit[row] === 1, scratchRows);
  scratchRows = ordered.buffer as ArrayBuffer;
  const fired = scratchMask(2, store.size);
  let notes: RowNotes | undefined;
  if (rule.travel) notes = impossibleTravel(store, ordered, rule.travel, { fired }).notes;
  else if (rule.firstSeen) firstSeen(store, ordered, rule.firstSeen, { fired });
  else correlate(store, ordered, rule.correlation!, bits ? (row) => bits[row] : () => 1, { fired });
  // Only candidates fire, and `ordered` is the time order's candidates oldest first: walked
  // backwards it gives the fired rows newest first, without a walk of every loaded row.
  let n = 0;
  for (let i = 0; i < ordered.length; i++) if (fired[ordered[i]]) n++;
  const rows = new Uint32Array(n);
  for (let i = ordered.length - 1, j = 0; i >= 0; i--) if (fired[ordered[i]]) rows[j++] = ordered[i];
  return notes ? { rows, count: n, notes } : { rows, count: n };
}

/** Reads the values a field name or path names, for one row (lower-cased, empty ones dropped). */
function valueReader(store: EventStore, name: string): (row: number) => string[] {
  const fields = QUERY_FIELDS.get(name.toLowerCase()) as readonly StringField[] | undefined;
  if (fields) {
    // `principal` reads the short name and the ARN: two alice users in two accounts stay apart.
    return (row) => fields.map((f) => store.value(f, row).toLowerCase()).filter((v) => v !== '');
  }
  const segments = parsePath(name, true) ?? [];
  return (row) =>
    valuesAt(parseRaw(store.raw(row)), segments)
      .filter((v) => v !== '')
      .map((v) => v.toLowerCase());
}

function comparer(store: EventStore, compare: Compare): (row: number) => boolean {
  if ('equals' in compare) {
    const readA = valueReader(store, compare.equals[0]);
    const readB = valueReader(store, compare.equals[1]);
    const keep = !compare.negate;
    return (row) => {
      const bs = readB(row);
      return readA(row).some((va) => bs.includes(va)) === keep;
    };
  }
  const contains = 'notContains' in compare;
  const [a, b] = contains ? compare.notContains : compare.differs;
  const readA = valueReader(store, a);
  const readB = valueReader(store, b);
  return (row) => {
    const bs = readB(row);
    return readA(row).some((va) => (contains ? !bs.some((vb) => va.includes(vb)) : !bs.includes(va)));
  };
}

/**
 * The rows inside any window of `withinMinutes` holding at least `count` rows with the same `by`
 * value, newest first. Linear after sorting: each group is swept once with two pointers. Rows
 * without a time cannot be placed in a window and never count.
 */
function bursts(store: EventStore, rows: number[], t: Threshold): number[] {
  const key = t.by ? valueReader(store, t.by) : (): string[] => [];
  const groups = new Map<string, number[]>();
  for (const row of rows) {
    if (Number.isNaN(store.time(row))) continue;
    const k = key(row).join('\u0000');
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(row);
  }
  const windowMs = t.withinMinutes * 60_000;
  const kept = new Set<number>();
  for (const g of groups.values()) {
    g.sort((x, y) => store.time(x) - store.time(y));
    let start = 0;
    let markedTo = -1;
    for (let end = 0; end < g.length; end++) {
      while (store.time(g[end]) - store.time(g[start]) > windowMs) start++;
      if (end - start + 1 >= t.count) {
        for (let i = Math.max(start, markedTo + 1); i <= end; i++) kept.add(g[i]);
        markedTo = end;
      }
    }
  }
  return rows.filter((r) => kept.has(r));
}
