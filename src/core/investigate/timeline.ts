/**
 * The timeline above the table: a histogram of the current result set over time, with errors
 * counted apart so the view can stack them. Bucket sizes are "nice" durations (1 s … 30 d) chosen
 * so the range fills at most `maxBuckets` bars, aligned to UTC multiples of the size, so a bar's
 * bounds read well as a time filter.
 */
import type { Timeline } from '../../protocol/logViewer';
import { queryWords } from '../query/query';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Candidate bucket sizes, smallest first. */
export const BUCKET_SIZES = [
  SECOND,
  5 * SECOND,
  10 * SECOND,
  30 * SECOND,
  MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  7 * DAY,
  30 * DAY,
] as const;

export const DEFAULT_MAX_BUCKETS = 120;

/** The smallest nice size that covers [min, max] in at most `maxBuckets` aligned buckets. */
export function chooseBucketSize(min: number, max: number, maxBuckets = DEFAULT_MAX_BUCKETS): number {
  for (const size of BUCKET_SIZES) {
    const first = Math.floor(min / size);
    const last = Math.floor(max / size);
    if (last - first + 1 <= maxBuckets) return size;
  }
  // Beyond 30-day bars (years of logs): grow in whole 30-day steps.
  const span = max - min;
  return Math.ceil(span / (maxBuckets - 1) / (30 * DAY)) * 30 * DAY;
}

/**
 * Buckets `rows` by time. `time(row)` is epoch ms or NaN (no time: counted in `noTime`, not drawn);
 * `isError(row)` says whether the event failed.
 */
export function buildTimeline(
  rows: ArrayLike<number>,
  time: (row: number) => number,
  isError: (row: number) => boolean,
  maxBuckets = DEFAULT_MAX_BUCKETS,
): Timeline {
  let min = Infinity;
  let max = -Infinity;
  let noTime = 0;
  for (let i = 0; i < rows.length; i++) {
    const t = time(rows[i]);
    if (Number.isNaN(t)) {
      noTime++;
      continue;
    }
    if (t < min) min = t;
    if (t > max) max = t;
  }
  if (min === Infinity) return { start: 0, bucketMs: 0, counts: [], errors: [], noTime };
  const bucketMs = chooseBucketSize(min, max, maxBuckets);
  const start = Math.floor(min / bucketMs) * bucketMs;
  const n = Math.floor((max - start) / bucketMs) + 1;
  const counts = new Array<number>(n).fill(0);
  const errors = new Array<number>(n).fill(0);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const t = time(r);
    if (Number.isNaN(t)) continue;
    const b = Math.floor((t - start) / bucketMs);
    counts[b]++;
    if (isError(r)) errors[b]++;
  }
  return { start, bucketMs, counts, errors, noTime };
}

/** A short name for a bucket size ("5 min", "1 h", "7 d"). */
export function describeBucket(ms: number): string {
  if (ms >= DAY && ms % DAY === 0) return `${ms / DAY} d`;
  if (ms >= HOUR && ms % HOUR === 0) return `${ms / HOUR} h`;
  if (ms >= MINUTE && ms % MINUTE === 0) return `${ms / MINUTE} min`;
  return `${ms / SECOND} s`;
}

/** Epoch ms → the compact UTC form the query language reads (`2024-03-01T10:05:00Z`). */
export function queryInstant(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

const TIME_WORD = /^(after|before|last):/i;

/**
 * `query` with its time terms (after:, before:, last:) replaced by [from, to) (rounded out to whole
 * seconds, the language's precision): a timeline selection or zoom narrows the time and keeps
 * every other term.
 */
export function withTimeRange(query: string, from: number, to: number): string {
  const kept = withoutTimeRange(query);
  const range = `after:${queryInstant(Math.floor(from / SECOND) * SECOND)} before:${queryInstant(Math.ceil(to / SECOND) * SECOND)}`;
  return kept ? `${kept} ${range}` : range;
}

/** `query` without its time terms (the timeline's "reset zoom"). */
export function withoutTimeRange(query: string): string {
  return queryWords(query)
    .filter((w) => !TIME_WORD.test(w))
    .join(' ');
}

/** Whether the query has a time term (so the timeline offers to reset it). */
export function hasTimeRange(query: string): boolean {
  return queryWords(query).some((w) => TIME_WORD.test(w));
}

/** One axis label: which bar boundary it marks, where its text sits, and how it is anchored. */
export interface AxisTick {
  index: number;
  x: number;
  anchor: 'start' | 'middle' | 'end';
}

/**
 * Which of the timeline's bar boundaries (0…n) get a label, so that no two labels overlap in a
 * chart `width` pixels wide: the start always (when it fits), the end when it fits beside it,
 * then evenly spaced ones between while they keep `gap` pixels apart. `textWidth(i)` is the
 * label's width in pixels (the caller measures or estimates it).
 */
export function axisTicks(n: number, width: number, textWidth: (index: number) => number, gap = 12): AxisTick[] {
  if (n <= 0 || width <= 0) return [];
  const slot = width / n;
  const span = (t: AxisTick): [number, number] => {
    const w = textWidth(t.index);
    return t.anchor === 'start' ? [t.x, t.x + w] : t.anchor === 'end' ? [t.x - w, t.x] : [t.x - w / 2, t.x + w / 2];
  };
  const tick = (i: number): AxisTick => ({
    index: i,
    x: Math.min(width - 2, Math.max(2, i * slot)),
    anchor: i === 0 ? 'start' : i === n ? 'end' : 'middle',
  });
  const fits = (t: AxisTick, placed: AxisTick[]): boolean => {
    const [a, b] = span(t);
    if (a < 0 || b > width) return false;
    return placed.every((p) => {
      const [c, d] = span(p);
      return b + gap <= c || d + gap <= a;
    });
  };
  const placed: AxisTick[] = [];
  for (const i of [0, n]) {
    const t = tick(i);
    if (fits(t, placed)) placed.push(t);
  }
  // Between: the most labels, evenly spaced, that all fit (halving the step until they do).
  for (let parts = Math.min(n, 8); parts >= 2; parts = Math.floor(parts / 2)) {
    const inner: AxisTick[] = [];
    for (let k = 1; k < parts; k++) inner.push(tick(Math.round((k * n) / parts)));
    const unique = inner.filter(
      (t, i) => t.index !== 0 && t.index !== n && inner.findIndex((u) => u.index === t.index) === i,
    );
    const trial: AxisTick[] = [...placed];
    if (unique.every((t) => fits(t, trial) && trial.push(t) > 0)) return trial.sort((a, b) => a.index - b.index);
  }
  return placed.sort((a, b) => a.index - b.index);
}
