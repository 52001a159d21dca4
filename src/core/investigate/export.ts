/**
 * Export of a result set as `{"Records":[…]}` JSON (plain or gzipped), NDJSON or CSV. Output is
 * produced as a stream of chunks of about `chunkChars` characters, so a million events never
 * become one string; each chunk yields to the event loop, checks the abort signal and reports
 * progress. JSON formats write each event's raw text exactly as the store holds it.
 */
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { csvCell, resolveColumns } from './exportCsv';
import type { EventStore } from '../store/store';

export type ExportFormat = 'json' | 'json.gz' | 'ndjson' | 'csv';

export interface ExportOptions {
  /** Stops the export between chunks (the iterator throws the signal's AbortError). */
  signal?: AbortSignal;
  /** Called after each chunk with rows done and rows in all. */
  onProgress?: (done: number, total: number) => void;
  /** CSV columns (see exportCsv.ts `resolveColumns`); default DEFAULT_CSV_COLUMNS. */
  columns?: readonly string[];
  /** CSV: start with a UTF-8 byte order mark, which Excel needs to read UTF-8 (default true). */
  bom?: boolean;
  /** Characters per chunk before it is handed on (default 1 MiB). */
  chunkChars?: number;
}

/** The file name extension for each format. */
export const EXPORT_EXTENSIONS: Readonly<Record<ExportFormat, string>> = {
  json: '.json',
  'json.gz': '.json.gz',
  ndjson: '.ndjson',
  csv: '.csv',
};

const DEFAULT_CHUNK = 1 << 20;

/** Lets the extension host breathe between chunks, even when the consumer never awaits I/O. */
const breathe = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Rows → text pieces, batched into chunks; `piece` returns the text for one row. */
async function* batched(
  rows: Uint32Array,
  options: ExportOptions,
  head: string,
  piece: (row: number, i: number) => string,
  tail: string,
): AsyncGenerator<string> {
  const { signal, onProgress } = options;
  const limit = options.chunkChars ?? DEFAULT_CHUNK;
  signal?.throwIfAborted();
  let parts: string[] = [head];
  let size = head.length;
  for (let i = 0; i < rows.length; i++) {
    const p = piece(rows[i], i);
    parts.push(p);
    size += p.length;
    if (size >= limit) {
      yield parts.join('');
      parts = [];
      size = 0;
      onProgress?.(i + 1, rows.length);
      await breathe();
      signal?.throwIfAborted();
    }
  }
  parts.push(tail);
  yield parts.join('');
  onProgress?.(rows.length, rows.length);
}

/** Rows whose raws are read together: one re-decode per source file and window. */
export const RAW_WINDOW = 8192;

/**
 * Reads `rows[i]`'s raw for increasing `i`. Raws may live in their file's compressed bytes and be
 * re-decoded on demand with a cache of a few files (rawStore.ts); in display order the rows of
 * many files interleave, and reading them one by one would decode a file per row. So the rows of
 * each window are read in row order (which is file order) and handed out in display order.
 */
export function windowedRaws(store: EventStore, rows: Uint32Array, window = RAW_WINDOW): (i: number) => string {
  let from = -1;
  let raws: string[] = [];
  return (i) => {
    if (i < from || i >= from + raws.length || from < 0) {
      from = Math.floor(i / window) * window;
      const slice = rows.subarray(from, Math.min(rows.length, from + window));
      const order = Array.from(slice.keys()).sort((a, b) => slice[a] - slice[b]);
      raws = new Array<string>(slice.length);
      for (const k of order) raws[k] = store.raw(slice[k]);
    }
    return raws[i - from];
  };
}

/** `{"Records":[…]}` as CloudTrail writes to S3, each event's raw JSON as stored. */
export function recordsJsonChunks(
  store: EventStore,
  rows: Uint32Array,
  options: ExportOptions = {},
): AsyncGenerator<string> {
  const raw = windowedRaws(store, rows);
  return batched(rows, options, '{"Records":[', (_r, i) => (i === 0 ? raw(i) : `,${raw(i)}`), ']}\n');
}

/**
 * One event per line. Raw JSON can only hold line breaks as whitespace between tokens (inside
 * strings they are escaped), so turning them into spaces keeps the event and the format intact.
 */
export function ndjsonChunks(
  store: EventStore,
  rows: Uint32Array,
  options: ExportOptions = {},
): AsyncGenerator<string> {
  const rawAt = windowedRaws(store, rows);
  return batched(
    rows,
    options,
    '',
    (_r, i) => {
      const raw = rawAt(i);
      return `${/[\r\n]/.test(raw) ? raw.replace(/[\r\n]/g, ' ') : raw}\n`;
    },
    '',
  );
}

/**
 * CSV with a header row, every cell quoted (RFC 4180, CRLF line ends) and defused against formula
 * injection (exportCsv.ts). Throws a RangeError naming a bad column before anything is produced.
 */
export function csvChunks(store: EventStore, rows: Uint32Array, options: ExportOptions = {}): AsyncGenerator<string> {
  const columns = resolveColumns(options.columns);
  const header = `${options.bom === false ? '' : '\uFEFF'}${columns.map((c) => csvCell(c.name)).join(',')}\r\n`;
  // Only columns read from the event's JSON need its raw.
  const rawAt = windowedRaws(store, rows);
  return batched(
    rows,
    options,
    header,
    (r, i) => {
      let parsed: unknown;
      const raw = (): unknown => {
        if (parsed === undefined) {
          try {
            parsed = JSON.parse(rawAt(i));
          } catch {
            parsed = null;
          }
        }
        return parsed;
      };
      return `${columns.map((c) => csvCell(c.read(store, r, raw))).join(',')}\r\n`;
    },
    '',
  );
}

/** Gzips a stream of chunks, streaming (zlib works off the main thread). */
export async function* gzipChunks(source: AsyncIterable<string | Uint8Array>): AsyncGenerator<Buffer> {
  const input = Readable.from(source);
  const gzip = createGzip();
  input.on('error', (e) => gzip.destroy(e));
  input.pipe(gzip);
  try {
    for await (const chunk of gzip) yield chunk as Buffer;
  } finally {
    input.destroy();
    gzip.destroy();
  }
}

/** The chunks of one export format. */
export function exportChunks(
  store: EventStore,
  rows: Uint32Array,
  format: ExportFormat,
  options: ExportOptions = {},
): AsyncIterable<string | Uint8Array> {
  switch (format) {
    case 'json':
      return recordsJsonChunks(store, rows, options);
    case 'json.gz':
      return gzipChunks(recordsJsonChunks(store, rows, options));
    case 'ndjson':
      return ndjsonChunks(store, rows, options);
    case 'csv':
      return csvChunks(store, rows, options);
  }
}
