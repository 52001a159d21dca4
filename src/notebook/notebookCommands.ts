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

export interface NotebookCommandDeps {
  sessions: Sessions;
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
      const index = notebook.cellCount;
      const edit = new vscode.WorkspaceEdit();
      edit.set(notebook.uri, [vscode.NotebookEdit.insertCells(index, [cell])]);
      await vscode.workspace.applyEdit(edit);
      const editor = await vscode.window.showNotebookDocument(notebook);
      editor.revealRange(new vscode.NotebookRange(index, index + 1));
      await vscode.commands.executeCommand('notebook.cell.execute', { start: index, end: index + 1 }, notebook.uri);
      return index;
    }),
  ];
}
