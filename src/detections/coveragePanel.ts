/**
 * "CloudTrail: Show Detection Coverage": the ATT&CK cloud matrix of every loaded rule (built-in,
 * the user's, the SigmaHQ pack), with the counts of the log view in front (or used last) when its
 * detections have run. A click on a cell that fired shows its rules' events in that log view. The
 * page gets the matrix by message only (renderWebviewHtml, strict CSP); what it sends back is
 * validated before anything is done.
 */
import * as vscode from 'vscode';
import { coverageMatrix } from '../core/investigate/coverage/coverage';
import { parseCoverageViewMessage } from '../core/ui/coverageViewMessages';
import { CommandId } from '../common/commandIds';
import type { Commands } from '../common/commands';
import { openWebviewPanel, renderWebviewHtml } from '../common/webviewHtml';
import { loadDetectionRules } from '../logViewer/detectionRules';
import type { Sessions } from '../logViewer/sessions';
import type { ToCoverageView } from '../protocol/coverage';

export const COVERAGE_PANEL = 'cloudtrailLens.detectionCoverage';

/** What the command opened (returned for tests). */
export interface CoverageResult {
  techniques: number;
  covered: number;
  fired: number;
}

export function registerCoverageCommand(
  commands: Commands,
  extensionUri: vscode.Uri,
  sessions: Sessions,
  output: vscode.LogOutputChannel,
): vscode.Disposable[] {
  let panel: vscode.WebviewPanel | undefined;
  // What the page's `ready` is answered with: the matrix of the command's latest run.
  let init: ToCoverageView | undefined;
  return [
    commands.register(CommandId.ShowDetectionCoverage, async (): Promise<CoverageResult> => {
      const library = await loadDetectionRules(extensionUri);
      const session = sessions.active();
      const counts = session?.detectionCounts();
      const matrix = coverageMatrix(library.rules, counts);
      const view = counts ? session!.title : undefined;
      if (!panel) {
        const p = (panel = openWebviewPanel(
          extensionUri,
          COVERAGE_PANEL,
          'Detection Coverage',
          vscode.ViewColumn.Active,
        ));
        // One listener for the panel's life (not one more per run: each would answer `ready`,
        // and each would show a clicked cell's events again).
        const sub = p.webview.onDidReceiveMessage((m: unknown) => {
          const msg = parseCoverageViewMessage(m);
          if (!msg) return;
          if (msg.type === 'ready') {
            if (init) void p.webview.postMessage(init);
          } else if (msg.type === 'show') {
            const target = sessions.active();
            const query = `detection:${msg.rules.join(',')}`;
            output.info(`Detection coverage: showing ${query} in ${target ? target.title : 'no log view'}.`);
            if (!target || !sessions.showQuery(target, query))
              void vscode.window.showInformationMessage('Open a log view to see the events of these detections.');
          }
        });
        p.onDidDispose(() => {
          sub.dispose();
          panel = undefined;
        });
      }
      init = { type: 'init', matrix, view };
      // A fresh page each time: the listener answers its `ready` with this matrix.
      panel.webview.html = renderWebviewHtml(panel.webview, extensionUri, {
        title: 'Detection Coverage',
        script: 'dist/webview/coverage.js',
        styles: ['media/coverage.css'],
      });
      panel.reveal();
      const cells = matrix.tactics.flatMap((t) => t.cells);
      const distinct = (f: (c: (typeof cells)[number]) => boolean): number =>
        new Set(cells.filter(f).map((c) => c.technique)).size;
      const result = {
        techniques: distinct(() => true),
        covered: distinct((c) => c.rules.length > 0),
        fired: distinct((c) => c.rules.some((r) => (r.count ?? 0) > 0)),
      };
      output.info(
        `Detection coverage: ${result.covered} of ${result.techniques} techniques covered, ${result.fired} fired.`,
      );
      return result;
    }),
  ];
}
