/**
 * The event view: one panel, beside the table, showing the event last opened (like a preview).
 * Pivots go back to whoever opened the event (a log view applies a filter); copies go to the
 * clipboard; "Open as JSON document" opens the raw event. For an event opened from a log view it
 * also shows the credential chain behind it (each hop's issuing event opens here), and offers the
 * access-key report and least-privilege drafts of that view's events.
 */
import * as vscode from 'vscode';
import { sessionGapMs } from '../common/config';
import type { StoreClient } from '../core/engine/storeClient';
import { describeEvent } from '../core/ui/eventDetail';
import { parseEventViewMessage } from '../core/ui/eventViewMessages';
import { shorten } from '../core/model/visible';
import type {
  ChainView,
  EventDetail,
  IpPlace,
  PivotField,
  PolicyScope,
  SessionBy,
  SessionLink,
  ToEventView,
} from '../protocol/eventView';
import type { EventDocuments } from '../common/eventDocuments';
import type { IpData } from '../common/ipData';
import { ipCard } from '../core/enrich/ipText';
import { openWebviewPanel } from '../common/webviewHtml';
import type { PolicyOf } from '../core/engine/storeProtocol';

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

/** A log view's events, for what the event view asks beyond the event itself (sessions.ts makes one per view). */
export interface EventSource {
  /** The log view's title (named in documents and messages). */
  readonly title: string;
  /** Its store worker; undefined once the view is gone. */
  store(): StoreClient | undefined;
  /** Puts `text` in the view's search box and brings the view forward. */
  showQuery(text: string): void;
}

interface Shown {
  detail: EventDetail;
  raw: string;
  origin: EventOrigin;
  /** The origin that `forget` names: a hop opened here answers for the view's own origin. */
  root: EventOrigin;
  sessions: SessionLink[];
  source?: EventSource;
  row?: number;
  chain?: ChainView;
}

/** The one panel, shared by the event panel and its per-view bindings (`bound`). */
/**
 * The identity documents the event view offers for its event (the access-key report, a policy
 * draft). The identity feature writes them; the composition root hands them in, so this feature
 * never imports one that imports it (identity → logViewer → eventView).
 */
export interface IdentityDocuments {
  keyReport(store: StoreClient, key: string, view: string): Promise<unknown>;
  policyDraft(store: StoreClient, of: PolicyOf, view: string): Promise<unknown>;
}

interface Shared {
  panel?: vscode.WebviewPanel;
  current?: Shown;
}

