/**
 * The integrity report: one webview panel per validation, a summary and each finding, and an
 * "Export JSON" button. The page gets the report by message only (renderWebviewHtml, strict CSP);
 * what it sends back is checked before anything is done.
 */
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { type IntegrityReport, outcome, reportToJson, summaryLine } from '../core/integrity/report';
import { openWebviewPanel } from '../common/webviewHtml';
import { parseIntegrityViewMessage } from '../core/ui/integrityViewMessages';
import type { ToIntegrityView } from '../protocol/integrity';

export const REPORT_PANEL = 'cloudtrailLens.integrityReport';

export class IntegrityReports implements vscode.Disposable {
  private readonly panels = new Set<vscode.WebviewPanel>();
  private last: IntegrityReport | undefined;

  constructor(private readonly extensionUri: vscode.Uri) {}

  /** The most recent report (for the extension's API and tests). */
  latest(): IntegrityReport | undefined {
    return this.last;
  }

  show(report: IntegrityReport, title: string): void {
    this.last = report;
    const panel = openWebviewPanel(this.extensionUri, REPORT_PANEL, title, vscode.ViewColumn.Active, {
      title,
      script: 'dist/webview/integrity.js',
      styles: ['media/integrity.css'],
    });
    const post = (m: ToIntegrityView): Thenable<boolean> => panel.webview.postMessage(m);
    const sub = panel.webview.onDidReceiveMessage(async (m: unknown) => {
      const type = parseIntegrityViewMessage(m)?.type;
      if (type === 'ready') void post({ type: 'init', report, summary: summaryLine(report), outcome: outcome(report) });
      else if (type === 'export') {
        const stamp = report.generatedAt.replace(/[:.]/g, '-');
        const target = await vscode.window.showSaveDialog({
          title: 'Export the integrity report',
          filters: { JSON: ['json'] },
          defaultUri: vscode.Uri.joinPath(
            vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(homedir()),
            `cloudtrail-integrity-${stamp}.json`,
          ),
        });
        if (!target) return;
        await vscode.workspace.fs.writeFile(target, Buffer.from(reportToJson(report)));
        void post({ type: 'toast', text: `Saved ${target.fsPath}` });
      }
    });
    this.panels.add(panel);
    panel.onDidDispose(() => {
      sub.dispose();
      this.panels.delete(panel);
    });
  }

  dispose(): void {
    for (const p of [...this.panels]) p.dispose();
  }
}
