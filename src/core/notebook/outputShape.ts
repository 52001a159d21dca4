/**
 * A saved query output read field by field: the notebook file's parser and the notebook renderer
 * both read outputs with this (a tampered file may hold anything), so it touches no Node API and
 * is bundled into the renderer (architecture test, BROWSER_SAFE).
 */
import { SEVERITIES } from '../../protocol/logViewer';
import type { OutputDetection, OutputTimeline, QueryOutput } from '../../protocol/notebook';

/** Rows a query cell's output keeps (the first ones, in the cell's order). */
export const OUTPUT_ROWS = 50;

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
export const text = (v: unknown, max = 1_000_000): string => (typeof v === 'string' ? v.slice(0, max) : '');
export const count = (v: unknown): number =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0;

/** Buckets a saved timeline keeps at most (the cell's timeline is re-binned to fit). */
export const TIMELINE_BUCKETS = 60;
/** Detections a saved output lists at most. */
export const OUTPUT_DETECTIONS = 20;
const SEVERITY_NAMES: ReadonlySet<string> = new Set(SEVERITIES);

function parseTimeline(v: unknown): OutputTimeline | undefined {
  if (!isObject(v) || !Array.isArray(v.counts)) return undefined;
  const start = typeof v.start === 'number' && Number.isFinite(v.start) ? v.start : NaN;
  const bucketMs = count(v.bucketMs);
  if (Number.isNaN(start) || bucketMs <= 0) return undefined;
  const counts = v.counts.slice(0, TIMELINE_BUCKETS).map(count);
  const errors = (Array.isArray(v.errors) ? v.errors.slice(0, counts.length) : []).map(count);
  while (errors.length < counts.length) errors.push(0);
  return { start, bucketMs, counts, errors: errors.map((e, i) => Math.min(e, counts[i])) };
}

function parseDetections(v: unknown): OutputDetection[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v
    .filter(isObject)
    .slice(0, OUTPUT_DETECTIONS)
    .map((d) => ({
      id: text(d.id, 64),
      title: text(d.title, 300),
      // Only a known severity reaches the renderer's class names; anything else reads as info.
      severity: SEVERITY_NAMES.has(text(d.severity, 16)) ? text(d.severity, 16) : 'info',
      count: count(d.count),
    }));
}

/** The output `v` holds, with every field checked and bounded; undefined when it is not an object. */
export function parseOutput(v: unknown): QueryOutput | undefined {
  if (!isObject(v)) return undefined;
  const rows = Array.isArray(v.rows) ? v.rows.filter(isObject).slice(0, OUTPUT_ROWS) : [];
  const facets = Array.isArray(v.facets) ? v.facets.filter(isObject).slice(0, 20) : [];
  const out: QueryOutput = {
    ranAt: text(v.ranAt, 64),
    query: text(v.query, 100_000),
    count: count(v.count),
    loaded: count(v.loaded),
    rows: rows.map((r) => ({
      time: text(r.time, 64),
      eventName: text(r.eventName, 1000),
      eventSource: text(r.eventSource, 1000),
      principal: text(r.principal, 2000),
      sourceIp: text(r.sourceIp, 1000),
      awsRegion: text(r.awsRegion, 100),
      errorCode: text(r.errorCode, 1000),
    })),
    facets: facets.map((f) => ({
      title: text(f.title, 200),
      values: (Array.isArray(f.values) ? f.values.filter(isObject).slice(0, 20) : []).map((x) => ({
        value: text(x.value, 2000),
        count: count(x.count),
      })),
    })),
    problems: (Array.isArray(v.problems) ? v.problems.filter((p) => typeof p === 'string').slice(0, 50) : []).map(
      (p: string) => p.slice(0, 2000),
    ),
  };
  const timeline = parseTimeline(v.timeline);
  if (timeline) out.timeline = timeline;
  const detections = parseDetections(v.detections);
  if (detections) out.detections = detections;
  if (v.truncated === true) out.truncated = true;
  if (typeof v.previousCount === 'number') out.previousCount = count(v.previousCount);
  return out;
}
