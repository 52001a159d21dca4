/**
 * Binds one log viewer webview (a custom editor or a panel) to one Investigation: loads files
 * into it with progress and cancel, answers the webview's queries and row requests, and opens
 * events. Thin: the events live in a store worker (core/engine/storeService.ts), asked through StoreClient.
 */
import * as vscode from 'vscode';
import { maxFileBytes, sessionGapMs } from '../common/config';
import { expandRoots, loadFiles, type Decoder } from '../core/ingest/loader';
import { parseViewerMessage } from '../core/ui/viewerMessages';
import type { LoadStatus, SortOrder, ToWebview } from '../protocol/logViewer';
import { fieldTerm } from '../core/query/query';
import type { EventOrigin, EventPanel } from '../eventView/eventPanel';
import type { StoreClient } from '../core/engine/storeClient';
import { PIVOT_FIELDS, type PivotField, type SessionBy, type SessionLink } from '../protocol/eventView';
import { CommandId } from '../common/commandIds';
import { Analysis } from './analysis';
import { exportResults } from './exportFlow';
import { workspaceFs } from '../common/workspaceFs';

export interface SessionDeps {
  extensionUri: vscode.Uri;
  decoder: Decoder;
  /** A new store worker for one view's events (the host keeps none of them). */
  newStore: () => StoreClient;
  concurrency: number;
  eventPanel: EventPanel;
  output: vscode.LogOutputChannel;
}

/** What a finished load amounts to (returned by the open commands; the tests read it). */
export interface LoadSummary {
  title: string;
  events: number;
  files: number;
  filesFailed: number;
  digests: number;
  duplicates: number;
  cancelled: boolean;
}

const REFRESH_MS = 150;

const EMPTY_STATUS: LoadStatus = {
  loading: false,
  filesTotal: 0,
  filesDone: 0,
  filesFailed: 0,
  digests: 0,
  events: 0,
  duplicates: 0,
  notes: [],
  notesOmitted: 0,
};

export class ViewerSession implements vscode.Disposable {
  /** The worker that owns this view's events; every question about them is a request to it. */
  readonly store: StoreClient;
  /** The store's status as last fetched (what the view and the tests' API report). */
  lastStatus: LoadStatus = EMPTY_STATUS;
  /** The result set last posted to the webview: its query, size and version. */
  private shown: { query: { text: string; sort: SortOrder }; total: number; version: number } | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private query: { text: string; sort: SortOrder } | undefined;
  /** Every file and folder loaded into this view, in order (a notebook names them as its logs). */
  readonly roots: vscode.Uri[] = [];
  private loadCts: vscode.CancellationTokenSource | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private refreshCost = 0;
  private overviewVersion = -1;
  /** A query given while the page was hidden, for its next `ready` (showQuery). */
  private pendingQuery: string | undefined;
  private loads: Promise<void> = Promise.resolve();
  private pendingLoads = 0;
  private readonly analysis: Analysis;
  private disposed = false;

  private readonly webview: vscode.Webview;

