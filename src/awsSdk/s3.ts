/**
 * A thin adapter over S3 for a trail's bucket: listing pages as an async generator, and GetObject
 * with the object's user metadata (digest signatures live there). SSE-KMS objects are decrypted
 * by S3 itself given kms:Decrypt; nothing to do here. Created like the CloudTrail client: the
 * profile's credentials, an endpoint override for tests and emulators (path-style then), bounded
 * requests, abort signals throughout.
 */
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { Page } from '../core/aws/paging';
import { type ClientTarget, clientBase } from './clientConfig';

/** An S3 client's profile, region (any: requests follow the bucket's region), endpoint override (AWS_ENDPOINT_URL_S3 too) and request bound. */
export type S3Target = ClientTarget;

export interface S3Object {
  bucket: string;
  key: string;
  size: number;
  lastModified?: number;
}

export interface FetchedObject {
  bytes: Uint8Array;
  /** User metadata, keys without `x-amz-meta-` (the SDK strips it), lower case. */
  metadata: Record<string, string>;
}

export function createS3Client(t: S3Target): S3Client {
  return new S3Client({
    ...clientBase(t),
    // Emulators and the test fake serve buckets as paths, not as host names.
    forcePathStyle: !!t.endpoint,
    followRegionRedirects: true,
    maxAttempts: 4,
  });
}

/** Joins a caller's signal with a per-call bound, so nothing waits forever. */
function bounded(timeoutMs: number, signal?: AbortSignal): AbortSignal {
  const t = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, t]) : t;
}

export class S3Api {
  constructor(
    readonly target: S3Target,
    private readonly client: S3Client = createS3Client(target),
  ) {}

  /** Objects under `prefix` (after `startAfter` when given), one page (up to 1000) at a time, in key order. */
  async *listPages(
    bucket: string,
    prefix: string,
    signal?: AbortSignal,
    startAfter?: string,
  ): AsyncGenerator<Page<S3Object>> {
    let token: string | undefined;
    do {
      const out = await this.client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          ContinuationToken: token,
          // S3 ignores StartAfter once a ContinuationToken is given; sent on the first page only.
          StartAfter: token ? undefined : startAfter,
        }),
        { abortSignal: bounded(this.target.timeoutMs * 4, signal) },
      );
      token = out.IsTruncated ? out.NextContinuationToken || undefined : undefined;
      const items = (out.Contents ?? [])
        .filter((o) => o.Key)
        .map((o) => ({ bucket, key: o.Key!, size: o.Size ?? 0, lastModified: o.LastModified?.getTime() }));
      yield { items, nextToken: token };
    } while (token);
  }

  /** Every object under each prefix. Throws the first listing error, with `.prefix` set on it. */
  async listAll(bucket: string, prefixes: readonly string[], signal?: AbortSignal): Promise<S3Object[]> {
    const out: S3Object[] = [];
    for (const prefix of prefixes) {
      try {
        for await (const page of this.listPages(bucket, prefix, signal)) out.push(...page.items);
      } catch (e) {
        if (typeof e === 'object' && e !== null) Object.assign(e, { prefix });
        throw e;
      }
    }
    return out;
  }

  /** The "folders" right under `prefix` (S3 common prefixes with delimiter `/`), e.g. account ids under `AWSLogs/`. */
  async listFolders(bucket: string, prefix: string, signal?: AbortSignal): Promise<string[]> {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }),
        { abortSignal: bounded(this.target.timeoutMs * 4, signal) },
      );
      for (const p of page.CommonPrefixes ?? [])
        if (p.Prefix) out.push(p.Prefix.slice(prefix.length).replace(/\/$/, ''));
      token = page.IsTruncated ? page.NextContinuationToken || undefined : undefined;
    } while (token);
    return out;
  }

  /** An object's bytes and metadata; refuses objects past `maxBytes` before reading them. */
  async getObject(bucket: string, key: string, maxBytes: number, signal?: AbortSignal): Promise<FetchedObject> {
    const out = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), {
      abortSignal: bounded(this.target.timeoutMs * 6, signal),
    });
    if ((out.ContentLength ?? 0) > maxBytes) {
      // Drop the connection rather than read what we refuse (the body is a Node stream here).
      (out.Body as { destroy?: () => void } | undefined)?.destroy?.();
      throw Object.assign(
        new Error(`s3://${bucket}/${key} is ${out.ContentLength} bytes, past the ${maxBytes}-byte limit.`),
        { name: 'TooLarge' },
      );
    }
    const bytes = out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
    const metadata: Record<string, string> = {};
    for (const [k, v] of Object.entries(out.Metadata ?? {})) metadata[k.toLowerCase()] = v;
    return { bytes, metadata };
  }

  dispose(): void {
    this.client.destroy();
  }
}
