/**
 * The identity graph of a log view's investigation: one webview panel per log view (asked again,
 * it is brought forward and recomputed), closed with its view. The store worker builds the graph;
 * clicking a node or edge in the page puts its query in the log view's search box. The page gets
 * the graph by message only (renderWebviewHtml, strict CSP); what it sends back is checked.
 */
import * as vscode from 'vscode';
import type { IdentityGraph } from '../core/investigate/identity/graph';
import type { Sessions } from '../logViewer/sessions';
import type { ViewerSession } from '../logViewer/viewerSession';
import { openWebviewPanel } from '../common/webviewHtml';
import type { ToIdentityView } from '../protocol/identity';
import { parseIdentityViewMessage } from '../core/ui/identityViewMessages';

export const IDENTITY_PANEL = 'cloudtrailLens.identityGraph';

interface Open {
  panel: vscode.WebviewPanel;
  graph?: IdentityGraph;
}

export class IdentityGraphs implements vscode.Disposable {
  private readonly open = new Map<ViewerSession, Open>();
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly sessions: Sessions,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.subscription = sessions.onClosed((s) => {
      this.open.get(s)?.panel.dispose();
    });
  }

  /** The graph last shown for `session` (for tests and diagnostics). */
  graphOf(session: ViewerSession): IdentityGraph | undefined {
    return this.open.get(session)?.graph;
  }

  /** Shows (or brings forward and recomputes) the graph of `session`'s events. */
  show(session: ViewerSession): void {
    const known = this.open.get(session);
    if (known) {
      known.panel.reveal(vscode.ViewColumn.Active);
      void this.compute(session, known);
      return;
    }
    const title = `Identities · ${session.title}`;
    const panel = openWebviewPanel(
      this.extensionUri,
      IDENTITY_PANEL,
      title.length > 80 ? `${title.slice(0, 79)}…` : title,
      vscode.ViewColumn.Active,
      { title: 'Identity graph', script: 'dist/webview/identity.js', styles: ['media/identity.css'] },
    );
    const entry: Open = { panel };
    this.open.set(session, entry);
    const sub = panel.webview.onDidReceiveMessage((raw: unknown) => this.onMessage(session, entry, raw));
    panel.onDidDispose(() => {
      sub.dispose();
      if (this.open.get(session) === entry) this.open.delete(session);
    });
  }

  private post(entry: Open, msg: ToIdentityView): void {
    void entry.panel.webview.postMessage(msg);
  }

  private async compute(session: ViewerSession, entry: Open): Promise<void> {
    this.post(entry, { type: 'loading', title: session.title });
    try {
      const { graph, events, ms } = await session.store.identityGraph();
      entry.graph = graph;
      this.output.info(
        `${session.title}: identity graph of ${events} events in ${ms} ms: ${graph.nodes.length} nodes, ${graph.edges.length} edges.`,
      );
      this.post(entry, { type: 'graph', title: session.title, graph, events, ms });
    } catch (e) {
      this.output.error(`${session.title}: the identity graph failed: ${(e as Error).message}`);
      this.post(entry, { type: 'error', message: `The identity graph could not be built: ${(e as Error).message}` });
    }
  }

  private onMessage(session: ViewerSession, entry: Open, raw: unknown): void {
    const msg = parseIdentityViewMessage(raw);
    if (!msg) {
      this.output.warn('Ignored a malformed message from the identity graph webview.');
      return;
    }
    switch (msg.type) {
      case 'ready':
      case 'refresh':
        void this.compute(session, entry);
        break;
      case 'filter': {
        const g = entry.graph;
        const edge = msg.target === 'edge' ? g?.edges.find((e) => e.id === msg.id) : undefined;
        const query =
          msg.target === 'node'
            ? g?.nodes.find((n) => n.id === msg.id)?.query
            : msg.failed
              ? edge?.failedQuery
              : edge?.query;
        if (query === undefined) {
          void vscode.window.showInformationMessage(
            'CloudTrail Lens: the search language cannot select exactly these events.',
          );
          return;
        }
        if (!this.sessions.showQuery(session, query))
          void vscode.window.showWarningMessage('CloudTrail Lens: the log view of this graph is closed.');
        break;
      }
    }
  }

  dispose(): void {
    this.subscription.dispose();
    for (const o of [...this.open.values()]) o.panel.dispose();
  }
}
