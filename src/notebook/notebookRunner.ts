/**
 * Runs a notebook's query cells (README "Notebooks") with the log view's engine: the logs a cell
 * names are loaded once per notebook into a store worker of its own, and each cell is a query to
 * it. A cell that cannot run (its logs are gone, the workspace is not trusted, the query does not
 * parse) says why in its output and keeps its saved output beside the message: nothing is lost.
 */
import * as vscode from 'vscode';
import type { StoreClient } from '../core/engine/storeClient';
import { expandRoots, loadFiles, type Decoder } from '../core/ingest/loader';
import { boundOutput, countChange, resolveSourcePath, type CellSource } from '../core/notebook/notebookFile';
import { CellProblem, runQueryCell } from '../core/notebook/runCell';
import type { DetectionRule } from '../core/investigate/detections/rules';
import { maxFileBytes } from '../common/config';
import { workspaceFs } from '../common/workspaceFs';
import { maxOutputBytes, outputItems, QUERY_LANGUAGE } from './notebookOutput';
import { NOTEBOOK_TYPE, savedOutput } from './notebookSerializer';

export interface RunnerDeps {
  decoder: Decoder;
  newStore: () => StoreClient;
  concurrency: number;
  output: vscode.LogOutputChannel;
  /** The log view's detection rules: run once over a notebook's logs, so cells can say which fired (and `detection:` works). */
  rules: () => Promise<DetectionRule[]>;
}

/** One source's events in a store, loaded once per notebook and reused by its cells. */
interface Loaded {
  store: StoreClient;
  events: number;
  problems: string[];
}

export class NotebookRunner implements vscode.Disposable {
  private readonly controller: vscode.NotebookController;
  /** Per notebook and source: the loading or loaded store. */
  private readonly stores = new Map<string, Promise<Loaded>>();
  private readonly disposables: vscode.Disposable[] = [];
  private order = 0;
  private cts: vscode.CancellationTokenSource | undefined;

  constructor(private readonly deps: RunnerDeps) {
    this.controller = vscode.notebooks.createNotebookController(
      'cloudtrailLens.notebookController',
      NOTEBOOK_TYPE,
      'CloudTrail Lens',
    );
    this.controller.supportedLanguages = [QUERY_LANGUAGE];
    this.controller.supportsExecutionOrder = true;
    this.controller.description = 'Runs searches over the logs each cell names';
    this.controller.executeHandler = (cells, notebook) => this.execute(cells, notebook);
    this.controller.interruptHandler = () => this.cts?.cancel();
    // The one kernel for these notebooks: preferred, so Run All needs no kernel pick first.
    const prefer = (nb: vscode.NotebookDocument): void => {
      if (nb.notebookType === NOTEBOOK_TYPE)
        this.controller.updateNotebookAffinity(nb, vscode.NotebookControllerAffinity.Preferred);
    };
    vscode.workspace.notebookDocuments.forEach(prefer);
    this.disposables.push(
      this.controller,
      vscode.workspace.onDidOpenNotebookDocument(prefer),
      vscode.workspace.onDidCloseNotebookDocument((nb) => this.forget(nb)),
    );
  }

  /** Runs `cells` in turn; Run all's cells whose count changed since the saved run are marked. */
  private async execute(cells: readonly vscode.NotebookCell[], notebook: vscode.NotebookDocument): Promise<void> {
    const cts = (this.cts = new vscode.CancellationTokenSource());
    try {
      for (const cell of cells) {
        if (cts.token.isCancellationRequested) break;
        if (cell.kind !== vscode.NotebookCellKind.Code) continue;
        await this.runCell(cell, notebook, cts.token);
      }
    } finally {
      cts.dispose();
      if (this.cts === cts) this.cts = undefined;
    }
  }