export class EventPanel implements vscode.Disposable {
  private readonly shared: Shared;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly documents: EventDocuments,
    private readonly output: vscode.LogOutputChannel,
    private readonly ipData: IpData,
    private readonly identity: IdentityDocuments,
    private readonly source?: EventSource,
    shared?: Shared,
  ) {
    this.shared = shared ?? {};
  }

  /** The same panel, for events that `source` (a log view) opens: they get their chain and identity actions. */
  bound(source: EventSource): EventPanel {
    return new EventPanel(
      this.extensionUri,
      this.documents,
      this.output,
      this.ipData,
      this.identity,
      source,
      this.shared,
    );
  }

  /** Shows an event given as JSON text. Returns false when the text is not an event object. */
  show(raw: string, origin: EventOrigin): boolean {
    // A log view opens a row through its store and hands over that very text: the store knows its row.
    const opened = this.source?.store()?.lastOpened;
    const known = opened && opened.raw === raw ? { source: this.source, row: opened.row, chain: opened.chain } : {};
    return this.present(raw, origin, origin, known);
  }

  private present(
    raw: string,
    origin: EventOrigin,
    root: EventOrigin,
    extra: Pick<Shown, 'source' | 'row' | 'chain'>,
  ): boolean {
    const detail = describeEvent(raw);
    if (!detail) return false;
    this.shared.current = { detail, raw, origin, root, sessions: origin.sessions?.() ?? [], ...extra };
    const panel = this.shared.panel ?? this.create();
    // Event names are attacker-influenced: never hand VS Code an unbounded tab title.
    panel.title = `${shorten(detail.eventName, 60)} · ${shorten(detail.timeUtc, 30)}`;
    panel.reveal(vscode.ViewColumn.Beside, true);
    this.post();
    return true;
  }

  /** Drops a closed view's link, so its data can be freed and no pivot reaches it. */
  forget(origin: EventOrigin): void {
    const c = this.shared.current;
    if (c?.root === origin)
      this.shared.current = {
        ...c,
        origin: { pivotable: [], pivot: () => undefined },
        sessions: [],
        source: undefined,
      };
    this.post();
  }

  /** The event shown now (for tests and diagnostics). */
  shown(): EventDetail | undefined {
    return this.shared.current?.detail;
  }

  /** The access key of the event shown ('' when none): the key report's default. */
  shownAccessKey(): string {
    return this.shared.current?.detail.pivots.find((p) => p.field === 'accessKey')?.value ?? '';
  }

  private post(): void {
    const { panel, current } = this.shared;
    if (!panel || !current) return;
    const msg: ToEventView = {
      type: 'show',
      detail: current.detail,
      pivotable: [...current.origin.pivotable],
      sessions: current.sessions,
      chain: current.chain,
      linked: !!current.source,
      ip: this.ipPlace(current.detail.sourceIp),
    };
    void panel.webview.postMessage(msg);
  }

  /** The card's rows about the source IP; a broken data set costs the rows, never the view. */
  private ipPlace(sourceIp: string): IpPlace | undefined {
    if (!sourceIp) return undefined;
    try {
      const enricher = this.ipData.enricher();
      return ipCard(enricher.enrich(sourceIp), enricher.sources);
    } catch (e) {
      this.output.warn(`IP data: ${(e as Error).message}`);
      return undefined;
    }
  }

  private create(): vscode.WebviewPanel {
    const panel = openWebviewPanel(
      this.extensionUri,
      EVENT_PANEL,
      'CloudTrail event',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { title: 'CloudTrail event', script: 'dist/webview/eventView.js', styles: ['media/eventView.css'] },
    );
    const subscription = panel.webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw));
    panel.onDidDispose(() => {
      subscription.dispose();
      if (this.shared.panel === panel) {
        this.shared.panel = undefined;
        this.shared.current = undefined;
      }
    });
    this.shared.panel = panel;
    return panel;
  }

  private onMessage(raw: unknown): void {
    const msg = parseEventViewMessage(raw);
    if (!msg) {
      this.output.warn('Ignored a malformed message from the event view webview.');
      return;
    }
    const current = this.shared.current;
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
        void vscode.env.clipboard
          .writeText(msg.text)
          .then(() => vscode.window.setStatusBarMessage(`CloudTrail Lens: copied ${msg.what}`, 2000));
        break;
      case 'openJson':
        if (current) void this.documents.show(JSON.stringify(current.detail.event, null, 2), current.detail.eventName);
        break;
      case 'openHop':
        // Only a row the chain shown names: the webview cannot open arbitrary rows.
        if (current?.source && current.chain?.hops.some((h) => h.row === msg.row))
          void this.openHop(current, msg.row).catch((e: Error) =>
            this.output.warn(`Opening the issuing event failed: ${e.message}`),
          );
        break;
      case 'keyReport': {
        const store = current?.source?.store();
        const key = this.shownAccessKey();
        if (store && key) void this.identity.keyReport(store, key, current!.source!.title);
        break;
      }
      case 'policy':
        if (current?.source && current.row !== undefined) this.draft(current, msg.scope);
        break;
    }
  }

  /** Opens a chain hop's issuing event from the same log view, with its own sessions. */
  private async openHop(from: Shown, row: number): Promise<void> {
    const source = from.source!;
    const store = source.store();
    if (!store) return;
    const gap = sessionGapMs();
    const event = await store.open(row, gap);
    if (!event || this.shared.current?.root !== from.root) return;
    const origin: EventOrigin = {
      pivotable: from.origin.pivotable,
      pivot: (field, value) => from.origin.pivot(field, value),
      sessions: () => event.sessions,
      showSession: (by) =>
        void store.sessionQuery(row, by, gap).then(
          (q) => q && source.showQuery(q),
          (e: Error) => this.output.warn(`Showing the session failed: ${e.message}`),
        ),
    };
    this.present(event.raw, origin, from.root, { source, row, chain: event.chain });
  }

  private draft(from: Shown, scope: PolicyScope): void {
    const store = from.source?.store();
    if (store)
      void this.identity.policyDraft(store, { kind: scope, row: from.row!, gapMs: sessionGapMs() }, from.source!.title);
  }

  dispose(): void {
    // Bindings share the root's panel: only the root (the extension's) closes it.
    if (!this.source) this.shared.panel?.dispose();
  }
}
