/**
 * Loading a folder of log files as a log view does (the loader decodes, in this thread; the store
 * — a worker's client or an in-process Investigation — indexes), for tests of the store side.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { LoadResult } from '../../src/core/ingest/decode';
import { inlineDecoder } from '../../src/core/ingest/decoderPool';
import { expandRoots, loadFiles, type LogFileSystem } from '../../src/core/ingest/loader';

/** The local disk as the loader sees it, labels relative to `dir`. */
export function nodeFs(dir: string): LogFileSystem<string> {
  return {
    stat: async (p) => ({ kind: statSync(p).isDirectory() ? 'directory' : 'file', size: statSync(p).size }),
    list: async (p) =>
      readdirSync(p, { withFileTypes: true }).map((d) => ({
        loc: join(p, d.name),
        name: d.name,
        kind: d.isDirectory() ? 'directory' : 'file',
      })),
    read: async (p) => readFileSync(p),
    label: (p) => relative(dir, p),
  };
}

/** Loads every log file under `dir`, handing each file's result to `add` in turn. */
export async function loadFolder(add: (label: string, r: LoadResult) => unknown, dir: string): Promise<void> {
  const fs = nodeFs(dir);
  const { files } = await expandRoots(fs, [dir]);
  await loadFiles(fs, inlineDecoder, files, {
    limits: { maxBytes: 64 * 1024 * 1024 },
    concurrency: 2,
    onFile: async (_l, label, r) => void (await add(label, r)),
  });
}
