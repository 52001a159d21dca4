/**
 * The notebook's commands (README "Notebooks"): a new notebook from the investigation in front,
 * the logs a notebook reads, and "Add to Notebook" from a log view's search.
 */
import * as vscode from 'vscode';
import { relativeSourcePath, serializeNotebook, type CellSource, type Notebook } from '../core/notebook/notebookFile';
import { CommandId } from '../common/commandIds';
import type { Commands } from '../common/commands';
import type { Sessions } from '../logViewer/sessions';
import type { ViewerSession } from '../logViewer/viewerSession';
import type { EventDetail } from '../protocol/eventView';
import type { DetectionSummary } from '../protocol/logViewer';
import { mdCode, mdText } from '../core/notebook/report';
import { QUERY_LANGUAGE } from './notebookOutput';
import { NOTEBOOK_TYPE, notebookOf } from './notebookSerializer';
import { exportReport } from './reportExport';

/** `uris` as a source relative to the notebook at `notebookUri`; throws with the reason when one is outside its folder. */
function sourceFor(notebookUri: vscode.Uri, uris: readonly vscode.Uri[]): CellSource {
  const dir = vscode.Uri.joinPath(notebookUri, '..').path;
  const paths = uris.map((u) => {
    const r = relativeSourcePath(dir, u.path);
    if (typeof r !== 'string') throw new Error(r.problem);
    return r;
  });
  return { kind: 'logs', paths: [...new Set(paths)] };
}

/** The notebook editor in front, if it is one of ours. */
function activeNotebook(): vscode.NotebookEditor | undefined {
  const editor = vscode.window.activeNotebookEditor;
  return editor?.notebook.notebookType === NOTEBOOK_TYPE ? editor : undefined;
}

/** The open notebook of ours to add to: the one in front, else the only one visible, else the user's pick. */
async function targetNotebook(): Promise<vscode.NotebookDocument | undefined> {
  const front =
    activeNotebook() ?? vscode.window.visibleNotebookEditors.find((e) => e.notebook.notebookType === NOTEBOOK_TYPE);
  if (front) return front.notebook;
  const open = vscode.workspace.notebookDocuments.filter((d) => d.notebookType === NOTEBOOK_TYPE && !d.isUntitled);
  if (open.length === 1) return open[0];
  if (open.length > 1) {
    const pick = await vscode.window.showQuickPick(
      open.map((d) => ({ label: vscode.workspace.asRelativePath(d.uri), doc: d })),
      { title: 'Add to which notebook?' },
    );
    return pick?.doc;
  }
  return undefined;
}

/**
 * Appends `cells` to `notebook`, shows them, and runs the one at `run` (its index among them);
 * answers the index of the first. Cells run through notebook.cell.execute's documented argument form.
 */
async function insertAndRun(
  notebook: vscode.NotebookDocument,
  cells: vscode.NotebookCellData[],
  run: number,
): Promise<number> {
  const index = notebook.cellCount;
  const edit = new vscode.WorkspaceEdit();
  edit.set(notebook.uri, [vscode.NotebookEdit.insertCells(index, cells)]);
  await vscode.workspace.applyEdit(edit);
  const editor = await vscode.window.showNotebookDocument(notebook);
  editor.revealRange(new vscode.NotebookRange(index, index + cells.length));
  await vscode.commands.executeCommand('notebook.cell.execute', {
    ranges: [{ start: index + run, end: index + run + 1 }],
    document: notebook.uri,
  });
  return index;
}

/**
 * Appends a citation (a note, then the query cell that finds what it cites) to the open notebook
 * and runs the query; the cell reads the log view's logs when the notebook names none of its own.
 */
async function cite(cells: vscode.NotebookCellData[], session: ViewerSession | undefined): Promise<number | undefined> {
  const notebook = await targetNotebook();
  if (!notebook) {
    void vscode.window.showInformationMessage(
      'Open a CloudTrail notebook first (or make one with "New Notebook from Investigation…").',
    );
    return undefined;
  }
  const shared = (notebook.metadata as { from?: CellSource }).from;
  if (!shared && session && session.roots.length > 0)
    cells[1].metadata = { from: sourceFor(notebook.uri, session.roots) };
  return insertAndRun(notebook, cells, 1);
}

