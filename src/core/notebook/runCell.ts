/**
 * One query cell's run against a store (the notebook kernel's and the bench's): the query, its
 * first rows, top values, timeline and the detections that fired on its events, as the output
 * the notebook saves. The store is the log view's own
 * worker protocol (StoreClient), so a notebook answers exactly what a log view would.
 */
import type { StoreCalls } from '../engine/storeProtocol';
import type { OutputTimeline } from '../../protocol/notebook';
import type { Timeline } from '../../protocol/logViewer';
import { OUTPUT_ROWS, type QueryOutput } from './notebookFile';
import { OUTPUT_DETECTIONS, TIMELINE_BUCKETS } from './outputShape';

/** The part of StoreClient a cell needs. */
export interface CellStore {
  query(text: string, sort: StoreCalls['query']['args']['sort']): Promise<StoreCalls['query']['value']>;
  rows(version: number, start: number, count: number): Promise<StoreCalls['rows']['value']>;
  overview(version: number): Promise<StoreCalls['overview']['value']>;
  detectionCounts(version: number): Promise<StoreCalls['detectionCounts']['value']>;
}

/** Facets a query cell's output keeps, and values each. */
const OUTPUT_FACETS = 4;
const FACET_VALUES = 5;

/** Why a cell did not run, said in the cell as it is (no stack). */
export class CellProblem extends Error {}

export async function runQueryCell(
  store: CellStore,
  text: string,
  loaded: { events: number; problems: string[] },
  now = Date.now(),
): Promise<QueryOutput> {
  const q = await store.query(text, 'oldest');
  if (!q) throw new CellProblem('A newer search replaced this one; run the cell again.');
  if (q.errors.length > 0) throw new CellProblem(`The search does not parse: ${q.errors.join('; ')}`);
  const [rows, overview, fired] = await Promise.all([
    store.rows(q.version, 0, OUTPUT_ROWS),
    store.overview(q.version),
    store.detectionCounts(q.version),
  ]);
  const timeline = overview && outputTimeline(overview.timeline);
  return {
    ranAt: new Date(now).toISOString(),
    query: text,
    count: q.total,
    loaded: loaded.events,
    rows: (rows ?? []).map((r) => ({
      time: r.timeText,
      eventName: r.eventName,
      eventSource: r.eventSource,
      principal: r.principal,
      sourceIp: r.sourceIp,
      awsRegion: r.awsRegion,
      errorCode: r.errorCode,
    })),
    facets: (overview?.facets ?? [])
      .filter((f) => f.values.length > 0)
      .slice(0, OUTPUT_FACETS)
      .map((f) => ({
        title: f.title,
        values: f.values.slice(0, FACET_VALUES).map((v) => ({ value: v.value, count: v.count })),
      })),
    ...(timeline ? { timeline } : {}),
    ...(fired ? { detections: fired.slice(0, OUTPUT_DETECTIONS) } : {}),
    problems: loaded.problems,
  };
}

/** The log view's timeline re-binned to at most TIMELINE_BUCKETS buckets (a saved output stays small). */
export function outputTimeline(t: Timeline): OutputTimeline | undefined {
  if (t.bucketMs <= 0 || t.counts.length === 0) return undefined;
  const per = Math.ceil(t.counts.length / TIMELINE_BUCKETS);
  const counts: number[] = [];
  const errors: number[] = [];
  for (let i = 0; i < t.counts.length; i++) {
    const j = Math.floor(i / per);
    counts[j] = (counts[j] ?? 0) + t.counts[i];
    errors[j] = (errors[j] ?? 0) + (t.errors[i] ?? 0);
  }
  return { start: t.start, bucketMs: t.bucketMs * per, counts, errors };
}
