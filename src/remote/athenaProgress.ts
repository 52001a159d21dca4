/**
 * A query's progress and cancel as a notification (state, data scanned and its cost, seconds
 * running; Cancel stops the query with StopQueryExecution), and failures shown as what to do
 * (core/aws/athenaErrors.ts, logsErrors.ts) with the buttons that do it.
 */
import * as vscode from 'vscode';
import type { AthenaProgress } from '../awsSdk/athena';
import { type AthenaErrorContext, describeScan, explainAthenaError } from '../core/aws/athenaErrors';
import type { ExplainedError } from '../core/aws/awsErrors';
import { CommandId } from '../common/commandIds';

/** How long a query may run before it is stopped (the adapter's default too). */
export const QUERY_TIMEOUT_MS = 600_000;

/** Runs `work` under a cancellable notification; its AbortSignal fires on Cancel. */
export function withQueryProgress<T>(
  title: string,
  work: (signal: AbortSignal, report: (message: string) => void) => Promise<T>,
): Thenable<T> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    (progress, token) => {
      const ac = new AbortController();
      token.onCancellationRequested(() => ac.abort());
      return work(ac.signal, (message) => progress.report({ message }));
    },
  );
}

/** "RUNNING · 12 MB scanned (about $0.00006) · 4 s". */
export function athenaProgressText(p: AthenaProgress): string {
  return `${p.state} · ${describeScan(p.scannedBytes)} · ${Math.round(p.elapsedMs / 1000)} s`;
}

/** Whether a failure is the user's own cancel. */
export function isCancel(e: unknown): boolean {
  return (e as { kind?: unknown })?.kind === 'cancelled' || (e as Error)?.name === 'AbortError';
}

/**
 * Shows an explained failure: a cancel as information, the rest as errors with what helps
 * (Retry, Set Up Athena Table…, Open Settings). `retry` runs the same thing again.
 */
export function showExplained(
  x: ExplainedError,
  cancelled: boolean,
  output: vscode.LogOutputChannel,
  retry?: () => unknown,
  setUpArg?: unknown,
): void {
  const text = `${x.title}. ${x.detail}`;
  output[cancelled ? 'info' : 'warn'](text);
  if (cancelled) {
    void vscode.window.showInformationMessage(text);
    return;
  }
  const buttons: string[] = [];
  if (x.action === 'retry' && retry) buttons.push('Retry');
  if (x.title === 'Table not found' || x.title === 'No Athena table') buttons.push('Set Up Athena Table…');
  if (x.title === 'No query result location' || x.title === 'Database not found') buttons.push('Open Settings');
  // Not awaited: the message stays until dismissed, and the command that failed is over.
  void vscode.window.showErrorMessage(text, ...buttons).then((pick) => {
    if (pick === 'Retry') void retry?.();
    else if (pick === 'Set Up Athena Table…') void vscode.commands.executeCommand(CommandId.SetUpAthenaTable, setUpArg);
    else if (pick === 'Open Settings')
      void vscode.commands.executeCommand('workbench.action.openSettings', 'cloudtrailLens.athena');
  });
}

/** An Athena failure explained for `ctx` and shown. */
export function showAthenaError(
  e: unknown,
  ctx: AthenaErrorContext,
  output: vscode.LogOutputChannel,
  retry?: () => unknown,
  setUpArg?: unknown,
): void {
  showExplained(explainAthenaError(e, ctx), isCancel(e), output, retry, setUpArg);
}
