/**
 * One query cell's run against a store (the notebook kernel's and the bench's): the query, its
 * first rows and top values, as the output the notebook saves. The store is the log view's own
 * worker protocol (StoreClient), so a notebook answers exactly what a log view would.
 */
import type { StoreCalls } from '../engine/storeProtocol';
import { OUTPUT_ROWS, type QueryOutput } from './notebookFile';

/** The part of StoreClient a cell needs. */
export interface CellStore {
  query(text: string, sort: StoreCalls['query']['args']['sort']): Promise<StoreCalls['query']['value']>;
  rows(version: number, start: number, count: number): Promise<StoreCalls['rows']['value']>;
  overview(version: number): Promise<StoreCalls['overview']['value']>;
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
  const [rows, overview] = await Promise.all([store.rows(q.version, 0, OUTPUT_ROWS), store.overview(q.version)]);
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
    problems: loaded.problems,
  };
}