  constructor(
    private readonly panel: vscode.WebviewPanel,
    readonly title: string,
    private readonly deps: SessionDeps,
  ) {
    this.webview = panel.webview;
    this.store = deps.newStore();
    this.store.onStopped((reason) => {
      deps.output.error(`${title}: the event store stopped: ${reason}.`);
      // No more files are read for a store that is gone.
      this.loadCts?.cancel();
      // The view keeps what it showed, and says why nothing more will come.
      const note = {
        label: 'Event store',
        state: 'failed' as const,
        message: `Stopped: ${reason}. Close this view and open fewer files.`,
      };
      this.lastStatus = { ...this.lastStatus, loading: false, notes: [...this.lastStatus.notes, note] };
      this.post({ type: 'status', status: this.lastStatus });
      void vscode.window.showErrorMessage(
        `CloudTrail Lens: the events of ${title} are no longer available: ${reason}. Close the view and open fewer files, or raise the memory available.`,
      );
    });
    this.disposables.push(this.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)));
    // New detection row sets change what a detection: query selects (the result cache knows).
    this.analysis = new Analysis(
      this.store,
      deps.extensionUri,
      deps.output,
      (m) => this.post(m),
      (partial) => {
        if (!partial || /detection:/i.test(this.query?.text ?? '')) this.guard('search', this.postResults());
      },
    );
  }

  /** Runs `work` for a webview message; a failure (the store stopped) is logged, not thrown. */
  private guard(what: string, work: Promise<unknown>): void {
    work.catch((e: unknown) => {
      if (!this.disposed) this.deps.output.warn(`${this.title}: ${what} failed: ${(e as Error).message}`);
    });
  }

  /** Rule `id` as this view's last detections run summed it up (for a notebook's citation). */
  detection(id: string): ReturnType<Analysis['detection']> {
    return this.analysis.detection(id);
  }

  /** Events each detection flagged in this view's last finished run (the coverage matrix); undefined before one. */
  detectionCounts(): Map<string, number> | undefined {
    return this.analysis.detectionCounts();
  }

  /** The query the view shows and how many events it selected (what Export writes). */
  shownQuery(): { query: { text: string; sort: SortOrder }; total: number } | undefined {
    return this.shown;
  }

  /** Fetches the store's status and shows it. */
  private async postStatus(): Promise<LoadStatus> {
    const status = await this.store.status();
    this.lastStatus = status;
    this.post({ type: 'status', status });
    return status;
  }

  private post(msg: ToWebview): void {
    if (!this.disposed) void this.webview.postMessage(msg);
  }

  private onMessage(raw: unknown): void {
    const msg = parseViewerMessage(raw);
    if (!msg) {
      this.deps.output.warn('Ignored a malformed message from the log viewer webview.');
      return;
    }
    switch (msg.type) {
      case 'ready':
        // A reloaded page (hidden, then shown) has no timeline yet: send the overview again.
        this.overviewVersion = -1;
        this.post({ type: 'init', title: this.title });
        this.guard('status', this.postStatus());
        this.analysis.replay();
        if (this.pendingQuery !== undefined) this.post({ type: 'setQuery', text: this.pendingQuery });
        this.pendingQuery = undefined;
        break;
      case 'query':
        this.query = { text: msg.text, sort: msg.sort };
        this.guard('search', this.postResults());
        break;
      case 'rows':
        this.guard('rows', this.postRows(msg.version, msg.start, msg.count));
        break;
      case 'open':
        this.guard('opening the event', this.openEvent(msg.id));
        break;
      case 'cancel':
        this.loadCts?.cancel();
        break;
      case 'add':
        void this.addFromPicker();
        break;
      case 'export':
        void exportResults(this, this.deps.output);
        break;
      case 'exportAlert':
        void vscode.commands.executeCommand(CommandId.ExportDetectionAsAlert, msg.id);
        break;
      case 'addDetectionToNotebook':
        void vscode.commands.executeCommand(CommandId.AddDetectionToNotebook, msg.id);
        break;
      case 'stopDetections':
        this.analysis.stopDetections();
        break;
      case 'coverage':
        // The matrix takes its counts from the log view in front: this one, whose link was clicked.
        void vscode.commands.executeCommand(CommandId.ShowDetectionCoverage);
        break;
      case 'remote':
        // The host asks which trail, back end and window: the webview names only the query.
        void vscode.commands.executeCommand(CommandId.SearchRemotely, { query: msg.text });
        break;
    }
  }

  private async postRows(version: number, start: number, count: number): Promise<void> {
    if (version !== this.shown?.version) return;
    const rows = await this.store.rows(version, start, count);
    if (rows) this.post({ type: 'rows', version, start, rows });
  }

  private async postResults(): Promise<void> {
    const q = this.query;
    if (!q) return;
    const r = await this.store.query(q.text, q.sort);
    // Replaced by a newer query (the store skipped this one, or the user typed on).
    if (!r || this.query !== q) return;
    this.shown = { query: q, total: r.total, version: r.version };
    this.post({ type: 'results', version: r.version, total: r.total, errors: r.errors, query: q.text, sort: q.sort });
    this.scheduleOverview(r.version);
  }

  /**
   * The timeline and top values follow the table: computed after the results are posted (the
   * first rows show at once), once per result set, and skipped when a newer one has replaced it.
   */
  private scheduleOverview(version: number): void {
    if (this.overviewVersion === version) return;
    this.overviewVersion = version;
    this.guard(
      'the timeline',
      this.store.overview(version).then((o) => o && this.post({ type: 'overview', version, ...o })),
    );
  }

  /**
   * Coalesces the updates of a streaming load into a few refreshes a second. Each refresh re-runs
   * the query, so the pause grows with what the last one cost: a large store is not re-sorted
   * in a tight loop on the extension host.
   */
  private scheduleRefresh(): void {
    if (this.refreshTimer || this.disposed) return;
    this.refreshTimer = setTimeout(
      () => {
        this.refreshTimer = undefined;
        if (this.disposed) return;
        const started = Date.now();
        this.guard(
          'refresh',
          Promise.all([this.postStatus(), this.postResults()]).finally(() => (this.refreshCost = Date.now() - started)),
        );
      },
      Math.max(REFRESH_MS, this.refreshCost * 4),
    );
  }

  /** The row last opened in the event view, and its sessions (offered there). */
  private opened = -1;
  private openedSessions: SessionLink[] = [];
  private readonly origin: EventOrigin = {
    pivotable: PIVOT_FIELDS,
    pivot: (field: PivotField, value: string) => this.pivot(field, value),
    sessions: () => this.openedSessions,
    showSession: (by: SessionBy) => {
      if (this.opened < 0) return;
      this.guard(
        'showing the session',
        this.store.sessionQuery(this.opened, by, sessionGapMs()).then((q) => q && this.showQuery(q)),
      );
    },
  };

  private async openEvent(id: number): Promise<void> {
    const event = await this.store.open(id, sessionGapMs());
    if (!event || this.disposed) return;
    this.opened = id;
    this.openedSessions = event.sessions;
    this.deps.eventPanel.show(event.raw, this.origin);
  }

  /**
   * Puts `text` in this view's search box and brings the view forward. A hidden view's page is
   * reloaded when it is shown and would miss the message (its saved state wins): the query then
   * waits for its `ready`.
   */
  showQuery(text: string): void {
    if (this.disposed) return;
    if (this.panel.visible) this.post({ type: 'setQuery', text });
    else this.pendingQuery = text;
    this.panel.reveal(undefined, false);
  }

  /** "Show all events with this value": filters this view on it and brings it forward. */
  pivot(field: PivotField, value: string): void {
    this.showQuery(fieldTerm(field, value));
  }

  /**
   * Loads files and folders into this view; resolves when done or cancelled. Loads run one after
   * another, so files added while others load join the same investigation in turn.
   */
  load(uris: readonly vscode.Uri[]): Promise<LoadSummary> {
    this.roots.push(...uris);
    this.pendingLoads++;
    const next = this.loads
      .then(() => this.loadNow(uris))
      .finally(() => {
        // Analyses run over everything once no more files are queued.
        if (--this.pendingLoads === 0 && !this.disposed) void this.analysis.run();
      });
    this.loads = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  /** Runs the analyses again (the rule folder changed); a load in progress will run them anyway. */
  reanalyze(): void {
    if (this.pendingLoads === 0 && !this.disposed) void this.analysis.run();
  }

  /** The IP data changed: the query runs again (its rows' columns, its IP terms) and so do the detections. */
  ipDataChanged(): void {
    if (this.disposed) return;
    this.guard('search', this.postResults());
    this.reanalyze();
  }

  /** Asks for more files or folders and adds them to this investigation. */
  async addFromPicker(): Promise<LoadSummary | undefined> {
    const picked = await vscode.window.showOpenDialog({
      canSelectFiles: true,
      canSelectFolders: true,
      canSelectMany: true,
      openLabel: 'Add to Investigation',
      title: `Add CloudTrail logs to ${this.title}`,
    });
    return picked && picked.length > 0 && !this.disposed ? this.load(picked) : undefined;
  }

  private async loadNow(uris: readonly vscode.Uri[]): Promise<LoadSummary> {
    const store = this.store;
    const fs = workspaceFs(uris);
    const cts = (this.loadCts = new vscode.CancellationTokenSource());
    void store.setLoad({ loading: true, cancelled: false }).catch(() => undefined);
    this.scheduleRefresh();
    const quiet = uris.length === 1;
    try {
      await vscode.window.withProgress(
        {
          location: quiet ? vscode.ProgressLocation.Window : vscode.ProgressLocation.Notification,
          title: `CloudTrail Lens: loading ${this.title}`,
          cancellable: true,
        },
        async (progress, token) => {
          token.onCancellationRequested(() => cts.cancel());
          const { files, problems } = await expandRoots(fs, uris, cts.token);
          for (const p of problems) {
            void store.addProblem(p.label, p.reason).catch(() => undefined);
            this.deps.output.warn(`${p.label}: ${p.reason}`);
          }
          await store.setLoad({ addTotal: files.length });
          let lastDone = 0;
          let lastCurrent = '';
          await loadFiles(fs, this.deps.decoder, files, {
            limits: { maxBytes: maxFileBytes() },
            concurrency: this.deps.concurrency,
            token: cts.token,
            // Awaited: a store that falls behind holds the decoders back instead of queueing batches.
            onFile: async (_loc, label, result) => {
              if (result.kind === 'error') this.deps.output.warn(`${label}: ${result.reason}`);
              const added = await store.addFile(label, result);
              if (result.kind !== 'error')
                this.deps.output.info(`${label}: ${result.kind === 'digest' ? 'digest file' : `${added} events`}`);
              this.scheduleRefresh();
            },
            onProgress: (done, total, current) => {
              if (current !== lastCurrent)
                void store.setLoad({ current: (lastCurrent = current) }).catch(() => undefined);
              progress.report({
                message: `${done}/${total} files`,
                increment: total ? ((done - lastDone) / total) * 100 : 0,
              });
              lastDone = done;
            },
          });
        },
      );
    } catch (e) {
      // The store stopped (the view was closed, or the worker died and said why): the load ends
      // with what was stored, like a cancel.
      if (store.stopped === undefined) throw e;
    } finally {
      const cancelled = cts.token.isCancellationRequested;
      cts.dispose();
      if (this.loadCts === cts) this.loadCts = undefined;
      await store.setLoad({ loading: false, current: null, cancelled }).catch(() => undefined);
      this.scheduleRefresh();
    }
    const s = store.stopped === undefined ? await this.postStatus() : { ...this.lastStatus, cancelled: true };
    if (s.filesFailed > 0 && !this.disposed) {
      void vscode.window
        .showWarningMessage(
          `CloudTrail Lens: ${s.filesFailed} of ${s.filesTotal} file${s.filesTotal === 1 ? '' : 's'} in ${this.title} could not be read; the rest are loaded. The view lists each file and why.`,
          'Show Log',
        )
        .then((pick) => pick && this.deps.output.show(true));
    }
    return {
      title: this.title,
      events: s.events,
      files: s.filesDone,
      filesFailed: s.filesFailed,
      digests: s.digests,
      duplicates: s.duplicates,
      cancelled: !!s.cancelled,
    };
  }

  dispose(): void {
    this.disposed = true;
    this.analysis.dispose();
    this.store.dispose();
    this.deps.eventPanel.forget(this.origin);
    this.loadCts?.cancel();
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
