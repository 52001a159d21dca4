/**
 * The cost of a query before it runs (issue #21): the Athena estimate listed from S3 under a
 * cancellable notification (awsSdk/scanSize.ts over core/aws/scanEstimate.ts's prefixes), shown in
 * the `.sql` document's CodeLens, and a modal question when it passes the
 * `cloudtrailLens.athena.askAboveUsd` cap or the query has no time range. A failed estimate is
 * said once and the run goes on without it.
 */
import * as vscode from 'vscode';
import { estimateScan, ScanEstimateError } from '../awsSdk/scanSize';
import * as config from '../common/config';
import type { AthenaTableRef } from '../core/aws/athenaTable';
import { describeEstimate, estimateUsd, formatUsd, mustAsk, shortEstimate } from '../core/aws/scanEstimate';
import type { CompiledAthenaQuery } from '../core/query/athenaSql';
import type { TrailChoice } from '../common/trailPicker';
import type { RemoteDeps } from './remoteDeps';

/** One query's estimate as the UI shows it. */
export interface CostEstimate {
  /** Bytes the query should scan; undefined when no estimate could be made. */
  bytes?: number;
  usd?: number;
  /** For the CodeLens: "≈ 1.2 GB, about $0.0059", or "no estimate". */
  short: string;
  /** The sentence: the estimate, or why there is none. */
  text: string;
  /** The query reads every day of the trail (no time range). */
  unbounded: boolean;
}

/** Sum of estimates (a detection's queries run one after another). */
export function totalEstimate(es: readonly CostEstimate[]): CostEstimate {
  if (es.length === 1) return es[0];
  const known = es.every((e) => e.bytes !== undefined);
  const bytes = known ? es.reduce((n, e) => n + (e.bytes ?? 0), 0) : undefined;
  const usd = known ? es.reduce((n, e) => n + (e.usd ?? 0), 0) : undefined;
  return {
    bytes,
    usd,
    short: known ? `${shortEstimate({ bytes: bytes! })} for ${es.length} queries` : 'no estimate',
    text: es.map((e, i) => `Query ${i + 1}: ${e.text}`).join(' '),
    unbounded: es.some((e) => e.unbounded),
  };
}

/** Estimates each compiled query over the trail's table; never throws (a failure is the estimate's text). */
export async function estimateQueries(
  deps: RemoteDeps,
  trail: TrailChoice,
  table: AthenaTableRef,
  queries: ReadonlyArray<{ compiled: CompiledAthenaQuery }>,
): Promise<CostEstimate[]> {
  const unboundedOf = (c: CompiledAthenaQuery): boolean =>
    !!table.partitions.day && c.partitions.firstDay === undefined && c.range.start === undefined;
  const layout = table.layout;
  if (!layout)
    return queries.map((q) => ({
      short: 'no estimate',
      text: 'No cost estimate: the table\u2019s location is not known.',
      unbounded: unboundedOf(q.compiled),
    }));
  const s3 = deps.accounts.s3(trail.profile, trail.region);
  try {
    return await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: 'Estimating the Athena cost (listing the partitions the query reads)',
        cancellable: true,
      },
      async (progress, token) => {
        const ac = new AbortController();
        token.onCancellationRequested(() => ac.abort());
        const out: CostEstimate[] = [];
        for (const q of queries) {
          const unbounded = unboundedOf(q.compiled);
          try {
            const e = await estimateScan(s3, table.partitions, layout, q.compiled.partitions, {
              signal: ac.signal,
              onProgress: (done, total) =>
                progress.report({
                  message: `${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} prefixes`,
                }),
            });
            const usd = estimateUsd(e);
            deps.output.info(`Athena estimate: ${describeEstimate(e)} (${e.requests} ListObjectsV2 calls)`);
            out.push({ bytes: e.bytes, usd, short: shortEstimate(e), text: describeEstimate(e), unbounded });
          } catch (err) {
            const text = err instanceof ScanEstimateError ? err.message : `No cost estimate: ${String(err)}`;
            deps.output.warn(text);
            out.push({ short: 'no estimate', text, unbounded });
          }
        }
        return out;
      },
    );
  } finally {
    s3.dispose();
  }
}

/**
 * Whether to run: without asking when under the cap with a time range; else a modal with the
 * estimate. `window` when the user chose to pick a time window first.
 */
export async function confirmCost(e: CostEstimate, title: string): Promise<'run' | 'window' | undefined> {
  const cap = config.askAboveUsd();
  if (e.bytes === undefined && !e.unbounded) {
    void vscode.window.showWarningMessage(`${e.text} The query runs without one.`);
    return 'run';
  }
  if (!mustAsk(e.usd, cap, e.unbounded)) return 'run';
  const why = e.unbounded
    ? 'The query has no time range: Athena reads every day of the trail.'
    : `The estimate is above ${formatUsd(cap)} (setting cloudtrailLens.athena.askAboveUsd).`;
  const buttons = e.unbounded ? ['Run Anyway', 'Choose a Time Window…'] : ['Run Anyway'];
  const pick = await vscode.window.showWarningMessage(`${title}: ${why}`, { modal: true, detail: e.text }, ...buttons);
  return pick === 'Run Anyway' ? 'run' : pick === 'Choose a Time Window…' ? 'window' : undefined;
}