export interface NotebookCommandDeps {
  sessions: Sessions;
  /** The event the event view shows (handed in: the notebook does not import the event view). */
  shownEvent: () => EventDetail | undefined;
}

/** A note citing one event, and a query cell that finds exactly it again (its eventID). */
export function eventCells(e: EventDetail): vscode.NotebookCellData[] {
  const who = e.identity.name || e.identity.heading || 'unknown';
  const outcome = e.outcome.ok ? 'succeeded' : `failed: ${e.outcome.errorCode}`;
  // The note is the investigator's text: the event's values go in as inline code, which Markdown shows as it is.
  const note = new vscode.NotebookCellData(
    vscode.NotebookCellKind.Markup,
    [
      `**Event** ${mdCode(e.eventName)} at ${mdCode(e.timeUtc)} (${mdText(outcome)})`,
      '',
      `- Who: ${mdCode(who)}`,
      `- From: ${mdCode(e.sourceIp || '—')}`,
      `- eventID: ${mdCode(e.eventId)}`,
    ].join('\n'),
    'markdown',
  );
  const id = e.eventId.replace(/"/g, '');
  const name = e.eventName.replace(/"/g, '');
  const query = new vscode.NotebookCellData(
    vscode.NotebookCellKind.Code,
    `eventName:"${name}" eventID:"${id}"`,
    QUERY_LANGUAGE,
  );
  return [note, query];
}

/** A detection cited in a notebook: a note on the rule (its values as text), then a cell finding its events. */
export function detectionCells(d: DetectionSummary): vscode.NotebookCellData[] {
  const note = new vscode.NotebookCellData(
    vscode.NotebookCellKind.Markup,
    [
      `**Detection** ${mdCode(d.title)} (${mdText(d.severity)}, rule ${mdCode(d.id)}): ${mdText(`${d.count.toLocaleString('en-US')} events in the log view`)}`,
      '',
      ...(d.mitre.length ? [`- MITRE ATT&CK: ${d.mitre.map(mdCode).join(', ')}`] : []),
      `- Source: ${mdText(d.source)}`,
      '',
      mdText(d.description.slice(0, 2000)),
    ].join('\n'),
    'markdown',
  );
  const query = new vscode.NotebookCellData(vscode.NotebookCellKind.Code, `detection:${d.id}`, QUERY_LANGUAGE);
  return [note, query];
}

export function registerNotebookCommands(commands: Commands, deps: NotebookCommandDeps): vscode.Disposable[] {
  const { sessions } = deps;

  /** Writes a new notebook beside the investigation's logs and opens it; undefined when cancelled. */
  const newNotebook = async (session: ViewerSession | undefined): Promise<vscode.Uri | undefined> => {
    const folder = session?.roots[0]
      ? vscode.Uri.joinPath(session.roots[0], '..')
      : vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri = await vscode.window.showSaveDialog({
      title: 'New CloudTrail notebook',
      saveLabel: 'Create Notebook',
      filters: { 'CloudTrail notebook': ['ctnb'] },
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, 'investigation.ctnb') } : {}),
    });
    if (!uri) return undefined;
    const shown = session?.shownQuery();
    const nb: Notebook = {
      version: 1,
      ...(session && session.roots.length > 0 ? { from: sourceFor(uri, session.roots) } : {}),
      cells: [
        {
          kind: 'markdown',
          source: `# ${session ? session.title : 'Investigation'}\n\nWhat happened, what was found, and why.`,
        },
        ...(shown && shown.query.text.trim() ? [{ kind: 'query' as const, source: shown.query.text }] : []),
      ],
    };
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(serializeNotebook(nb)));
    await vscode.window.showNotebookDocument(await vscode.workspace.openNotebookDocument(uri));
    return uri;
  };

  return [
    commands.register(CommandId.ExportNotebookReport, async () => {
      const editor =
        activeNotebook() ?? vscode.window.visibleNotebookEditors.find((e) => e.notebook.notebookType === NOTEBOOK_TYPE);
      if (!editor) {
        void vscode.window.showInformationMessage('Open a CloudTrail notebook (.ctnb) first.');
        return undefined;
      }
      const nbUri = editor.notebook.uri;
      const target = await vscode.window.showSaveDialog({
        title: 'Export the notebook as a report (Markdown and HTML)',
        saveLabel: 'Export Report',
        filters: { Markdown: ['md'] },
        defaultUri: nbUri.with({ path: nbUri.path.replace(/\.ctnb$/i, '') + '-report.md' }),
      });
      if (!target) return undefined;
      const ac = new AbortController();
      const done = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: 'CloudTrail Lens: writing the report…',
          cancellable: true,
        },
        (_p, token) => {
          token.onCancellationRequested(() => ac.abort());
          return exportReport(notebookOf(editor.notebook), nbUri, target, ac.signal);
        },
      );
      void vscode.window
        .showInformationMessage(
          `CloudTrail Lens: report written (${vscode.workspace.asRelativePath(done.markdown)} and .html), with the SHA-256 and integrity verdict of ${done.files} log file${done.files === 1 ? '' : 's'}.`,
          'Open Report',
        )
        .then((pick) => pick && vscode.window.showTextDocument(done.markdown));
      return done;
    }),

    commands.register(CommandId.NewNotebook, () => newNotebook(sessions.active())),

    commands.register(CommandId.SetNotebookLogs, async (): Promise<CellSource | undefined> => {
      const editor = activeNotebook();
      if (!editor) {
        void vscode.window.showInformationMessage('Open a CloudTrail notebook (.ctnb) first.');
        return undefined;
      }
      const picked = await vscode.window.showOpenDialog({
        canSelectFiles: true,
        canSelectFolders: true,
        canSelectMany: true,
        openLabel: 'Use These Logs',
        title: 'The CloudTrail logs this notebook reads',
        defaultUri: vscode.Uri.joinPath(editor.notebook.uri, '..'),
      });
      if (!picked || picked.length === 0) return undefined;
      const from = sourceFor(editor.notebook.uri, picked);
      const edit = new vscode.WorkspaceEdit();
      edit.set(editor.notebook.uri, [
        vscode.NotebookEdit.updateNotebookMetadata({ ...editor.notebook.metadata, from }),
      ]);
      await vscode.workspace.applyEdit(edit);
      return from;
    }),

    commands.register(CommandId.AddEventToNotebook, async (): Promise<number | undefined> => {
      const event = deps.shownEvent();
      if (!event) {
        void vscode.window.showInformationMessage('Open an event first: the event view shows what is added.');
        return undefined;
      }
      if (!event.eventId) {
        void vscode.window.showWarningMessage('This event has no eventID, so a notebook cannot find it again.');
        return undefined;
      }
      return cite(eventCells(event), sessions.active());
    }),

    commands.register(CommandId.AddDetectionToNotebook, async (id: unknown): Promise<number | undefined> => {
      const session = sessions.active();
      const d = typeof id === 'string' ? session?.detection(id) : undefined;
      if (!session || !d) {
        void vscode.window.showInformationMessage(
          'Open a detection\'s details in the log view\'s panel and use "Add to notebook" there.',
        );
        return undefined;
      }
      return cite(detectionCells(d), session);
    }),

    commands.register(CommandId.AddSearchToNotebook, async (): Promise<number | undefined> => {
      const session = sessions.active();
      const shown = session?.shownQuery();
      if (!session || !shown) {
        void vscode.window.showInformationMessage('Search in a log view first: its search is what is added.');
        return undefined;
      }
      const notebook = await targetNotebook();
      if (!notebook) {
        await newNotebook(session);
        return undefined;
      }
      const from = sourceFor(notebook.uri, session.roots);
      const shared = (notebook.metadata as { from?: CellSource }).from;
      const same = shared && JSON.stringify([...shared.paths].sort()) === JSON.stringify([...from.paths].sort());
      const cell = new vscode.NotebookCellData(vscode.NotebookCellKind.Code, shown.query.text, QUERY_LANGUAGE);
      if (!same) cell.metadata = { from };
      return insertAndRun(notebook, [cell], 0);
    }),
  ];
}
