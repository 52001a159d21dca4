/**
 * The event view: one panel, beside the table, showing the event last opened (like a preview).
 * Pivots go back to whoever opened the event (a log view applies a filter); copies go to the
 * clipboard; "Open as JSON document" opens the raw event.
 */
import * as vscode from 'vscode';
import { describeEvent } from '../core/ui/eventDetail';
import { parseEventViewMessage } from '../core/ui/eventViewMessages';
import { shorten } from '../core/model/visible';
import type { EventDetail, PivotField, SessionBy, SessionLink, ToEventView } from '../protocol/eventView';
import type { EventDocuments } from '../logViewer/eventDocuments';
import { renderWebviewHtml, webviewOptions } from '../logViewer/webviewHtml';

export const EVENT_PANEL = 'cloudtrailLens.eventView';



/** Who opened the event: pivots are sent back to it. */
export interface EventOrigin {
  /** The fields this origin can pivot on (a log view: all; Event history: what LookupEvents takes). */
  pivotable: readonly PivotField[];
  pivot(field: PivotField, value: string): void;
  /** The sessions the shown event belongs to (a log view: computed from its events). */
  sessions?(): SessionLink[];
  /** Shows the shown event's session in the origin. */
  showSession?(by: SessionBy): void;
}

export class EventPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private current: { detail: EventDetail; raw: string; origin: EventOrigin; sessions: SessionLink[] } | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly documents: EventDocuments,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  /** Shows an event given as JSON text. Returns false when the text is not an event object. */
  show(raw: string, origin: EventOrigin): boolean {
    const detail = describeEvent(raw);
    if (!detail) return false;
    this.current = { detail, raw, origin, sessions: origin.sessions?.() ?? [] };
    const panel = this.panel ?? this.create();
    // Event names are attacker-influenced: never hand VS Code an unbounded tab title.
    panel.title = `${shorten(detail.eventName, 60)} · ${shorten(detail.timeUtc, 30)}`;
    panel.reveal(vscode.ViewColumn.Beside, true);
    this.post();
    return true;
  }

  /** Drops a closed view's link, so its data can be freed and no pivot reaches it. */
  forget(origin: EventOrigin): void {
    if (this.current?.origin === origin) this.current = { ...this.current, origin: { pivotable: [], pivot: () => undefined }, sessions: [] };
    this.post();
  }

  /** The event shown now (for tests and diagnostics). */
  shown(): EventDetail | undefined {
    return this.current?.detail;
  }

  private post(): void {
    if (!this.panel || !this.current) return;
    const msg: ToEventView = { type: 'show', detail: this.current.detail, pivotable: [...this.current.origin.pivotable], sessions: this.current.sessions };
    void this.panel.webview.postMessage(msg);
  }

  private create(): vscode.WebviewPanel {
    const panel = vscode.window.createWebviewPanel(EVENT_PANEL, 'CloudTrail event', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(this.extensionUri));
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'cloudtrail-lens.svg');
    panel.webview.html = renderWebviewHtml(panel.webview, this.extensionUri, {
      title: 'CloudTrail event',
      script: 'dist/webview/eventView.js',
      styles: ['media/eventView.css'],
    });
    const subscription = panel.webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw));
    panel.onDidDispose(() => {
      subscription.dispose();
      if (this.panel === panel) {
        this.panel = undefined;
        this.current = undefined;
      }
    });
    this.panel = panel;
    return panel;
  }

  private onMessage(raw: unknown): void {
    const msg = parseEventViewMessage(raw);
    if (!msg) {
      this.output.warn('Ignored a malformed message from the event view webview.');
      return;
    }
    const current = this.current;
    switch (msg.type) {
      case 'ready':
        this.post();
        break;
      case 'pivot':
        if (current?.origin.pivotable.includes(msg.field)) current.origin.pivot(msg.field, msg.value);
        break;
      case 'session':
        if (current?.sessions.some((s) => s.by === msg.by)) current.origin.showSession?.(msg.by);
        break;
      case 'copy':
        void vscode.env.clipboard.writeText(msg.text).then(() => vscode.window.setStatusBarMessage(`CloudTrail Lens: copied ${msg.what}`, 2000));
        break;
      case 'openJson':
        if (current) void this.documents.show(JSON.stringify(current.detail.event, null, 2), current.detail.eventName);
        break;
    }
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
