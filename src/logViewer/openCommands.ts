/**
 * The commands that open local logs: from the palette (file or folder picker), from the
 * explorer's context menu (a file, a multi-selection or a folder), and the bundled sample.
 * Each resolves to the load's summary once the files are in (undefined when nothing was picked).
 */
import * as vscode from 'vscode';
import type { Sessions } from './sessions';
import { exportResults } from './exportFlow';
import type { LoadSummary } from './viewerSession';
import { CommandId } from '../common/commandIds';
import type { Commands } from '../common/commands';

function isUriList(v: unknown): v is vscode.Uri[] {
  return Array.isArray(v) && v.length > 0 && v.every((u) => u instanceof vscode.Uri);
}

function baseName(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1) || uri.path;
}

/** "file.json.gz", "AWSLogs", or "3 items" — the viewer's title. */
export function titleFor(uris: readonly vscode.Uri[]): string {
  return uris.length === 1 ? baseName(uris[0]) : `${uris.length} items`;
}

async function pick(folders: boolean): Promise<vscode.Uri[] | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: !folders,
    canSelectFolders: folders,
    canSelectMany: true,
    openLabel: 'Open in CloudTrail Lens',
    title: folders ? 'Open folders of CloudTrail logs' : 'Open CloudTrail log files',
    filters: folders ? undefined : { 'CloudTrail logs': ['gz', 'json', 'jsonl', 'ndjson', 'zip'], 'All files': ['*'] },
  });
  return picked && picked.length > 0 ? picked : undefined;
}

export function registerOpenCommands(
  commands: Commands,
  sessions: Sessions,
  extensionUri: vscode.Uri,
  output: vscode.LogOutputChannel,
): vscode.Disposable[] {
  const open = (uris: readonly vscode.Uri[], title = titleFor(uris)): Promise<LoadSummary> =>
    sessions.openPanel(uris, title);
  const active = (): ReturnType<Sessions['active']> => {
    const session = sessions.active();
    if (!session)
      void vscode.window.showInformationMessage(
        'CloudTrail Lens: open log files first (CloudTrail: Open Log Files…); this acts on the log view in front.',
      );
    return session;
  };
  return [
    // The log view in front: more files into the same investigation, or its results out.
    commands.register(CommandId.AddToInvestigation, async (uris?: unknown) => {
      const session = active();
      if (!session) return undefined;
      return isUriList(uris) ? session.load(uris) : session.addFromPicker();
    }),
    commands.register(CommandId.ExportResults, async (request?: unknown) => {
      const session = active();
      return session && exportResults(session, output, request);
    }),
    // Palette: a picker. Callers (tests, other extensions) may pass the URIs instead.
    commands.register(CommandId.OpenLogFiles, async (uris?: unknown) => {
      const chosen = isUriList(uris) ? uris : await pick(false);
      return chosen && open(chosen);
    }),
    commands.register(CommandId.OpenLogFolder, async (uris?: unknown) => {
      const chosen = isUriList(uris) ? uris : await pick(true);
      return chosen && open(chosen);
    }),
    // Explorer context menu: VS Code passes the clicked item and the whole selection.
    commands.register(CommandId.OpenInLens, async (clicked?: unknown, selection?: unknown) => {
      const chosen = isUriList(selection) ? selection : clicked instanceof vscode.Uri ? [clicked] : await pick(false);
      return chosen && open(chosen);
    }),
    commands.register(CommandId.OpenSampleLogs, () =>
      open([vscode.Uri.joinPath(extensionUri, 'media', 'samples')], 'Sample: attack simulation (invictus-ir)'),
    ),
  ];
}
