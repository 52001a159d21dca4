/**
 * Online validation's source: a trail's bucket in S3 for a window, and its public keys from
 * ListPublicKeys in the trail's home region. Digests and logs fetched are kept in the cache (with
 * signature sidecars), so the same folder can later be validated offline.
 */
import type { CloudTrailApi } from './cloudTrail';
import { MAX_DIGEST_BYTES } from '../core/integrity/digest';
import type { Fetched, FoundFile, IntegritySource } from '../core/integrity/validate';
import { keyInWindow, parseTrailKey, type TrailLocation, windowPrefixes } from '../core/aws/s3Layout';
import { explainS3Error } from '../core/aws/s3Errors';
import type { S3Api } from './s3';
import type { S3Cache } from './s3Cache';

export interface S3SourceOptions {
  trailArn: string;
  location: TrailLocation;
  accounts: string[];
  regions: string[];
  window: { start: number; end: number };
  maxLogBytes: number;
  cache?: S3Cache;
  signal?: AbortSignal;
}

const DAY = 86_400_000;

export function s3IntegritySource(
  s3: S3Api,
  cloudTrail: Pick<CloudTrailApi, 'listPublicKeys'>,
  o: S3SourceOptions,
): IntegritySource {
  const place = (key: string, op: 'list' | 'get') => ({
    profile: s3.target.profile,
    region: s3.target.region,
    endpoint: s3.target.endpoint,
    bucket: o.location.bucket,
    key,
    op,
  });
  // Listed sizes, so an object past the limit is refused before GetObject.
  const sizes = new Map<string, number>();
  const list = async (kind: 'log' | 'digest'): Promise<FoundFile[]> => {
    const prefixes = windowPrefixes(o.location, o.accounts, o.regions, kind, o.window.start, o.window.end);
    const found: FoundFile[] = [];
    for (const prefix of prefixes) {
      try {
        for await (const page of s3.listPages(o.location.bucket, prefix, o.signal)) {
          for (const obj of page.items) {
            const k = parseTrailKey(obj.key);
            if (k?.kind === kind && keyInWindow(k, o.window.start, o.window.end)) {
              sizes.set(obj.key, obj.size);
              found.push({
                key: obj.key,
                bucket: obj.bucket,
                location: `s3://${obj.bucket}/${obj.key}`,
                size: obj.size,
              });
            }
          }
        }
      } catch (e) {
        if (o.signal?.aborted) throw e;
        const x = explainS3Error(e, place(prefix, 'list'));
        throw new Error(`${x.title}. ${x.detail}`);
      }
    }
    return found;
  };
  const fetch = async (bucket: string, key: string, max: number, kind: 'log' | 'digest'): Promise<Fetched> => {
    const location = `s3://${bucket}/${key}`;
    // Keys come from digests, which may be forged: only the trail's own files are fetched (and cached).
    if (bucket !== o.location.bucket || parseTrailKey(key)?.kind !== kind)
      return {
        error: `Not fetched: not a CloudTrail ${kind} file in the trail's bucket s3://${o.location.bucket}.`,
        location,
      };
    const size = sizes.get(key);
    if (size !== undefined && size > max)
      return {
        error: `Too large: ${size} bytes, past the ${max}-byte limit ("cloudtrailLens.maxFileSizeMB" for logs); not fetched.`,
        location,
      };
    try {
      const got = await s3.getObject(bucket, key, max, o.signal);
      if (o.cache) await o.cache.put(bucket, key, got).catch(() => undefined); // a full disk must not fail the validation
      const sig = got.metadata.signature;
      return {
        bytes: got.bytes,
        location,
        signature: sig ? { signature: sig, algorithm: got.metadata['signature-algorithm'] ?? '' } : undefined,
      };
    } catch (e) {
      if (o.signal?.aborted) throw e;
      const name = (e as { name?: string }).name ?? '';
      if (name === 'NoSuchKey' || name === 'NotFound') return { missing: true, location };
      if (name === 'TooLarge') return { error: `Too large: ${(e as Error).message}`, location };
      const x = explainS3Error(e, { ...place(key, 'get'), bucket });
      return { error: `Could not fetch it: ${x.title}. ${x.detail}`, location };
    }
  };
  // Listed once: fetchLog waits for it to learn sizes, the unlisted-logs check reuses it.
  let logs: Promise<FoundFile[]> | undefined;
  const listLogs = (): Promise<FoundFile[]> => (logs ??= list('log'));
  return {
    mode: 'online',
    name: o.trailArn,
    listDigests: () => list('digest'),
    listLogs,
    fetchDigest: (f) => fetch(f.bucket ?? o.location.bucket, f.key, MAX_DIGEST_BYTES, 'digest'),
    fetchLog: async (bucket, key) => {
      await listLogs().catch(() => undefined); // a listing failure is reported by listLogs itself
      return fetch(bucket, key, o.maxLogBytes, 'log');
    },
    async publicKeys() {
      try {
        // A day either side: a digest near the window's edge may be signed by the neighbouring key.
        const keys = await cloudTrail.listPublicKeys(o.window.start - DAY, Math.min(o.window.end + DAY, Date.now()));
        if (keys.length && o.cache) await o.cache.putPublicKeys(o.location.bucket, keys).catch(() => undefined);
        return keys.length ? keys : { reason: 'ListPublicKeys returned no key for the window.' };
      } catch (e) {
        return { reason: `ListPublicKeys failed (${(e as Error).name}: ${(e as Error).message}).` };
      }
    },
  };
}
