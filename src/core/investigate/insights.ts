/**
 * Insights, locally: hours in which an API was called, or failed, far more often than usual —
 * the counterpart of CloudTrail Insights' ApiCallRateInsight and ApiErrorRateInsight.
 *
 * CloudTrail Insights takes as its baseline the average calls (or errors) per minute of one API in
 * the seven days before, and reports a period that deviates significantly from it. A local log has
 * no "before", only the range loaded, and averages are dragged up by the very burst sought, so the
 * baseline here is robust: for each API (event source + event name) and each UTC hour of the loaded
 * range (hours without calls count as 0),
 *
 *   baseline = median of the hourly counts, spread = max(1.4826 × MAD, √max(baseline, 1)),
 *   score = (observed − baseline) / spread,
 *
 * where the √ floor is the Poisson noise of a count, so a quiet API's first few calls are not
 * "infinitely" unusual. An hour is an anomaly when its score reaches `threshold`, it holds at least
 * `minCalls` calls (`minErrors` errors) and `minRatio` × the baseline. At least `minHours` hours must
 * be loaded for a baseline to mean anything (CloudTrail waits for 7 days; a day is the default).
 * CloudTrail's call rate counts write calls only (here: `writeOnly`) and its error rate is kept per
 * error code; here all of an API's errors count together, the codes being one click away.
 *
 * Cost: one pass over the rows, a counting sort by API and a typed-array sort per API: no object
 * per event.
 */
import { fieldTerm } from '../query/query';
import { queryInstant } from './sessions';
import type { EventStore } from '../store/store';

export type InsightKind = 'callRate' | 'errorRate';

export interface Anomaly {
  kind: InsightKind;
  eventSource: string;
  eventName: string;
  /** Start of the UTC hour, epoch ms. */
  hour: number;
  /** Calls (callRate) or errors (errorRate) in that hour. */
  observed: number;
  /** Median calls (errors) per hour over the loaded range. */
  baseline: number;
  /** The robust spread the score is measured in. */
  spread: number;
  /** (observed − baseline) / spread: the severity, higher first. */
  score: number;
  /** Calls in that hour, errors included (write calls only with `writeOnly`). */
  calls: number;
  /** Selects the hour's calls (errorRate: its failed calls); undefined if not writable exactly. */
  query?: string;
}

export interface InsightsOptions {
  /** Score an hour must reach (default 5). */
  threshold?: number;
  /** Fewest calls in an hour for a call-rate anomaly (default 20). */
  minCalls?: number;
  /** Fewest errors in an hour for an error-rate anomaly (default 10). */
  minErrors?: number;
  /** The observed count must be at least this many times the baseline (default 2). */
  minRatio?: number;
  /** Fewest hours the rows must span (default 24). */
  minHours?: number;
  /** Most anomalies returned (default 100). */
  limit?: number;
  /**
   * Call rate of write calls only (readOnly not true), as CloudTrail's ApiCallRateInsight does.
   * Off by default: locally, a burst of List/Describe calls is reconnaissance worth seeing.
   */
  writeOnly?: boolean;
}

export interface InsightsResult {
  /** Highest score first, at most `limit`. */
  anomalies: Anomaly[];
  /** Anomalies found before the limit. */
  total: number;
  /** First hour, and the number of hours holding events (0 when no row has a time). */
  start: number;
  hours: number;
  /** APIs (event source + name) analysed. */
  apis: number;
  /** Why nothing could be analysed, for the user. */
  note?: string;
}

const HOUR = 3_600_000;

/** The median of `sorted` (ascending) together with `copies` copies of `pad`, without building the merged list. */
function medianWith(sorted: Float64Array, pad: number, copies: number): number {
  const n = sorted.length + copies;
  // Where the padding sits in the merged order: before the first value not below it.
  let p = 0;
  while (p < sorted.length && sorted[p] < pad) p++;
  const at = (i: number): number => (i < p ? sorted[i] : i < p + copies ? pad : sorted[i - copies]);
  return n % 2 ? at((n - 1) / 2) : (at(n / 2 - 1) + at(n / 2)) / 2;
}

/** Baseline and spread of a series given by its nonzero counts and its length in hours. */
function robust(nonzero: Float64Array, hours: number): { baseline: number; spread: number } {
  const counts = nonzero.slice().sort();
  const zeros = hours - counts.length;
  const baseline = medianWith(counts, 0, zeros);
  const deviations = counts.map((c) => Math.abs(c - baseline)).sort();
  const mad = medianWith(deviations, baseline, zeros);
  return { baseline, spread: Math.max(1.4826 * mad, Math.sqrt(Math.max(baseline, 1))) };
}

