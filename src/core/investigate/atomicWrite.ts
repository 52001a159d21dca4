/**
 * Writes a file so that readers see either the old file or the whole new one, never a part: the
 * data goes to a temporary file in the same folder (a rename across file systems is a copy), is
 * flushed to disk, and only then renamed over the target. On a failure or a cancel the temporary
 * file is removed and the target is left as it was.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** Stops the write between chunks; the target is untouched. */
  signal?: AbortSignal;
  /** Permission bits of a new file (default 0o666, less the umask); a replaced file keeps its own. */
  mode?: number;
}

/** The temporary name used while writing `path`: hidden, unique, beside it. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Writes `chunks` to `path` atomically and returns the number of bytes written. Rejects with the
 * stream's own error, the file system's, or the signal's AbortError, leaving no partial file.
 */
export async function writeAtomically(
  path: string,
  chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
  options: AtomicWriteOptions = {},
): Promise<number> {
  const { signal } = options;
  signal?.throwIfAborted();
  const temp = tempPathFor(path);
  // 'wx': never follow or reuse something already at the temporary name.
  const fh = await open(temp, 'wx', options.mode ?? 0o666);
  let bytes = 0;
  let closed = false;
  try {
    // Replacing a file keeps its permissions (a private export stays private).
    const existing = await stat(path).catch(() => undefined);
    if (existing?.isFile() && options.mode === undefined) await fh.chmod(existing.mode & 0o777);
    for await (const chunk of chunks) {
      signal?.throwIfAborted();
      const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      for (let off = 0; off < buf.length; ) {
        const { bytesWritten } = await fh.write(buf, off, buf.length - off);
        off += bytesWritten;
      }
      bytes += buf.length;
    }
    signal?.throwIfAborted();
    await fh.sync();
    closed = true;
    await fh.close();
    await rename(temp, path);
  } catch (e) {
    if (!closed) await fh.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    throw e;
  }
  await syncFolder(dirname(path));
  return bytes;
}

/** Makes the rename itself durable; folders cannot be opened for this on Windows, hence best effort. */
async function syncFolder(dir: string): Promise<void> {
  try {
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // The file is complete and in place either way.
  }
}
