/**
 * The local cache of downloaded trail files: `<dir>/<bucket>/<key>`, so a cached folder has the
 * bucket's layout and can be validated offline. Digests get their signature metadata in a
 * `<file>.metadata.json` sidecar (the format offline validation reads). The cache is capped in
 * bytes; the least recently used files go first, never those of the download in progress.
 * CloudTrail objects never change once written, so a file of the listed size is a cache hit.
 *
 * The folder is a setting and may be someone's own: eviction deletes only what the cache wrote
 * (trail logs and digests under `<dir>/<bucket>/`, their sidecars, `public-keys.json`, and
 * temporary `*.part` files), and only in a folder holding {@link CACHE_MARKER}, which the cache
 * writes when it starts in an empty (or absent) folder.
 */
import { mkdir, readdir, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { PublicKey } from '../core/integrity/digest';
import { SIDECAR_SUFFIX } from '../core/integrity/folderSource';
import { parseTrailKey } from '../core/aws/s3Layout';
import type { FetchedObject, S3Api, S3Object } from './s3';

/** A key segment as a file name: CloudTrail's own keys pass unchanged; anything odd is encoded, `..` can never climb. */
function safeSegment(s: string): string {
  if (/^[\w.=+-]+$/.test(s) && !/^\.+$/.test(s)) return s;
  return encodeURIComponent(s).replace(/\./g, '%2E').replace(/\*/g, '%2A') || '%20';
}

/** The file that marks a folder as the cache's own, so eviction may delete in it. */
export const CACHE_MARKER = '.cloudtrail-lens-cache';
const PART = /\.\d+\.part$/;

/** Whether a path relative to the cache folder (`/`-separated) is a file the cache writes. */
export function isCacheFile(rel: string): boolean {
  const slash = rel.indexOf('/');
  if (slash <= 0) return false; // top level: the marker, or not ours
  const rest = rel.slice(slash + 1);
  if (rest === 'public-keys.json') return true;
  let key = rest.replace(PART, '');
  if (key.endsWith(SIDECAR_SUFFIX)) key = key.slice(0, -SIDECAR_SUFFIX.length);
  return parseTrailKey(key) !== undefined;
}

export class S3Cache {
  private claim?: Promise<boolean>;

  /**
   * @param adopt the folder is the extension's own (its default cache), so it is claimed even
   * when it already holds files (caches written before the marker existed).
   */
  constructor(
    readonly dir: string,
    readonly maxBytes: number,
    private readonly adopt = false,
  ) {}

  /** Whether eviction may delete here: the marker is there, or the folder was empty and now has it. */
  owned(): Promise<boolean> {
    return (this.claim ??= (async () => {
      const marker = join(this.dir, CACHE_MARKER);
      if (
        await stat(marker).then(
          () => true,
          () => false,
        )
      )
        return true;
      const entries = await readdir(this.dir).catch(() => []);
      if (entries.length && !this.adopt) return false;
      await mkdir(this.dir, { recursive: true });
      await writeFile(
        marker,
        'This folder is the CloudTrail Lens download cache: files it wrote here are deleted when it exceeds "cloudtrailLens.s3CacheMaxMB".\n',
      );
      return true;
    })().catch(() => false));
  }

  /** Where an object lives in the cache. Keys are attacker-influenced; the path stays inside `dir`. */
  pathFor(bucket: string, key: string): string {
    const path = join(this.dir, safeSegment(bucket), ...key.split('/').map(safeSegment));
    if (!path.startsWith(this.dir.endsWith(sep) ? this.dir : this.dir + sep))
      throw new Error(`Refusing key "${key.slice(0, 80)}": it would be written outside the cache.`);
    return path;
  }

  /** The cached path of an object when present with the listed size (and marks it recently used). */
  async hit(o: S3Object): Promise<string | undefined> {
    const path = this.pathFor(o.bucket, o.key);
    try {
      if ((await stat(path)).size !== o.size) return undefined;
      const now = new Date();
      await utimes(path, now, now);
      return path;
    } catch {
      return undefined;
    }
  }

  /** Writes an object (whole, via a temporary name, so a cancelled download never leaves half a file). */
  async put(bucket: string, key: string, obj: FetchedObject): Promise<string> {
    const path = this.pathFor(bucket, key);
    await this.owned(); // claims an empty folder before the first file lands in it
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.part`;
    await writeFile(tmp, obj.bytes);
    await rename(tmp, path);
    if (obj.metadata.signature)
      await writeFile(`${path}${SIDECAR_SUFFIX}`, JSON.stringify({ Metadata: obj.metadata }, null, 1));
    return path;
  }

  /**
   * Saves public keys beside a bucket's files as `public-keys.json`, in the shape of
   * `aws cloudtrail list-public-keys`, so the cached folder validates offline with signatures.
   */
  async putPublicKeys(bucket: string, keys: readonly PublicKey[]): Promise<void> {
    const path = join(this.dir, safeSegment(bucket), 'public-keys.json');
    await this.owned();
    await mkdir(dirname(path), { recursive: true });
    const iso = (ms: number | undefined): string | undefined =>
      ms === undefined ? undefined : new Date(ms).toISOString();
    const PublicKeyList = keys.map((k) => ({
      Value: Buffer.from(k.value).toString('base64'),
      ValidityStartTime: iso(k.validityStart),
      ValidityEndTime: iso(k.validityEnd),
      Fingerprint: k.fingerprint,
    }));
    await writeFile(path, JSON.stringify({ PublicKeyList }, null, 1));
  }

  /**
   * Deletes the least recently used cache files until the cache fits its cap, sparing `keep`.
   * Only files the cache writes count; a folder without the marker is left alone (`skipped`).
   */
  async evict(keep: ReadonlySet<string> = new Set()): Promise<{ removed: number; total: number; skipped?: string }> {
    if (!(await this.owned()))
      return {
        removed: 0,
        total: 0,
        skipped: `${this.dir} holds other files and no ${CACHE_MARKER}: nothing is deleted there.`,
      };
    const files: Array<{ path: string; size: number; used: number }> = [];
    const walk = async (d: string): Promise<void> => {
      for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
        const p = join(d, e.name);
        if (e.isDirectory()) await walk(p);
        else if (e.isFile() && isCacheFile(relative(this.dir, p).split(sep).join('/'))) {
          const s = await stat(p).catch(() => undefined);
          if (s) files.push({ path: p, size: s.size, used: s.mtimeMs });
        }
      }
    };
    await walk(this.dir);
    let total = files.reduce((n, f) => n + f.size, 0);
    let removed = 0;
    files.sort((a, b) => a.used - b.used);
    for (const f of files) {
      if (total <= this.maxBytes) break;
      const owner = f.path.endsWith(SIDECAR_SUFFIX) ? f.path.slice(0, -SIDECAR_SUFFIX.length) : f.path;
      if (keep.has(owner)) continue;
      await unlink(f.path).catch(() => undefined);
      total -= f.size;
      removed++;
    }
    return { removed, total };
  }
}

export interface DownloadProgress {
  files: number;
  bytes: number;
}

export interface DownloadResult {
  paths: string[];
  failed: Array<{ object: S3Object; error: unknown }>;
  fromCache: number;
}

/**
 * Downloads objects into the cache, `concurrency` at a time, reporting progress; cached ones are
 * not fetched again. Per-object failures are collected, not thrown; an abort stops everything.
 */
export async function downloadObjects(
  api: S3Api,
  cache: S3Cache,
  objects: readonly S3Object[],
  opts: { concurrency: number; maxBytes: number; signal?: AbortSignal; progress?: (p: DownloadProgress) => void },
): Promise<DownloadResult> {
  const total = objects.reduce((n, o) => n + (o.size > opts.maxBytes ? 0 : o.size), 0);
  if (total > cache.maxBytes)
    throw new Error(
      `The download (${Math.ceil(total / 1048576)} MB) is larger than the cache cap (${Math.floor(cache.maxBytes / 1048576)} MB): narrow the window, or raise "cloudtrailLens.s3CacheMaxMB".`,
    );
  const paths = new Array<string>(objects.length);
  const failed: DownloadResult['failed'] = [];
  const done: DownloadProgress = { files: 0, bytes: 0 };
  let fromCache = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < objects.length) {
      opts.signal?.throwIfAborted();
      const i = next++;
      const o = objects[i];
      try {
        // Refused by its listed size: no GetObject for what would be thrown away.
        if (o.size > opts.maxBytes)
          throw Object.assign(
            new Error(
              `s3://${o.bucket}/${o.key} is ${o.size} bytes, past the ${opts.maxBytes}-byte limit ("cloudtrailLens.maxFileSizeMB"): skipped.`,
            ),
            { name: 'TooLarge' },
          );
        let path = await cache.hit(o);
        if (path) fromCache++;
        else path = await cache.put(o.bucket, o.key, await api.getObject(o.bucket, o.key, opts.maxBytes, opts.signal));
        paths[i] = path;
      } catch (e) {
        if (opts.signal?.aborted) throw e;
        failed.push({ object: o, error: e });
      }
      done.files++;
      done.bytes += o.size;
      opts.progress?.({ ...done });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, objects.length)) }, worker));
  const kept = paths.filter(Boolean);
  await cache.evict(new Set(kept));
  return { paths: kept, failed, fromCache };
}