/** The query selecting one API's calls (or errors) in one hour. */
function hourQuery(
  kind: InsightKind,
  source: string,
  name: string,
  hour: number,
  writeOnly: boolean,
): string | undefined {
  // The parser trims values: a padded name could not be selected exactly.
  if (source !== source.trim() || name !== name.trim()) return undefined;
  const after = queryInstant(hour);
  const before = queryInstant(hour + HOUR);
  if (!after || !before) return undefined;
  return `${fieldTerm('eventSource', source)} ${fieldTerm('eventName', name)} after:${after} before:${before}${kind === 'errorRate' ? ' error:*' : writeOnly ? ' -readOnly:true' : ''}`;
}

/** Rows grouped by API, each group's codes (hour index × 4, + 1 when failed, + 2 when read-only) sorted ascending. */
function groupByApi(
  store: EventStore,
  rows: Uint32Array,
  firstHour: number,
): { apis: number[]; offsets: Uint32Array; codes: Float64Array } {
  const names = store.dictionary('eventName').size;
  const noError = store.dictionary('errorCode').idOf('');
  const readOnly = store.dictionary('readOnly').idOf('true');
  const apiIndex = new Map<number, number>();
  const apis: number[] = [];
  const apiOfRow = new Int32Array(rows.length).fill(-1);
  const counts: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (Number.isNaN(store.time(r))) continue;
    const key = store.valueId('eventSource', r) * names + store.valueId('eventName', r);
    let a = apiIndex.get(key);
    if (a === undefined) {
      apiIndex.set(key, (a = apis.length));
      apis.push(key);
      counts.push(0);
    }
    apiOfRow[i] = a;
    counts[a]++;
  }
  const offsets = new Uint32Array(apis.length + 1);
  for (let a = 0; a < apis.length; a++) offsets[a + 1] = offsets[a] + counts[a];
  const fill = offsets.slice(0, apis.length);
  const codes = new Float64Array(offsets[apis.length]);
  for (let i = 0; i < rows.length; i++) {
    const a = apiOfRow[i];
    if (a < 0) continue;
    const r = rows[i];
    const failed = store.valueId('errorCode', r) !== noError ? 1 : 0;
    const read = store.valueId('readOnly', r) === readOnly ? 2 : 0;
    codes[fill[a]++] = (Math.floor(store.time(r) / HOUR) - firstHour) * 4 + read + failed;
  }
  for (let a = 0; a < apis.length; a++) codes.subarray(offsets[a], offsets[a + 1]).sort();
  return { apis, offsets, codes };
}

/** The range of whole UTC hours the timed rows cover. */
function hourRange(store: EventStore, rows: Uint32Array): { start: number; hours: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of rows) {
    const t = store.time(r);
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  if (lo === Infinity) return { start: 0, hours: 0 };
  const first = Math.floor(lo / HOUR);
  return { start: first * HOUR, hours: Math.floor(hi / HOUR) - first + 1 };
}

