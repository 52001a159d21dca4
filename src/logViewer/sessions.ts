/**
 * Opens log viewers — as a custom editor on one file, or as a panel over files and folders — and
 * keeps track of the live ones (the extension's API exposes them to the integration tests).
 */
import * as vscode from 'vscode';
import type { EventSource } from '../eventView/eventPanel';
import { type LoadSummary, type SessionDeps, ViewerSession } from './viewerSession';
import { openWebviewPanel, renderWebviewHtml, webviewOptions } from '../common/webviewHtml';

export const VIEWER_PANEL = 'cloudtrailLens.logViewer';

export class Sessions implements vscode.Disposable {
  private readonly live = new Set<ViewerSession>();
  /** Each live view's panel: queries from other views (the identity graph) are posted to it. */
  private readonly panels = new Map<ViewerSession, vscode.WebviewPanel>();
  private readonly closeListeners: Array<(s: ViewerSession) => void> = [];
  private lastActive: ViewerSession | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly deps: SessionDeps,
  ) {}

  /** Makes `panel` a log viewer titled `title`; the session ends when the panel is disposed. */
  attach(panel: vscode.WebviewPanel, title: string): ViewerSession {
    const webview = panel.webview;
    webview.options = webviewOptions(this.extensionUri);
    webview.html = renderWebviewHtml(webview, this.extensionUri, {
      title,
      script: 'dist/webview/logViewer.js',
      styles: ['media/logViewer.css'],
    });
    // The event view learns which store an event came from (its chain, hop events, identity documents).
    const ref: { session?: ViewerSession } = {};
    const source: EventSource = {
      title,
      store: () => (ref.session && this.live.has(ref.session) ? ref.session.store : undefined),
      showQuery: (text) => ref.session && this.showQuery(ref.session, text),
    };
    const session = (ref.session = new ViewerSession(panel, title, {
      ...this.deps,
      eventPanel: this.deps.eventPanel.bound(source),
    }));
    this.live.add(session);
    this.panels.set(session, panel);
    this.lastActive = session;
    panel.onDidChangeViewState((e) => {
      if (e.webviewPanel.active) this.lastActive = session;
    });
    panel.onDidDispose(() => {
      this.live.delete(session);
      this.panels.delete(session);
      if (this.lastActive === session) this.lastActive = undefined;
      session.dispose();
      for (const l of this.closeListeners) l(session);
    });
    return session;
  }

  /** The log view in front, or else the one used last (commands act on it). */
  active(): ViewerSession | undefined {
    return this.lastActive;
  }

  /**
   * Puts `text` in a live view's search box (the view runs it) and brings the view forward: what
   * ViewerSession does for its own pivots, for views of its events elsewhere (the identity graph).
   */
  showQuery(session: ViewerSession, text: string): boolean {
    if (!this.panels.has(session)) return false;
    session.showQuery(text);
    return true;
  }

  /** Calls `listener` when a view closes (views of its events close with it). */
  onClosed(listener: (session: ViewerSession) => void): vscode.Disposable {
    this.closeListeners.push(listener);
    return {
      dispose: () => {
        const i = this.closeListeners.indexOf(listener);
        if (i >= 0) this.closeListeners.splice(i, 1);
      },
    };
  }

  /** Opens a new panel over files and folders and loads them. */
  openPanel(uris: readonly vscode.Uri[], title: string): Promise<LoadSummary> {
    const panel = openWebviewPanel(this.extensionUri, VIEWER_PANEL, title, vscode.ViewColumn.Active);
    return this.attach(panel, title).load(uris);
  }

  /** Runs every view's analyses again (the detection rules changed). */
  reanalyze(): void {
    for (const s of this.live) s.reanalyze();
  }

  /** The IP data changed (the stores have it already): each view shows its rows and detections again. */
  ipDataChanged(): void {
    for (const s of this.live) s.ipDataChanged();
  }

  /** Summaries of the live viewers, for tests and diagnostics. */
  list(): Array<{ title: string; events: number; filesFailed: number; loading: boolean }> {
    return [...this.live].map((s) => {
      const st = s.lastStatus;
      return { title: s.title, events: st.events, filesFailed: st.filesFailed, loading: st.loading };
    });
  }

  dispose(): void {
    for (const s of this.live) s.dispose();
    this.live.clear();
    this.panels.clear();
  }
}
