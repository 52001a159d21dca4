/**
 * A compiled query run end to end on Athena or Logs Insights: start, follow, page the results,
 * rebuild the events, check the terms the back end only narrowed (remoteFilter.ts), and say when
 * the result was cut at the limit. What the log viewer opens, like a local file's records.
 */
import { athenaCostUsd } from '../core/aws/athenaErrors';
import type { CtRecord } from '../core/model/records';
import type { CompiledAthenaQuery } from '../core/query/athenaSql';
import { recordFromAthenaRow } from '../core/query/athenaRows';
import { type CompiledLogsInsights, recordFromLogsRow } from '../core/query/logsInsights';
import { applyResidual } from '../core/query/remoteFilter';
import type { AthenaApi, AthenaQueryTarget, WaitOptions } from './athena';
import type { CloudWatchLogsApi, LogsWaitOptions } from './cloudWatchLogs';

export interface RemoteResult {
  records: CtRecord[];
  /** Set when the back end returned more rows than the limit: the sentence to show. */
  cut?: string;
  scannedBytes: number;
  costUsd: number;
  queryId: string;
}

/** Runs a compiled Athena query. Rejects with AthenaQueryError (failed/cancelled/timeout) or SDK errors. */
export async function runAthenaSearch(
  api: AthenaApi,
  q: CompiledAthenaQuery,
  t: AthenaQueryTarget,
  o: WaitOptions = {},
): Promise<RemoteResult> {
  if (q.unsupported.length) throw new Error(`Not run: ${q.unsupported.join(' ')}`);
  const id = await api.start(q.sql, t);
  const done = await api.wait(id, o);
  const rows: CtRecord[] = [];
  let more = false;
  for await (const page of api.pages(id, 1000, o.signal)) {
    for (const r of page.rows) {
      if (rows.length >= q.limit) more = true;
      else rows.push(recordFromAthenaRow(r));
    }
    if (more) break;
  }
  const records = applyResidual(rows, q.residual);
  return {
    records,
    cut: more
      ? `Athena found more than ${q.limit.toLocaleString('en-US')} events; the newest ${q.limit.toLocaleString('en-US')} were fetched${q.residual.length ? `, ${records.length.toLocaleString('en-US')} of them matching every term` : ''}. Narrow the time range to see the rest.`
      : undefined,
    scannedBytes: done.scannedBytes,
    costUsd: athenaCostUsd(done.scannedBytes),
    queryId: id,
  };
}

/** Runs a compiled Logs Insights query on a log group (name or ARN). */
export async function runLogsSearch(
  api: CloudWatchLogsApi,
  q: CompiledLogsInsights,
  logGroup: string,
  o: LogsWaitOptions = {},
): Promise<RemoteResult> {
  if (q.unsupported.length) throw new Error(`Not run: ${q.unsupported.join(' ')}`);
  const id = await api.start(q, logGroup);
  let bytes = 0;
  const rows = await api.results(id, { ...o, onProgress: (p) => ((bytes = p.bytesScanned), o.onProgress?.(p)) });
  const more = rows.length > q.limit;
  const fetched = rows
    .slice(0, q.limit)
    .map(recordFromLogsRow)
    .filter((r): r is CtRecord => !!r);
  const records = applyResidual(fetched, q.residual);
  return {
    records,
    cut: more
      ? `Logs Insights found more than ${q.limit.toLocaleString('en-US')} events; the newest ${q.limit.toLocaleString('en-US')} were fetched. Narrow the time range to see the rest.`
      : undefined,
    scannedBytes: bytes,
    // Logs Insights bills per GB scanned at its own price; not Athena's.
    costUsd: NaN,
    queryId: id,
  };
}
