/**
 * The CloudTrail notebook file (`*.ctnb`, README "Notebooks"): plain JSON a person can diff, one
 * cell per entry, Markdown cells and query cells in our search language. A query cell names the
 * logs it reads (paths relative to the notebook) and keeps the output of its last run, bounded in
 * size, so a reader without the logs still sees it.
 *
 * Every string here may come from someone else's file: parsing checks each field, keeps what it
 * cannot read as it was (an unknown cell kind is carried through untouched, with a note), and never
 * lets a bad cell stop the others from opening.
 */

/** The version this code writes; a file with a later one is read as far as it can be, and said so. */
export const NOTEBOOK_VERSION = 1;

/** A saved output's size at most, by default (the `cloudtrailLens.notebook.maxOutputBytes` setting). */
export const DEFAULT_MAX_OUTPUT_BYTES = 256 * 1024;

export { OUTPUT_ROWS } from './outputShape';

/** Where a query cell's events come from. */
export type CellSource =
  /** Log files and folders, relative to the notebook's folder (absolute paths are refused). */
  { kind: 'logs'; paths: string[] };

import type { OutputFacet, OutputRow, QueryOutput } from '../../protocol/notebook';
import { isObject, parseOutput, text } from './outputShape';

export type { OutputFacet, OutputRow, QueryOutput };

export type NotebookCell =
  | { kind: 'markdown'; source: string }
  | { kind: 'query'; source: string; from?: CellSource; output?: QueryOutput }
  /** A cell this version cannot read: kept byte for byte as JSON, shown with `problem`. */
  | { kind: 'unknown'; raw: unknown; problem: string };

export interface Notebook {
  version: number;
  /** The source a query cell without its own `from` reads. */
  from?: CellSource;
  cells: NotebookCell[];
}

export interface ParsedNotebook {
  notebook: Notebook;
  /** What could not be read, for the user (one line each); the notebook opens anyway. */
  problems: string[];
}

/** Reads a source; a problem (for the cell) when it is not one we can read. */
export function parseSource(v: unknown): CellSource | string {
  if (!isObject(v)) return 'its "from" is not an object';
  if (v.kind !== 'logs')
    return `its "from" kind ${JSON.stringify(String(v.kind)).slice(0, 40)} is not one this version reads (logs)`;
  if (!Array.isArray(v.paths) || v.paths.length === 0 || !v.paths.every((p) => typeof p === 'string' && p.length > 0))
    return 'its "from" names no paths (a list of log files or folders relative to the notebook)';
  return { kind: 'logs', paths: (v.paths as string[]).slice(0, 1000).map((p) => p.slice(0, 4096)) };
}

/** Reads a notebook file's text. Never throws: a file that is not a notebook opens as one cell saying why. */
export function parseNotebook(textIn: string, maxOutputBytes = DEFAULT_MAX_OUTPUT_BYTES): ParsedNotebook {
  const problems: string[] = [];
  if (textIn.trim() === '') return { notebook: { version: NOTEBOOK_VERSION, cells: [] }, problems };
  let data: unknown;
  try {
    data = JSON.parse(textIn);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return {
      notebook: {
        version: NOTEBOOK_VERSION,
        cells: [{ kind: 'unknown', raw: textIn, problem: `not valid JSON (${why})` }],
      },
      problems: [`The file is not valid JSON (${why}); it is shown as it is and saving keeps it unchanged.`],
    };
  }
  if (!isObject(data) || !Array.isArray(data.cells)) {
    return {
      notebook: {
        version: NOTEBOOK_VERSION,
        cells: [{ kind: 'unknown', raw: data, problem: 'not a CloudTrail notebook' }],
      },
      problems: ['The file is JSON but not a CloudTrail notebook (no "cells" list); it is shown as it is.'],
    };
  }
  const version = typeof data.version === 'number' ? data.version : NOTEBOOK_VERSION;
  if (version > NOTEBOOK_VERSION)
    problems.push(
      `The file is notebook version ${version}; this version reads ${NOTEBOOK_VERSION} and keeps what it cannot read.`,
    );
  let from: CellSource | undefined;
  if (data.from !== undefined) {
    const s = parseSource(data.from);
    if (typeof s === 'string') problems.push(`The notebook's default source: ${s}.`);
    else from = s;
  }
  const cells = data.cells.map((c: unknown, i: number): NotebookCell => {
    const where = `Cell ${i + 1}`;
    if (!isObject(c) || typeof c.kind !== 'string') {
      problems.push(`${where} is not a cell (no "kind"); it is kept as it is.`);
      return { kind: 'unknown', raw: c, problem: 'not a cell (no "kind")' };
    }
    if (c.kind === 'markdown') return { kind: 'markdown', source: text(c.source) };
    if (c.kind === 'query') {
      const cell: NotebookCell = { kind: 'query', source: text(c.source, 100_000) };
      if (c.from !== undefined) {
        const s = parseSource(c.from);
        if (typeof s === 'string') {
          problems.push(`${where}: ${s}; it is kept as it is.`);
          return { kind: 'unknown', raw: c, problem: s };
        }
        cell.from = s;
      }
      const output = parseOutput(c.output);
      if (output) cell.output = boundOutput(output, maxOutputBytes);
      return cell;
    }
    const kind = JSON.stringify(c.kind.slice(0, 40));
    problems.push(`${where} has kind ${kind}, which this version does not know; it is kept as it is.`);
    return { kind: 'unknown', raw: c, problem: `a cell of kind ${kind}, which this version does not know` };
  });
  return { notebook: { version: Math.max(version, NOTEBOOK_VERSION), ...(from ? { from } : {}), cells }, problems };
}

