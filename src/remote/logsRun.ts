/**
 * "Search in CloudWatch Logs…", for trails that also deliver to a log group: the query compiled to
 * Logs Insights (terms it cannot express named before anything runs), StartQuery → GetQueryResults
 * with progress and cancel (StopQuery), and the events opened in a log viewer.
 */
import * as vscode from 'vscode';
import { runLogsSearch } from '../awsSdk/remoteSearch';
import * as config from '../common/config';
import { explainLogsError } from '../core/aws/logsErrors';
import { formatUsd, logsEstimate } from '../core/aws/scanEstimate';
import { logGroupRegion } from '../core/aws/trailTableInputs';
import { compileLogsInsights } from '../core/query/logsInsights';
import { parseQuery } from '../core/query/query';
import { cutMessage, describeBytes, eventCount, parseProblemText, refusalText } from '../core/ui/remoteResults';
import { describeWindow, resultTitle } from '../core/ui/remoteWindow';
import type { LoadSummary } from '../logViewer/viewerSession';
import { QUERY_TIMEOUT_MS, isCancel, showExplained, withQueryProgress } from './athenaProgress';
import type { RunArgs } from './athenaRun';
import { askQuery, askWindow } from './prompts';
import { logsApi, type RemoteDeps } from './remoteDeps';
import { openResults } from './results';
import { chooseTrail } from '../common/trailPicker';

const LIMIT_SETTING = 'cloudtrailLens.athena.maxResults';

export async function searchCloudWatchLogs(
  deps: RemoteDeps,
  arg: unknown,
  args: RunArgs = {},
): Promise<LoadSummary | undefined> {
  const trail = await chooseTrail(deps, arg, { title: 'Search in CloudWatch Logs: which trail?', needLogs: true });
  if (!trail?.logGroupArn) return undefined;
  const logGroup = trail.logGroupArn;
  const query = await askQuery(deps.sessions, args.query, `Search ${trail.name}'s log group in CloudWatch Logs`);
  if (query === undefined) return undefined;
  const win = args.window
    ? { window: args.window, short: describeWindow(args.window) }
    : await askWindow(
        query,
        `Search in CloudWatch Logs over ${trail.name}: time window`,
        'everything the log group keeps (its retention)',
      );
  if (!win) return undefined;
  const parsed = parseQuery(query);
  if (parsed.errors.length) {
    void vscode.window.showErrorMessage(parseProblemText('CloudWatch Logs', parsed.errors));
    return undefined;
  }
  const compiled = compileLogsInsights(parsed, { window: win.window, limit: config.athenaMaxResults() });
  if (compiled.unsupported.length) {
    const text = refusalText('CloudWatch Logs', compiled.unsupported);
    deps.output.warn(text);
    void vscode.window.showErrorMessage(text);
    return undefined;
  }
  if (compiled.notes.length) {
    deps.output.info(`Logs Insights: ${compiled.notes.join(' ')}`);
    void vscode.window.showInformationMessage(compiled.notes.join(' '));
  }
  const region = logGroupRegion(logGroup) ?? trail.region;
  const title = resultTitle('CloudWatch Logs', query, win.short);
  deps.output.info(`Logs Insights on ${logGroup}:\n${compiled.queryString}`);
  const api = logsApi(deps, trail.profile, region);
  let bytes = 0;
  // The cost before it runs: the group's stored bytes for the share of its span the range covers.
  let estimate: { bytes: number; usd: number; text: string } | undefined;
  try {
    const size = await api.groupSize(logGroup, AbortSignal.timeout(20_000));
    estimate =
      size && logsEstimate(size, { start: compiled.startTime * 1000, end: compiled.endTime * 1000 }, Date.now());
  } catch (e) {
    deps.output.warn(
      `No Logs Insights estimate: DescribeLogGroups failed (${e instanceof Error ? e.name : String(e)}).`,
    );
  }
  if (estimate) {
    deps.output.info(`Logs Insights: ${estimate.text}`);
    if (estimate.usd > config.askAboveUsd()) {
      const go = await vscode.window.showWarningMessage(
        `${title}: the estimate is above ${formatUsd(config.askAboveUsd())} (setting cloudtrailLens.athena.askAboveUsd).`,
        { modal: true, detail: estimate.text },
        'Run Anyway',
      );
      if (go !== 'Run Anyway') {
        api.dispose();
        return undefined;
      }
    } else void vscode.window.showInformationMessage(`${title}: ${estimate.text}`);
  }
  try {
    const r = await withQueryProgress(title, (signal, report) =>
      runLogsSearch(api, compiled, logGroup, {
        signal,
        timeoutMs: QUERY_TIMEOUT_MS,
        onProgress: (p) => {
          bytes = p.bytesScanned;
          report(
            `${p.status} · ${p.recordsMatched.toLocaleString('en-US')} matched of ${p.recordsScanned.toLocaleString('en-US')} scanned · ${describeBytes(p.bytesScanned)}`,
          );
        },
      }),
    );
    const scan = `${describeBytes(r.scannedBytes || bytes)} scanned (Logs Insights bills per GB scanned)${estimate ? `; estimated ${describeBytes(estimate.bytes)}` : ''}`;
    deps.output.info(`Logs Insights ${r.queryId}: ${r.records.length} events, ${scan}.`);
    if (r.cut) void vscode.window.showWarningMessage(cutMessage(r.cut, compiled.limit, LIMIT_SETTING));
    if (r.records.length === 0) {
      void vscode.window.showInformationMessage(`${title}: CloudWatch Logs found no events. ${scan}.`);
      return undefined;
    }
    const summary = await openResults(deps.sessions, deps.storageUri, 'logs-results', r.queryId, r.records, title);
    void vscode.window.showInformationMessage(`${title}: ${eventCount(r.records.length)} · ${scan}.`);
    return summary;
  } catch (e) {
    showExplained(
      explainLogsError(e, { logGroup, region, timeoutSeconds: QUERY_TIMEOUT_MS / 1000 }),
      isCancel(e),
      deps.output,
      () => searchCloudWatchLogs(deps, trail, { query, window: win.window }),
    );
    return undefined;
  } finally {
    api.dispose();
  }
}
