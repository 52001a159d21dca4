/**
 * "Export…": writes the events a log view shows (its current result set, in its order) as
 * `{"Records":[…]}` JSON (plain or gzipped), NDJSON or CSV. Asks for the format (and CSV columns)
 * and the file, then streams the export with progress and cancel, atomically: the file appears
 * whole or not at all. The serializers and the writer live in core (export.ts, atomicWrite.ts).
 */
import * as vscode from 'vscode';
import { EXPORT_EXTENSIONS, type ExportFormat } from '../core/investigate/export';
import { CSV_COLUMN_CHOICES, DEFAULT_CSV_COLUMNS, resolveColumns } from '../core/investigate/exportCsv';
import type { ViewerSession } from './viewerSession';

/** What an export wrote (returned by the command; the tests read it). */
export interface ExportSummary {
  path: string;
  format: ExportFormat;
  events: number;
  bytes: number;
}

/** Arguments that skip the pickers (tests, other extensions). */
export interface ExportRequest {
  format: ExportFormat;
  path: string;
  columns?: string[];
}

const FORMATS: Array<vscode.QuickPickItem & { format: ExportFormat }> = [
  {
    format: 'json',
    label: 'JSON',
    description: '{"Records":[…]} as CloudTrail writes it to S3; opens again in CloudTrail Lens',
  },
  { format: 'json.gz', label: 'JSON, gzipped', description: 'the same, compressed (.json.gz)' },
  { format: 'ndjson', label: 'NDJSON', description: 'one event per line, for jq, Athena or a SIEM' },
  {
    format: 'csv',
    label: 'CSV',
    description: 'chosen columns, for spreadsheets; cells are defused against formula injection',
  },
];

function isRequest(v: unknown): v is ExportRequest {
  const r = v as Partial<ExportRequest> | undefined;
  return (
    !!r &&
    typeof r.path === 'string' &&
    FORMATS.some((f) => f.format === r.format) &&
    (r.columns === undefined || (Array.isArray(r.columns) && r.columns.every((c) => typeof c === 'string')))
  );
}

async function pickColumns(): Promise<string[] | undefined> {
  // The defaults first, in their order, then the other choices.
  const names = [...DEFAULT_CSV_COLUMNS, ...CSV_COLUMN_CHOICES.filter((c) => !DEFAULT_CSV_COLUMNS.includes(c))];
  const items = names.map((c) => ({ label: c, picked: DEFAULT_CSV_COLUMNS.includes(c) }));
  const picked = await vscode.window.showQuickPick(items, {
    canPickMany: true,
    title: 'CSV columns',
    placeHolder: 'Columns to export, in this order',
  });
  return picked && picked.length > 0 ? picked.map((p) => p.label) : undefined;
}

async function ask(session: ViewerSession, events: number): Promise<ExportRequest | undefined> {
  const format = await vscode.window.showQuickPick(FORMATS, {
    title: `Export ${events.toLocaleString()} event${events === 1 ? '' : 's'} from ${session.title}`,
    placeHolder: 'Format',
  });
  if (!format) return undefined;
  const columns = format.format === 'csv' ? await pickColumns() : undefined;
  if (format.format === 'csv' && !columns) return undefined;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const name = `${session.title.replace(/[^\w.-]+/g, '_').replace(/\.json(\.gz)?$/, '')}-${events}-events${EXPORT_EXTENSIONS[format.format]}`;
  const target = await vscode.window.showSaveDialog({
    title: `Export as ${format.label}`,
    saveLabel: 'Export',
    defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
    filters: { [format.label]: [EXPORT_EXTENSIONS[format.format].slice(1)] },
  });
  if (!target) return undefined;
  if (target.scheme !== 'file') {
    void vscode.window.showErrorMessage(
      `CloudTrail Lens exports to files on this machine; ${target.scheme}: locations are not supported. Choose a local folder.`,
    );
    return undefined;
  }
  return { format: format.format, path: target.fsPath, columns };
}

/**
 * Exports `session`'s current result set. `request` skips the questions. Resolves to what was
 * written, or undefined when the user backed out or cancelled (nothing is left behind).
 */
export async function exportResults(
  session: ViewerSession,
  output: vscode.LogOutputChannel,
  request?: unknown,
): Promise<ExportSummary | undefined> {
  const shown = session.shownQuery();
  const events = shown?.total ?? 0;
  if (!shown || events === 0) {
    void vscode.window.showInformationMessage(
      'CloudTrail Lens: no events to export. Clear the search to export every event.',
    );
    return undefined;
  }
  const req = isRequest(request) ? request : await ask(session, events);
  if (!req) return undefined;
  try {
    if (req.format === 'csv') resolveColumns(req.columns ?? DEFAULT_CSV_COLUMNS);
  } catch (e) {
    void vscode.window.showErrorMessage(`CloudTrail Lens: ${(e as Error).message}`);
    return undefined;
  }
  const abort = new AbortController();
  try {
    const written = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `CloudTrail Lens: exporting ${events.toLocaleString()} events`,
        cancellable: true,
      },
      async (progress, token) => {
        token.onCancellationRequested(() => abort.abort());
        let reported = 0;
        // The store worker writes the file: the events never pass through the extension host.
        const onProgress = (done: number, total: number): void => {
          const pct = (done / total) * 100;
          progress.report({
            message: `${done.toLocaleString()} of ${total.toLocaleString()}`,
            increment: pct - reported,
          });
          reported = pct;
        };
        return session.store.exportTo(
          { query: shown.query, path: req.path, format: req.format, columns: req.columns },
          abort.signal,
          onProgress,
        );
      },
    );
    const summary: ExportSummary = { path: req.path, format: req.format, events: written.events, bytes: written.bytes };
    output.info(`Exported ${written.events} events (${req.format}, ${written.bytes} bytes) to ${req.path}`);
    void vscode.window
      .showInformationMessage(
        `CloudTrail Lens: exported ${written.events.toLocaleString()} events to ${req.path}.`,
        'Open',
        'Reveal',
      )
      .then((pick) => {
        const uri = vscode.Uri.file(req.path);
        if (pick === 'Open')
          void vscode.commands.executeCommand(
            req.format.startsWith('json') ? 'vscode.openWith' : 'vscode.open',
            uri,
            ...(req.format.startsWith('json') ? ['cloudtrailLens.logFileAny'] : []),
          );
        else if (pick === 'Reveal') void vscode.commands.executeCommand('revealFileInOS', uri);
      });
    return summary;
  } catch (e) {
    // Cancelled by the user, or by closing the view (the store stops its export first).
    if (abort.signal.aborted || (e as Error).name === 'AbortError') {
      void vscode.window.showInformationMessage('CloudTrail Lens: export cancelled; no file was written.');
      return undefined;
    }
    const message = (e as Error).message;
    output.error(`Export to ${req.path} failed: ${message}`);
    void vscode.window.showErrorMessage(`CloudTrail Lens: the export failed and no file was written: ${message}`);
    return undefined;
  }
}