  private async runCell(
    cell: vscode.NotebookCell,
    notebook: vscode.NotebookDocument,
    token: vscode.CancellationToken,
  ): Promise<void> {
    const exec = this.controller.createNotebookCellExecution(cell);
    exec.executionOrder = ++this.order;
    exec.start(Date.now());
    const before = savedOutput(cell);
    const kept = before ? [new vscode.NotebookCellOutput(outputItems(before))] : [];
    try {
      if (!vscode.workspace.isTrusted)
        throw new CellProblem(
          'This workspace is not trusted, so cells do not run; the saved output below is shown as it was saved. Trust the workspace to run them.',
        );
      const from = sourceOf(cell, notebook);
      const loaded = await this.storeFor(notebook, from, token);
      const out = await runQueryCell(loaded.store, cell.document.getText(), loaded);
      if (token.isCancellationRequested) throw new CellProblem('Stopped.');
      const change = countChange(before, out);
      if (change) out.previousCount = before!.count;
      await exec.replaceOutput([new vscode.NotebookCellOutput(outputItems(boundOutput(out, maxOutputBytes())))]);
      exec.end(true, Date.now());
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (!(e instanceof CellProblem)) this.deps.output.error(`Notebook cell ${cell.index + 1}: ${message}`);
      const error = new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.stderr(message)]);
      await exec.replaceOutput([error, ...kept]);
      exec.end(false, Date.now());
    }
  }

  /** The store holding `from`'s events for this notebook, loading them the first time. */
  private async storeFor(
    notebook: vscode.NotebookDocument,
    from: CellSource,
    token: vscode.CancellationToken,
  ): Promise<Loaded> {
    const dir = vscode.Uri.joinPath(notebook.uri, '..');
    const uris = from.paths.map((p) => {
      const r = resolveSourcePath(dir.path, p);
      if (typeof r !== 'string') throw new CellProblem(`The cell's logs: ${r.problem}.`);
      return dir.with({ path: r });
    });
    const key = `${notebook.uri.toString()}\n${uris
      .map((u) => u.toString())
      .sort()
      .join('\n')}`;
    const cached = this.stores.get(key);
    if (cached) {
      // Loaded before: if the logs have gone since, the run says so rather than answer from memory.
      const there = await Promise.all(
        uris.map((u) =>
          vscode.workspace.fs.stat(u).then(
            () => true,
            () => false,
          ),
        ),
      );
      if (there.every(Boolean)) return cached;
      this.stores.delete(key);
      void cached.then(
        (l) => l.store.dispose(),
        () => undefined,
      );
    }
    const loading = this.load(uris, token);
    this.stores.set(key, loading);
    // A failed load is not kept: the next run tries again (the files may be back).
    loading.catch(() => this.stores.delete(key));
    return loading;
  }

  private async load(uris: vscode.Uri[], token: vscode.CancellationToken): Promise<Loaded> {
    const present: vscode.Uri[] = [];
    const problems: string[] = [];
    for (const u of uris) {
      try {
        await vscode.workspace.fs.stat(u);
        present.push(u);
      } catch {
        problems.push(`${vscode.workspace.asRelativePath(u)} is not there (moved or deleted).`);
      }
    }
    if (present.length === 0)
      throw new CellProblem(
        `None of the cell's logs can be found: ${problems.join(' ')} Saved outputs stay as they were.`,
      );
    const store = this.deps.newStore();
    const fs = workspaceFs(present);
    const { files, problems: folderProblems } = await expandRoots(fs, present, token);
    for (const p of folderProblems) problems.push(`${p.label}: ${p.reason}`);
    await loadFiles(fs, this.deps.decoder, files, {
      limits: { maxBytes: maxFileBytes() },
      concurrency: this.deps.concurrency,
      token,
      onFile: async (_loc, label, result) => {
        if (result.kind === 'error') problems.push(`${label}: ${result.reason}`);
        await store.addFile(label, result);
      },
    });
    if (token.isCancellationRequested) {
      store.dispose();
      throw new CellProblem('Stopped while loading the logs.');
    }
    // The log view's detections, once per loaded source: each cell's output lists those that fired on its events.
    try {
      const rules = await this.deps.rules();
      if (rules.length > 0) await store.detections(rules);
    } catch (e) {
      problems.push(`The detections did not run: ${(e as Error).message}`);
    }
    const status = await store.status();
    return { store, events: status.events, problems: problems.slice(0, 50) };
  }

  private forget(notebook: vscode.NotebookDocument): void {
    const prefix = `${notebook.uri.toString()}\n`;
    for (const [key, loading] of this.stores)
      if (key.startsWith(prefix)) {
        this.stores.delete(key);
        void loading.then(
          (l) => l.store.dispose(),
          () => undefined,
        );
      }
  }

  dispose(): void {
    for (const loading of this.stores.values())
      void loading.then(
        (l) => l.store.dispose(),
        () => undefined,
      );
    this.stores.clear();
    for (const d of this.disposables) d.dispose();
  }
}

/** A cell's source: its own `from`, else the notebook's. */
function sourceOf(cell: vscode.NotebookCell, notebook: vscode.NotebookDocument): CellSource {
  const own = (cell.metadata as { from?: CellSource }).from;
  const shared = (notebook.metadata as { from?: CellSource }).from;
  const from = own ?? shared;
  if (!from)
    throw new CellProblem(
      'This cell names no logs. Use "CloudTrail: Set Notebook Logs…" to choose the log files or folders this notebook reads.',
    );
  return from;
}