/**
 * The notebook as its file's text: two-space JSON, keys in a fixed order, one line per row of an
 * output, so a diff shows what changed. Unknown cells go back as they came.
 */
export function serializeNotebook(nb: Notebook): string {
  const cells = nb.cells.map((c) => {
    if (c.kind === 'markdown') return { kind: 'markdown', source: c.source };
    if (c.kind === 'unknown') return c.raw;
    return {
      kind: 'query',
      source: c.source,
      ...(c.from ? { from: c.from } : {}),
      ...(c.output ? { output: c.output } : {}),
    };
  });
  // A file that was not JSON at all is kept as its text.
  if (
    nb.cells.length === 1 &&
    nb.cells[0].kind === 'unknown' &&
    typeof nb.cells[0].raw === 'string' &&
    nb.cells[0].problem.startsWith('not valid JSON')
  )
    return nb.cells[0].raw;
  return `${JSON.stringify({ version: nb.version, ...(nb.from ? { from: nb.from } : {}), cells }, null, 2)}\n`;
}

/** `out`, cut (rows last first, then facets) until its JSON is at most `maxBytes`; marked `truncated`. */
export function boundOutput(out: QueryOutput, maxBytes = DEFAULT_MAX_OUTPUT_BYTES): QueryOutput {
  const size = (o: QueryOutput): number => Buffer.byteLength(JSON.stringify(o));
  if (size(out) <= maxBytes) return out;
  const cut: QueryOutput = { ...out, rows: [...out.rows], facets: [...out.facets], truncated: true };
  while (cut.rows.length > 0 && size(cut) > maxBytes) cut.rows.length = Math.floor(cut.rows.length / 2);
  while (cut.facets.length > 0 && size(cut) > maxBytes) cut.facets.pop();
  if (size(cut) > maxBytes) {
    cut.query = cut.query.slice(0, 1000);
    cut.problems = cut.problems.slice(0, 3).map((p) => p.slice(0, 200));
  }
  return cut;
}

/**
 * Where a source path points: a path inside `notebookDir` (posix, absolute), or a problem. Paths
 * are relative to the notebook; absolute ones and ones that climb out of the notebook's folder
 * (`../`) are refused, so a notebook someone sends cannot make the extension read elsewhere.
 */
export function resolveSourcePath(notebookDir: string, path: string): string | { problem: string } {
  if (path.includes('\0')) return { problem: 'a path with a NUL character' };
  if (/^([a-zA-Z]:|[\\/])/.test(path) || /^[a-z][a-z0-9+.-]*:/i.test(path))
    return {
      problem: `"${path.slice(0, 200)}" is not relative to the notebook (write it relative to the notebook's folder)`,
    };
  const parts: string[] = [];
  for (const seg of path.split(/[\\/]+/)) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) return { problem: `"${path.slice(0, 200)}" leaves the notebook's folder` };
      parts.pop();
    } else parts.push(seg);
  }
  const base = notebookDir.replace(/\/+$/, '');
  return parts.length === 0 ? base : `${base}/${parts.join('/')}`;
}

/** What changed between a cell's saved count and a new run, for Run all's mark (undefined: nothing). */
export function countChange(before: QueryOutput | undefined, after: QueryOutput): string | undefined {
  if (!before || before.count === after.count) return undefined;
  const d = after.count - before.count;
  return `${after.count.toLocaleString('en-US')} events, ${d > 0 ? '+' : ''}${d.toLocaleString('en-US')} since the saved run (${before.count.toLocaleString('en-US')})`;
}

/** An output as plain text (the fallback a reader without our renderer sees, and what tests read). */
export function outputText(out: QueryOutput): string {
  const lines: string[] = [];
  if (out.previousCount !== undefined)
    lines.push(`Changed: ${countChange({ ...out, count: out.previousCount }, out) ?? ''}`);
  lines.push(
    `${out.count.toLocaleString('en-US')} of ${out.loaded.toLocaleString('en-US')} events match ${JSON.stringify(out.query)} (run ${out.ranAt}).`,
  );
  for (const p of out.problems) lines.push(`! ${p}`);
  if (out.rows.length > 0) {
    lines.push('');
    for (const r of out.rows)
      lines.push(
        [r.time, r.eventName, r.principal, r.sourceIp, r.awsRegion, r.errorCode].map((s) => s || '—').join('  '),
      );
    if (out.count > out.rows.length)
      lines.push(`… the first ${out.rows.length} shown${out.truncated ? ' (cut to the size bound)' : ''}.`);
  }
  for (const f of out.facets)
    lines.push('', `${f.title}: ${f.values.map((v) => `${v.value} (${v.count.toLocaleString('en-US')})`).join(', ')}`);
  return lines.join('\n');
}

/**
 * `target` written relative to `notebookDir` (both posix, absolute), or a problem when it is not
 * inside the notebook's folder (a notebook reads only logs beside or below it: move the notebook up).
 */
export function relativeSourcePath(notebookDir: string, target: string): string | { problem: string } {
  const base = notebookDir.replace(/\/+$/, '');
  if (target === base) return '.';
  if (!target.startsWith(`${base}/`))
    return {
      problem: `${target} is not in the notebook's folder ${base}; save the notebook in a folder that holds the logs`,
    };
  return target.slice(base.length + 1);
}
