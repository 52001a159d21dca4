/**
 * Offline validation's source: a local folder of CloudTrail log and digest files, in the
 * bucket's layout or flat. What the AWS CLI cannot do (it always re-downloads from S3).
 *
 * Signatures live in S3 object metadata, which a plain download loses; they are read from a
 * sidecar saved next to each digest, `<digest file name>.metadata.json`, holding either the
 * output of `aws s3api head-object` (`{"Metadata":{"signature":…,"signature-algorithm":…}}`) or
 * that `Metadata` object alone. "Open Trail Logs from S3…" and online validation write these.
 * Public keys come from `public-keys.json` (the output of `aws cloudtrail list-public-keys`) at
 * the folder's top level or one folder down (`<bucket>/public-keys.json`, where the download
 * cache writes it): a key file deeper in the tree is someone else's, not this copy's.
 * Files past the size limits are refused by their size, before any byte is read.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { baseName, fileId, parseTrailFileName } from '../aws/s3Layout';
import { MAX_DIGEST_BYTES, parsePublicKeysFile, parseSignatureSidecar, type PublicKey } from './digest';
import type { Fetched, FoundFile, IntegritySource } from './validate';

export const SIDECAR_SUFFIX = '.metadata.json';
const KEYS_FILE = 'public-keys.json';
/** Sidecars and key lists are a few KB; anything this big is not one. */
const MAX_SMALL_BYTES = 16 * 1024 * 1024;
/** Folders this deep or this many files are someone's home directory, not a log copy. */
const MAX_DEPTH = 16;
const MAX_FILES = 500_000;

interface Index {
  digests: FoundFile[];
  logs: Map<string, string>;
  sidecars: Map<string, string>;
  keyFiles: string[];
}

async function walk(root: string, signal?: AbortSignal): Promise<Index> {
  const index: Index = { digests: [], logs: new Map(), sidecars: new Map(), keyFiles: [] };
  let seen = 0;
  const visit = async (dir: string, depth: number): Promise<void> => {
    signal?.throwIfAborted();
    if (depth > MAX_DEPTH) return;
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) await visit(path, depth + 1);
      else if (e.isFile()) {
        if (++seen > MAX_FILES)
          throw new Error(`More than ${MAX_FILES} files under ${root}: pick the folder that holds the logs.`);
        if (e.name.endsWith(SIDECAR_SUFFIX)) index.sidecars.set(e.name.slice(0, -SIDECAR_SUFFIX.length), path);
        else if (e.name === KEYS_FILE) {
          if (depth <= 1) index.keyFiles.push(path);
        } else {
          const kind = parseTrailFileName(e.name)?.kind;
          if (kind === 'digest') index.digests.push({ location: path, key: relative(root, path).replace(/\\/g, '/') });
          else if (kind === 'log') index.logs.set(fileId(e.name), path);
        }
      }
    }
  };
  await visit(root, 0);
  return index;
}

const errorText = (e: unknown): string =>
  (e as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied' : (e as Error).message;

/** A file's text, refused by size before reading (undefined when too large or unreadable). */
async function readSmall(path: string): Promise<string | undefined> {
  try {
    return (await stat(path)).size > MAX_SMALL_BYTES ? undefined : await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * A source over `root`; the folder is read once, when listing starts. Log files larger than
 * `limits.maxLogBytes` (default 1 GB) and digests larger than {@link MAX_DIGEST_BYTES} are not read.
 */
export function folderSource(
  root: string,
  signal?: AbortSignal,
  limits: { maxLogBytes?: number } = {},
): IntegritySource {
  let index: Promise<Index> | undefined;
  const get = (): Promise<Index> => (index ??= walk(root, signal));
  const read = async (path: string, max: number): Promise<Fetched> => {
    try {
      const size = (await stat(path)).size;
      if (size > max)
        return { error: `Too large: ${size} bytes, past the ${max}-byte limit; not read.`, location: path };
      return { bytes: await readFile(path), location: path };
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ENOENT'
        ? { missing: true, location: path }
        : { error: `Could not read it: ${errorText(e)}.`, location: path };
    }
  };
  return {
    mode: 'offline',
    name: root,
    async listDigests() {
      return (await get()).digests;
    },
    async listLogs() {
      return [...(await get()).logs.values()].map((path) => ({ location: path, key: path }));
    },
    async fetchDigest(f) {
      const got = await read(f.location, MAX_DIGEST_BYTES);
      if (!('bytes' in got)) return got;
      const sidecar = (await get()).sidecars.get(baseName(f.location));
      if (!sidecar) return got;
      return { ...got, signature: parseSignatureSidecar((await readSmall(sidecar)) ?? '') };
    },
    async fetchLog(bucket, key) {
      const path = (await get()).logs.get(fileId(key));
      return path
        ? read(path, limits.maxLogBytes ?? 1024 * 1024 * 1024)
        : { missing: true, location: `s3://${bucket}/${key} (not in the folder)` };
    },
    async publicKeys() {
      const files = (await get()).keyFiles;
      if (!files.length)
        return {
          reason:
            'no public-keys.json at the top of the folder (or in a bucket folder right under it). Save them with "aws cloudtrail list-public-keys --start-time <first day> > public-keys.json" (in the trail\'s home region) at the top of the folder.',
        };
      const keys: PublicKey[] = [];
      const bad: string[] = [];
      for (const f of files) {
        try {
          const text = await readSmall(f);
          if (text === undefined) throw new Error('unreadable, or too large for a key list');
          keys.push(...parsePublicKeysFile(text));
        } catch (e) {
          bad.push(`${baseName(f)}: ${(e as Error).message}`);
        }
      }
      return keys.length
        ? keys
        : { reason: `the public keys file(s) hold no usable key (${bad.join('; ') || 'empty list'}).` };
    },
  };
}
