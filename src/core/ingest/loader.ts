/**
 * Loads log files and folders: expands folders recursively, refuses what is too large before
 * reading it, decodes through a Decoder (worker threads in the extension), and reports each
 * file's outcome as it lands. One file's failure never stops the others; cancellation stops
 * starting new files. The file system is injected, so this runs on `vscode.workspace.fs`
 * (virtual workspaces included) in the extension and on `node:fs` in tests.
 */
import { DecodeLimits, formatBytes, HARD_MAX_BYTES, type LoadResult } from './decode';
import { readZip } from './zipArchive';

export type EntryKind = 'file' | 'directory' | 'other';

export interface LogFileSystem<T> {
  stat(loc: T): Promise<{ kind: EntryKind; size: number }>;
  list(loc: T): Promise<Array<{ loc: T; name: string; kind: EntryKind }>>;
  read(loc: T): Promise<Uint8Array>;
  /** How the file is named to the user (a path relative to what they opened, where possible). */
  label(loc: T): string;
}

export interface Decoder {
  decode(bytes: Uint8Array, limits: DecodeLimits): Promise<LoadResult>;
}

export interface CancelToken {
  readonly isCancellationRequested: boolean;
}

export interface LoadOptions<T> {
  limits: DecodeLimits;
  /** Files decoded at once (≈ worker threads); twice as many are read ahead. */
  concurrency: number;
  token?: CancelToken;
  /** Called once per file, in completion order; a returned promise holds this lane until it settles (backpressure). */
  onFile(loc: T, label: string, result: LoadResult): unknown;
  onProgress?(done: number, total: number, current: string): void;
}

/** File names worth reading when a whole folder is opened. */
export const LOG_FILE_NAME = /\.(json|jsonl|ndjson)(\.gz)?$/i;
/** ZIP archives of logs (exports, hand-overs): each log-named member is read like a file (zipArchive.ts). */
export const ARCHIVE_FILE_NAME = /\.zip$/i;
const SKIPPED_DIRS = new Set(['.git', 'node_modules', '.svn', '.hg']);
/**
 * Files kept beside logs that are not logs: the signature metadata saved with digests
 * (`<digest>.metadata.json`) and CloudTrail's public keys (`public-keys.json`), as the S3 cache and
 * `aws s3api`-style downloads keep them. Integrity validation reads them; the log view skips them.
 */
export const SIDECAR_FILE_NAME = /(\.metadata\.json|(^|[-_.])public-keys[^/]*\.json)$/i;

export interface Expansion<T> {
  files: T[];
  /** Problems met while listing (unreadable folders), already phrased for the user. */
  problems: Array<{ label: string; reason: string }>;
}