/** Anomalous hours per API among `rows` (a result set), most severe first. */
export function findInsights(store: EventStore, rows: Uint32Array, options: InsightsOptions = {}): InsightsResult {
  const threshold = options.threshold ?? 5;
  const minCalls = options.minCalls ?? 20;
  const minErrors = options.minErrors ?? 10;
  const minRatio = options.minRatio ?? 2;
  const minHours = options.minHours ?? 24;
  const limit = options.limit ?? 100;
  const writeOnly = options.writeOnly ?? false;
  const { start, hours } = hourRange(store, rows);
  const { apis, offsets, codes } = groupByApi(store, rows, start / HOUR);
  // Baselines count the hours the logs cover, not the whole span: two loaded periods months
  // apart (or one event with a bogus time) would otherwise pad every series with empty hours,
  // pull every median to 0 and flag every busy hour.
  const covered = coveredHours(codes, hours);
  if (covered < minHours) {
    const span = covered === 0 ? 'no events with a time' : `${covered} hour${covered === 1 ? '' : 's'}`;
    return {
      anomalies: [],
      total: 0,
      start,
      hours: covered,
      apis: 0,
      note: `Insights compare each hour with the others, so they need events in at least ${minHours} hours (these cover ${span}).`,
    };
  }
  const names = store.dictionary('eventName');
  const sources = store.dictionary('eventSource');
  const found: Anomaly[] = [];
  let total = 0;
  const keep = (): void => {
    // Bounded: sort and trim whenever the list grows well past the limit.
    if (found.length > 4 * limit + 100) found.sort(bySeverity).length = limit;
  };
  for (let a = 0; a < apis.length; a++) {
    // Run-length: distinct hours with their call and error counts.
    const hourIdx: number[] = [];
    const calls: number[] = [];
    const errors: number[] = [];
    for (let i = offsets[a]; i < offsets[a + 1]; i++) {
      const h = Math.floor(codes[i] / 4);
      if (hourIdx.length === 0 || hourIdx[hourIdx.length - 1] !== h) {
        hourIdx.push(h);
        calls.push(0);
        errors.push(0);
      }
      const flags = codes[i] % 4;
      if (!writeOnly || flags < 2) calls[calls.length - 1]++;
      if (flags % 2) errors[errors.length - 1]++;
    }
    const source = sources.values[Math.floor(apis[a] / names.size)];
    const name = names.values[apis[a] % names.size];
    for (const kind of ['callRate', 'errorRate'] as const) {
      const series = kind === 'callRate' ? calls : errors;
      const least = kind === 'callRate' ? minCalls : minErrors;
      if (!series.some((c) => c >= least)) continue;
      const { baseline, spread } = robust(Float64Array.from(series.filter((c) => c > 0)), covered);
      series.forEach((observed, j) => {
        const score = (observed - baseline) / spread;
        if (observed < least || score < threshold || observed < minRatio * baseline) return;
        const hour = start + hourIdx[j] * HOUR;
        const anomaly: Anomaly = {
          kind,
          eventSource: source,
          eventName: name,
          hour,
          observed,
          baseline,
          spread,
          score,
          calls: calls[j],
        };
        const query = hourQuery(kind, source, name, hour, writeOnly);
        if (query) anomaly.query = query;
        found.push(anomaly);
        total++;
      });
      keep();
    }
  }
  found.sort(bySeverity);
  return { anomalies: found.slice(0, limit), total, start, hours: covered, apis: apis.length };
}

/** Distinct hours holding at least one event (codes: hour index × 4 + flags). */
function coveredHours(codes: Float64Array, span: number): number {
  if (span <= 10_000_000) {
    const seen = new Uint8Array(span);
    let n = 0;
    for (const c of codes) {
      const h = Math.floor(c / 4);
      if (!seen[h]) {
        seen[h] = 1;
        n++;
      }
    }
    return n;
  }
  return new Set(Array.from(codes, (c) => Math.floor(c / 4))).size;
}

function bySeverity(a: Anomaly, b: Anomaly): number {
  return (
    b.score - a.score ||
    b.observed - a.observed ||
    a.hour - b.hour ||
    (a.eventName < b.eventName ? -1 : a.eventName > b.eventName ? 1 : 0)
  );
}

export interface HourlySeries {
  /** Start of the first hour, epoch ms. */
  start: number;
  /** Calls and errors per hour from `start`. */
  calls: Uint32Array;
  errors: Uint32Array;
  /** True when the range was longer than `maxHours` and only its last hours are given. */
  clipped: boolean;
}

/**
 * One API's calls and errors per UTC hour over the range of `rows` (for drawing the baseline next
 * to an anomaly). At most `maxHours` hours, the latest ones.
 */
export function hourlySeries(
  store: EventStore,
  rows: Uint32Array,
  eventSource: string,
  eventName: string,
  maxHours = 24 * 92,
): HourlySeries {
  const range = hourRange(store, rows);
  const hours = Math.min(range.hours, maxHours);
  const start = range.start + (range.hours - hours) * HOUR;
  const calls = new Uint32Array(hours);
  const errors = new Uint32Array(hours);
  const src = store.dictionary('eventSource').idOf(eventSource);
  const name = store.dictionary('eventName').idOf(eventName);
  const noError = store.dictionary('errorCode').idOf('');
  if (src !== undefined && name !== undefined) {
    for (const r of rows) {
      if (store.valueId('eventName', r) !== name || store.valueId('eventSource', r) !== src) continue;
      const h = Math.floor((store.time(r) - start) / HOUR);
      if (!(h >= 0 && h < hours)) continue;
      calls[h]++;
      if (store.valueId('errorCode', r) !== noError) errors[h]++;
    }
  }
  return { start, calls, errors, clipped: hours < range.hours };
}
