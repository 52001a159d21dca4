/**
 * The read-only custom editor for CloudTrail log files: double-click a `*_CloudTrail_*.json.gz`
 * and its events open in the log viewer. Registered twice (package.json): as the default for
 * CloudTrail-named files, and as an "Open With…" option for any JSON or gzip file.
 */
import * as vscode from 'vscode';
import type { Sessions } from './sessions';

export const LOG_EDITOR = 'cloudtrailLens.logFile';
export const LOG_EDITOR_OPTION = 'cloudtrailLens.logFileAny';

export class LogEditorProvider implements vscode.CustomReadonlyEditorProvider {
  constructor(private readonly sessions: Sessions) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    const name = document.uri.path.slice(document.uri.path.lastIndexOf('/') + 1);
    void this.sessions.attach(panel, name).load([document.uri]);
  }

  static register(sessions: Sessions): vscode.Disposable[] {
    const provider = new LogEditorProvider(sessions);
    const options = { supportsMultipleEditorsPerDocument: true, webviewOptions: { enableFindWidget: false } };
    return [
      vscode.window.registerCustomEditorProvider(LOG_EDITOR, provider, options),
      vscode.window.registerCustomEditorProvider(LOG_EDITOR_OPTION, provider, options),
    ];
  }
}