/** Expands roots into files: files as given, folders recursively (log-named files only). */
export async function expandRoots<T>(
  fs: LogFileSystem<T>,
  roots: readonly T[],
  token?: CancelToken,
): Promise<Expansion<T>> {
  const files: T[] = [];
  const problems: Expansion<T>['problems'] = [];
  const walk = async (dir: T): Promise<void> => {
    let entries: Awaited<ReturnType<LogFileSystem<T>['list']>>;
    try {
      entries = await fs.list(dir);
    } catch (e) {
      problems.push({ label: fs.label(dir), reason: `The folder could not be read: ${(e as Error).message}` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (token?.isCancellationRequested) return;
      if (entry.kind === 'directory' && !SKIPPED_DIRS.has(entry.name)) await walk(entry.loc);
      else if (
        entry.kind === 'file' &&
        (LOG_FILE_NAME.test(entry.name) || ARCHIVE_FILE_NAME.test(entry.name)) &&
        !SIDECAR_FILE_NAME.test(entry.name)
      )
        files.push(entry.loc);
    }
  };
  for (const root of roots) {
    let kind: EntryKind;
    try {
      kind = (await fs.stat(root)).kind;
    } catch (e) {
      problems.push({ label: fs.label(root), reason: `It could not be opened: ${(e as Error).message}` });
      continue;
    }
    if (kind === 'directory') await walk(root);
    else files.push(root);
  }
  return { files, problems };
}

/** Bytes of files read but not yet decoded, at most (one file may exceed it alone). */
export const READ_AHEAD_BYTES = 128 * 1024 * 1024;

/** Counts bytes in flight; `reserve` waits while taking more would pass the budget. */
class ByteBudget {
  private used = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly max: number) {}
  async reserve(n: number): Promise<void> {
    while (this.used > 0 && this.used + n > this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.used += n;
  }
  release(n: number): void {
    this.used -= n;
    for (const wake of this.waiting.splice(0)) wake();
  }
}

/** One result per file; an archive gives one per member (labelled `archive.zip/member`). */
type Landed = (label: string, result: LoadResult) => unknown;

/**
 * Decodes each log-named member of a ZIP archive as a file, one at a time; a refused or broken
 * member lands as that member's error, and an archive with no log in it says so.
 */
async function loadArchive(
  bytes: Uint8Array,
  label: string,
  decoder: Decoder,
  limits: DecodeLimits,
  land: Landed,
): Promise<void> {
  let logs = 0;
  const max = Math.min(limits.maxBytes, HARD_MAX_BYTES);
  const problems = await readZip(
    bytes,
    async (m) => {
      logs++;
      await land(`${label}/${m.name}`, await decoder.decode(m.bytes, limits));
    },
    {
      limits: { maxEntries: 100_000, maxEntryBytes: max, maxTotalBytes: HARD_MAX_BYTES * 4 },
      accept: (name) => LOG_FILE_NAME.test(name) && !SIDECAR_FILE_NAME.test(name),
    },
  );
  for (const p of problems) await land(`${label}/${p.name}`, { kind: 'error', reason: p.reason });
  if (logs === 0 && problems.length === 0)
    await land(label, {
      kind: 'error',
      reason: 'The archive holds no log files (*.json, *.json.gz, *.jsonl, *.ndjson).',
    });
}

/** Stats, reads and decodes one file; every failure becomes an error result. */
async function loadOne<T>(
  fs: LogFileSystem<T>,
  decoder: Decoder,
  loc: T,
  limits: DecodeLimits,
  budget: ByteBudget,
  land?: Landed,
  label = '',
): Promise<LoadResult | undefined> {
  try {
    const { kind, size } = await fs.stat(loc);
    if (kind !== 'file') return { kind: 'error', reason: 'It is not a regular file.' };
    const max = Math.min(limits.maxBytes, HARD_MAX_BYTES);
    // Refused unread: a gzip larger than the limit practically always decompresses to more.
    if (size > max) {
      return {
        kind: 'error',
        reason: `It is ${formatBytes(size)}, past the ${formatBytes(limits.maxBytes)} limit for one file. Raise "cloudtrailLens.maxFileSizeMB" to read it.`,
      };
    }
    await budget.reserve(size);
    try {
      const bytes = await fs.read(loc);
      if (land) {
        await loadArchive(bytes, label, decoder, limits, land);
        return undefined;
      }
      return await decoder.decode(bytes, limits);
    } finally {
      budget.release(size);
    }
  } catch (e) {
    return { kind: 'error', reason: `It could not be read: ${(e as Error).message}` };
  }
}

/**
 * Loads files with bounded concurrency; resolves when all have landed or the load was cancelled.
 * Twice `concurrency` files are in flight (within READ_AHEAD_BYTES), so a decoder finishing a
 * file finds the next one queued while the host stores the last: with one file per decoder they
 * waited on the host in turn.
 */
export async function loadFiles<T>(
  fs: LogFileSystem<T>,
  decoder: Decoder,
  files: readonly T[],
  opts: LoadOptions<T>,
): Promise<void> {
  let next = 0;
  let done = 0;
  const budget = new ByteBudget(READ_AHEAD_BYTES);
  const lane = async (): Promise<void> => {
    while (next < files.length && !opts.token?.isCancellationRequested) {
      const loc = files[next++];
      const label = fs.label(loc);
      opts.onProgress?.(done, files.length, label);
      // An archive's members land as they are decoded (within its read budget); a file lands once.
      const land: Landed | undefined = ARCHIVE_FILE_NAME.test(label)
        ? (l, r) => (opts.token?.isCancellationRequested ? undefined : opts.onFile(loc, l, r))
        : undefined;
      const result = await loadOne(fs, decoder, loc, opts.limits, budget, land, label);
      if (opts.token?.isCancellationRequested) return;
      done++;
      if (result) await opts.onFile(loc, label, result);
      opts.onProgress?.(done, files.length, label);
    }
  };
  await Promise.all(Array.from({ length: 2 * Math.max(1, opts.concurrency) }, lane));
}
