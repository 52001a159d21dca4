/** A query cell's output as VS Code output items: ours (for the renderer) and plain text for anyone else. */
import * as vscode from 'vscode';
import { DEFAULT_MAX_OUTPUT_BYTES, outputText, type QueryOutput } from '../core/notebook/notebookFile';

/** The language of query cells (our search language; contributes.languages). */
export const QUERY_LANGUAGE = 'cloudtrail-search';
/** Our output's MIME type: the notebook renderer (src/webview/notebookRenderer) draws it. */
export const QUERY_OUTPUT_MIME = 'application/vnd.cloudtrail-lens.query+json';

export function maxOutputBytes(): number {
  const v = vscode.workspace.getConfiguration('cloudtrailLens').get<number>('notebook.maxOutputBytes');
  return typeof v === 'number' && v >= 4096 ? Math.floor(v) : DEFAULT_MAX_OUTPUT_BYTES;
}

export function outputItems(out: QueryOutput): vscode.NotebookCellOutputItem[] {
  return [
    vscode.NotebookCellOutputItem.json(out, QUERY_OUTPUT_MIME),
    vscode.NotebookCellOutputItem.text(outputText(out)),
  ];
}
