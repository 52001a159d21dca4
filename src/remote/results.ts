/**
 * A remote search's events as a log file in the extension's storage (`<storage>/<kind>/<query
 * id>.json`, CloudTrail's `{"Records":[…]}`), opened in a log viewer like any local file, so the
 * timeline, top values, detections, sessions, event view and export all work on them. Only the
 * newest result files are kept.
 */
import * as vscode from 'vscode';
import type { CtRecord } from '../core/model/records';
import { recordsFileText, resultFileName } from '../core/ui/remoteResults';
import type { Sessions } from '../logViewer/sessions';
import type { LoadSummary } from '../logViewer/viewerSession';

/** Result files kept per back end; older ones are deleted when a new one is written. */
const KEEP = 20;

async function prune(dir: vscode.Uri, keep: number): Promise<void> {
  const entries = await vscode.workspace.fs.readDirectory(dir);
  const files = await Promise.all(
    entries
      .filter(([n, t]) => t === vscode.FileType.File && n.endsWith('.json'))
      .map(async ([n]) => ({
        uri: vscode.Uri.joinPath(dir, n),
        mtime: (await vscode.workspace.fs.stat(vscode.Uri.joinPath(dir, n))).mtime,
      })),
  );
  files.sort((a, b) => b.mtime - a.mtime);
  for (const f of files.slice(keep)) await vscode.workspace.fs.delete(f.uri).then(undefined, () => undefined);
}

/** Writes the records and opens them in a new log viewer titled `title`. */
export async function openResults(
  sessions: Sessions,
  storage: vscode.Uri,
  kind: 'athena-results' | 'logs-results',
  queryId: string,
  records: readonly CtRecord[],
  title: string,
): Promise<LoadSummary> {
  const dir = vscode.Uri.joinPath(storage, kind);
  await vscode.workspace.fs.createDirectory(dir);
  const file = vscode.Uri.joinPath(dir, resultFileName(queryId));
  await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(recordsFileText(records)));
  await prune(dir, KEEP).catch(() => undefined);
  return sessions.openPanel([file], title);
}

/** Rows that are not events (a user's own SELECT): opened as a JSON document to read. */
export async function openRows(
  columns: readonly string[],
  rows: ReadonlyArray<Readonly<Record<string, string | undefined>>>,
  note: string,
): Promise<void> {
  const content = JSON.stringify({ note, columns, rows }, null, 2);
  const doc = await vscode.workspace.openTextDocument({ language: 'json', content });
  await vscode.window.showTextDocument(doc, { preview: false });
}
