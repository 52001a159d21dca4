/**
 * Binds one log viewer webview (a custom editor or a panel) to one Investigation: loads files
 * into it with progress and cancel, answers the webview's queries and row requests, and opens
 * events. Thin: the logic lives in core/investigation.ts.
 */
import * as vscode from 'vscode';
import { maxFileBytes, sessionGapMs } from '../config';
import { Investigation } from '../core/investigation';
import { expandRoots, loadFiles, type Decoder } from '../core/loader';
import { parseViewerMessage } from '../core/viewerMessages';
import type { SortOrder, ToWebview } from '../protocol/logViewer';
import { fieldTerm } from '../core/query';
import type { EventOrigin, EventPanel } from '../eventView/eventPanel';
import { sessionOf } from '../core/sessions';
import { PIVOT_FIELDS, type PivotField, type SessionBy, type SessionLink } from '../protocol/eventView';
import { Analysis } from './analysis';
import { exportResults } from './exportFlow';
import { workspaceFs } from './workspaceFs';

export interface SessionDeps {
  extensionUri: vscode.Uri;
  decoder: Decoder;
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


export class ViewerSession implements vscode.Disposable {
  readonly investigation = new Investigation();
  private readonly disposables: vscode.Disposable[] = [];
  private query: { text: string; sort: SortOrder } | undefined;
  private loadCts: vscode.CancellationTokenSource | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private refreshCost = 0;
  private overviewVersion = -1;
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
    this.disposables.push(this.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)));
    // New detection row sets change what a detection: query selects (the result cache knows).
    this.analysis = new Analysis(this.investigation, deps.extensionUri, deps.output, (m) => this.post(m), () => this.postResults());
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
        this.post({ type: 'status', status: this.investigation.status() });
        this.analysis.replay();
        break;
      case 'query':
        this.query = { text: msg.text, sort: msg.sort };
        this.postResults();
        break;
      case 'rows':
        if (msg.version === this.investigation.resultVersion) {
          this.post({ type: 'rows', version: msg.version, start: msg.start, rows: this.investigation.rows(msg.start, msg.count) });
        }
        break;
      case 'open':
        this.openEvent(msg.id);
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
    }
  }

  private postResults(): void {
    if (!this.query) return;
    const r = this.investigation.query(this.query.text, this.query.sort);
    this.post({ type: 'results', version: r.version, total: r.total, errors: r.errors, query: this.query.text, sort: this.query.sort });
    this.scheduleOverview(r.version);
  }

  /**
   * The timeline and top values follow the table: computed after the results are posted (the
   * first rows show at once), once per result set, and skipped when a newer one has replaced it.
   */
  private scheduleOverview(version: number): void {
    if (this.overviewVersion === version) return;
    this.overviewVersion = version;
    setImmediate(() => {
      if (this.disposed || version !== this.investigation.resultVersion) return;
      this.post({ type: 'overview', version, ...this.investigation.overview() });
    });
  }

  /**
   * Coalesces the updates of a streaming load into a few refreshes a second. Each refresh re-runs
   * the query, so the pause grows with what the last one cost: a large store is not re-sorted
   * in a tight loop on the extension host.
   */
  private scheduleRefresh(): void {
    if (this.refreshTimer || this.disposed) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      if (this.disposed) return;
      const started = Date.now();
      this.post({ type: 'status', status: this.investigation.status() });
      this.postResults();
      this.refreshCost = Date.now() - started;
    }, Math.max(REFRESH_MS, this.refreshCost * 4));
  }

  /** The row last opened in the event view (its sessions are offered there). */
  private opened = -1;
  private readonly origin: EventOrigin = {
    pivotable: PIVOT_FIELDS,
    pivot: (field: PivotField, value: string) => this.pivot(field, value),
    sessions: () => this.sessionsOf(this.opened),
    showSession: (by: SessionBy) => {
      const q = this.opened >= 0 ? sessionOf(this.investigation.store, this.opened, by, sessionGapMs())?.query : undefined;
      if (q) this.showQuery(q);
    },
  };

  private sessionsOf(row: number): SessionLink[] {
    if (row < 0) return [];
    const links: SessionLink[] = [];
    const gap = sessionGapMs();
    for (const by of ['principal', 'accessKey'] as const) {
      const s = sessionOf(this.investigation.store, row, by, gap);
      // Offered only when the language can select it exactly.
      if (s?.query) links.push({ by, key: s.key, start: s.start, end: s.end, count: s.count, errors: s.errors, gapMinutes: gap / 60_000 });
    }
    return links;
  }

  private openEvent(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.investigation.store.size) return;
    this.opened = id;
    this.deps.eventPanel.show(this.investigation.store.raw(id), this.origin);
  }

  /** Puts `text` in this view's search box and brings the view forward. */
  private showQuery(text: string): void {
    if (this.disposed) return;
    this.post({ type: 'setQuery', text });
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
    this.pendingLoads++;
    const next = this.loads.then(() => this.loadNow(uris)).finally(() => {
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
    const inv = this.investigation;
    const fs = workspaceFs(uris);
    const cts = (this.loadCts = new vscode.CancellationTokenSource());
    inv.loading = true;
    inv.cancelled = false;
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
            inv.addProblem(p.label, p.reason);
            this.deps.output.warn(`${p.label}: ${p.reason}`);
          }
          inv.filesTotal += files.length;
          let lastDone = 0;
          await loadFiles(fs, this.deps.decoder, files, {
            limits: { maxBytes: maxFileBytes() },
            concurrency: this.deps.concurrency,
            token: cts.token,
            onFile: (_loc, label, result) => {
              const added = inv.addFile(label, result);
              if (result.kind === 'error') this.deps.output.warn(`${label}: ${result.reason}`);
              else this.deps.output.info(`${label}: ${result.kind === 'digest' ? 'digest file' : `${added} events`}`);
              this.scheduleRefresh();
            },
            onProgress: (done, total, current) => {
              inv.current = current;
              progress.report({ message: `${done}/${total} files`, increment: total ? ((done - lastDone) / total) * 100 : 0 });
              lastDone = done;
            },
          });
        },
      );
    } finally {
      inv.loading = false;
      inv.current = undefined;
      inv.cancelled = cts.token.isCancellationRequested;
      cts.dispose();
      if (this.loadCts === cts) this.loadCts = undefined;
      this.scheduleRefresh();
    }
    const s = inv.status();
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
    this.deps.eventPanel.forget(this.origin);
    this.loadCts?.cancel();
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
