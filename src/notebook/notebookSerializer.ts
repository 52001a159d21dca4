/**
 * `*.ctnb` files as VS Code notebooks (README "Notebooks"): the file format is core's
 * (core/notebook/notebookFile.ts); this only maps its cells to VS Code's and back. A cell the file's
 * version cannot read opens as a Markdown cell saying why, and is written back exactly as it came.
 */
import * as vscode from 'vscode';
import {
  parseNotebook,
  serializeNotebook,
  type CellSource,
  type Notebook,
  type NotebookCell,
  type QueryOutput,
} from '../core/notebook/notebookFile';
import { maxOutputBytes, outputItems, QUERY_LANGUAGE, QUERY_OUTPUT_MIME } from './notebookOutput';

export const NOTEBOOK_TYPE = 'cloudtrailLens.notebook';

/** Cell metadata of ours: a query cell's source, or the JSON of a cell kept as it was. */
interface CellMeta {
  from?: CellSource;
  keptRaw?: unknown;
  keptProblem?: string;
}

/** The saved output of a cell, read back from its output items (undefined: none of ours). */
export function savedOutput(cell: { outputs: readonly vscode.NotebookCellOutput[] }): QueryOutput | undefined {
  for (const o of cell.outputs)
    for (const item of o.items) {
      if (item.mime !== QUERY_OUTPUT_MIME) continue;
      try {
        return JSON.parse(new TextDecoder().decode(item.data)) as QueryOutput;
      } catch {
        return undefined;
      }
    }
  return undefined;
}

export class CtnbSerializer implements vscode.NotebookSerializer {
  constructor(private readonly output: vscode.LogOutputChannel) {}

  deserializeNotebook(content: Uint8Array): vscode.NotebookData {
    const { notebook, problems } = parseNotebook(new TextDecoder().decode(content), maxOutputBytes());
    for (const p of problems) this.output.warn(`Notebook: ${p}`);
    if (problems.length > 0)
      void vscode.window.showWarningMessage(
        `CloudTrail Lens: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more; see the log)` : ''}`,
      );
    const data = new vscode.NotebookData(notebook.cells.map((c) => toCellData(c)));
    data.metadata = { version: notebook.version, ...(notebook.from ? { from: notebook.from } : {}) };
    return data;
  }

  serializeNotebook(data: vscode.NotebookData): Uint8Array {
    const nb = toNotebook(
      data.cells.map((c) => ({ kind: c.kind, value: c.value, metadata: c.metadata, outputs: c.outputs ?? [] })),
      data.metadata,
    );
    return new TextEncoder().encode(serializeNotebook(nb));
  }
}

/** The notebook an open document holds (what saving it would write). */
export function notebookOf(doc: vscode.NotebookDocument): Notebook {
  return toNotebook(
    doc
      .getCells()
      .map((c) => ({ kind: c.kind, value: c.document.getText(), metadata: c.metadata, outputs: c.outputs })),
    doc.metadata,
  );
}

function toNotebook(
  cells: Array<{
    kind: vscode.NotebookCellKind;
    value: string;
    metadata?: Record<string, unknown>;
    outputs: readonly vscode.NotebookCellOutput[];
  }>,
  metadata: Record<string, unknown> | undefined,
): Notebook {
  const meta = (metadata ?? {}) as { version?: number; from?: CellSource };
  return {
    version: meta.version ?? 1,
    ...(meta.from ? { from: meta.from } : {}),
    cells: cells.map((c): NotebookCell => {
      const m = (c.metadata ?? {}) as CellMeta;
      if (m.keptProblem !== undefined) return { kind: 'unknown', raw: m.keptRaw, problem: m.keptProblem };
      if (c.kind === vscode.NotebookCellKind.Markup) return { kind: 'markdown', source: c.value };
      const output = savedOutput({ outputs: c.outputs });
      return { kind: 'query', source: c.value, ...(m.from ? { from: m.from } : {}), ...(output ? { output } : {}) };
    }),
  };
}

function toCellData(c: NotebookCell): vscode.NotebookCellData {
  if (c.kind === 'markdown') return new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, c.source, 'markdown');
  if (c.kind === 'unknown') {
    const shown = typeof c.raw === 'string' ? c.raw : JSON.stringify(c.raw, null, 2);
    const cell = new vscode.NotebookCellData(
      vscode.NotebookCellKind.Markup,
      `**This cell could not be read** (${c.problem}). It is kept as it is and saved back unchanged; edits to it are not saved.\n\n\`\`\`\`json\n${(shown ?? '').slice(0, 20_000)}\n\`\`\`\``,
      'markdown',
    );
    cell.metadata = { keptRaw: c.raw, keptProblem: c.problem } satisfies CellMeta;
    return cell;
  }
  const cell = new vscode.NotebookCellData(vscode.NotebookCellKind.Code, c.source, QUERY_LANGUAGE);
  if (c.from) cell.metadata = { from: c.from } satisfies CellMeta;
  if (c.output) cell.outputs = [new vscode.NotebookCellOutput(outputItems(c.output))];
  return cell;
}
