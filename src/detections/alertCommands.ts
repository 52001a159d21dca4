/**
 * "Export Detection as Alert…": any detection rule (built-in, JSON or Sigma) as a CloudWatch Logs
 * metric filter with its alarm and as an EventBridge rule, each as CloudFormation and AWS CLI,
 * opened as a Markdown document to review. From the palette (a rule picker) or a detection's
 * details in a log view (the rule's id). The compiling is core's (investigate/alerts); nothing
 * here calls AWS.
 */
import * as vscode from 'vscode';
import { exportAlerts, type AlertExport } from '../core/investigate/alerts/export';
import { renderAlertExport } from '../core/investigate/alerts/render';
import type { DetectionRule } from '../core/investigate/detections/rules';
import { loadDetectionRules } from '../logViewer/detectionRules';
import { CommandId } from '../common/commandIds';
import type { Commands } from '../common/commands';

/** What the command opened (returned for tests and other extensions). */
export interface AlertExportResult {
  document: vscode.Uri;
  export: AlertExport;
}

async function pickRule(rules: readonly DetectionRule[]): Promise<DetectionRule | undefined> {
  const items = rules.map((rule) => ({
    rule,
    label: rule.title,
    description: `${rule.severity} · ${rule.id}`,
    detail: rule.pack
      ? `${rule.pack.name} pack (${rule.pack.license}): ${rule.file}`
      : rule.origin === 'built-in'
        ? 'built-in rule'
        : `${rule.format === 'sigma' ? 'Sigma rule' : 'rule file'} ${rule.file}`,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Export a detection as an alert',
    placeHolder: 'Detection rule',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return picked?.rule;
}

export function registerAlertCommands(
  commands: Commands,
  extensionUri: vscode.Uri,
  output: vscode.LogOutputChannel,
): vscode.Disposable[] {
  return [
    commands.register(
      CommandId.ExportDetectionAsAlert,
      async (id?: unknown): Promise<AlertExportResult | undefined> => {
        const library = await loadDetectionRules(extensionUri);
        const rule = typeof id === 'string' ? library.rules.find((r) => r.id === id) : await pickRule(library.rules);
        if (!rule) {
          if (typeof id === 'string')
            void vscode.window.showErrorMessage(
              `No detection rule has the id "${id}" now: its file may have changed or been removed. Reopen the log view's detections to refresh them.`,
            );
          return undefined;
        }
        let exported: AlertExport;
        try {
          exported = exportAlerts(rule);
        } catch (e) {
          // Reported like every command's failure (common/commands.ts), naming the rule.
          throw new Error(`"${rule.title}" could not be exported as an alert: ${(e as Error).message}`, { cause: e });
        }
        const doc = await vscode.workspace.openTextDocument({
          language: 'markdown',
          content: renderAlertExport(exported),
        });
        await vscode.window.showTextDocument(doc, { preview: false });
        output.info(
          `Exported ${rule.id} as an alert: ${exported.metricFilter.differences.length + exported.eventBridge.differences.length} differences declared.`,
        );
        return { document: doc.uri, export: exported };
      },
    ),
  ];
}
