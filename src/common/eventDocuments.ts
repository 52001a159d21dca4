/**
 * Read-only JSON documents for single events (`cloudtrail-lens-event:` URIs): the event view's
 * "Open as JSON document", the full event pretty-printed in an ordinary editor.
 */
import * as vscode from 'vscode';

export const EVENT_SCHEME = 'cloudtrail-lens-event';
const KEEP = 200;

export class EventDocuments implements vscode.TextDocumentContentProvider {
  private readonly contents = new Map<string, string>();
  private counter = 0;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '// This event is no longer held: open it again from its log view.\n';
  }

  /** Opens `json` as a read-only document named after the event. */
  async show(json: string, eventName: string): Promise<vscode.TextEditor> {
    const name = (eventName.replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 64) || 'event') + '.json';
    const uri = vscode.Uri.from({ scheme: EVENT_SCHEME, path: `/${name}`, query: String(++this.counter) });
    this.contents.set(uri.toString(), json);
    while (this.contents.size > KEEP) this.contents.delete(this.contents.keys().next().value!);
    const doc = await vscode.workspace.openTextDocument(uri);
    if (doc.languageId !== 'json') await vscode.languages.setTextDocumentLanguage(doc, 'json');
    return vscode.window.showTextDocument(doc, {
      viewColumn: vscode.ViewColumn.Beside,
      preview: true,
      preserveFocus: true,
    });
  }
}
