/**
 * A small S3-compatible server on 127.0.0.1 for the real `@aws-sdk/client-s3` (path-style:
 * `forcePathStyle` with `endpoint: fake.url`): ListObjectsV2 with prefix, delimiter, start-after and
 * continuation tokens, GetObject and HeadObject with `x-amz-meta-*` metadata, and AccessDenied
 * for chosen bucket/key prefixes. Signatures are not checked. Never reaches AWS.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BucketObject } from './trailBucket';

export interface FakeS3Options {
  /** Bucket name → key → object. Maps are read live, so a test may change them while serving. */
  buckets: Record<string, Map<string, BucketObject>>;
  /** Largest ListObjectsV2 page (S3's is 1000); small values force paging in tests. */
  pageSize?: number;
}

export interface FakeS3Request {
  method: string;
  bucket: string;
  key: string;
  query: Record<string, string>;
}

export interface FakeS3 {
  url: string;
  requests: FakeS3Request[];
  /** Requests on `bucket` for keys under `prefix` ('' for the whole bucket) answer 403 AccessDenied. */
  deny(bucket: string, prefix: string): void;
  /** Delays every GetObject by ms (to test progress and cancel). */
  delay(ms: number): void;
  /** The next `count` ListObjectsV2 requests answer 503 SlowDown, as S3 does past its request rate. */
  throttle(count: number): void;
  /** Delays every ListObjectsV2 by ms (to test cancel and concurrency). */
  listDelay(ms: number): void;
  /** Most ListObjectsV2 requests in flight at once so far. */
  maxListsInFlight(): number;
  close(): Promise<void>;
}

const xmlEscape = (s: string): string => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
const etags = new WeakMap<Buffer, string>();
/** An object's ETag (MD5 for a single-part upload), kept per body: a listing of thousands stays cheap. */
function etag(b: Buffer): string {
  let e = etags.get(b);
  if (e === undefined) etags.set(b, (e = `"${createHash('md5').update(b).digest('hex')}"`));
  return e;
}

function errorXml(res: ServerResponse, status: number, code: string, message: string, head: boolean): void {
  res.writeHead(status, { 'content-type': 'application/xml', 'x-amz-request-id': 'FAKE' });
  res.end(
    head
      ? undefined
      : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message><RequestId>FAKE</RequestId></Error>`,
  );
}

/** Each bucket's keys sorted, rebuilt when its size changes (tests add keys; a listing then sees them). */
const sortedKeys = new WeakMap<Map<string, BucketObject>, { size: number; keys: string[] }>();

/** Up to `n` keys under `prefix` after `after`, in order: a binary search, so 10,000 listings of a big bucket stay fast. */
function pageOf(objects: Map<string, BucketObject>, prefix: string, after: string, n: number): string[] {
  let idx = sortedKeys.get(objects);
  if (!idx || idx.size !== objects.size) {
    idx = { size: objects.size, keys: [...objects.keys()].sort() };
    sortedKeys.set(objects, idx);
  }
  const keys = idx.keys;
  const from = after > prefix ? after : prefix;
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < from || (keys[mid] === from && from === after)) lo = mid + 1;
    else hi = mid;
  }
  const out: string[] = [];
  for (let i = lo; i < keys.length && out.length < n && keys[i].startsWith(prefix); i++)
    if (objects.has(keys[i])) out.push(keys[i]);
  return out;
}

/** Starts the fake on a free port. */
export async function startFakeS3(opts: FakeS3Options): Promise<FakeS3> {
  const requests: FakeS3Request[] = [];
  const denied: Array<{ bucket: string; prefix: string }> = [];
  let wait = 0;
  let throttled = 0;
  let listWait = 0;
  let inFlight = 0;
  let peak = 0;
  const pageCap = opts.pageSize ?? 1000;

  function list(
    res: ServerResponse,
    bucket: string,
    objects: Map<string, BucketObject>,
    q: Record<string, string>,
  ): void {
    const prefix = q.prefix ?? '';
    if (denied.some((d) => d.bucket === bucket && (prefix.startsWith(d.prefix) || d.prefix.startsWith(prefix))))
      return errorXml(res, 403, 'AccessDenied', 'Access Denied', false);
    if (throttled > 0) {
      throttled--;
      return errorXml(res, 503, 'SlowDown', 'Please reduce your request rate.', false);
    }
    // S3 returns at most 1,000 keys a page whatever max-keys asks (ListObjectsV2 API reference).
    const asked = q['max-keys'] === undefined ? 1000 : Number(q['max-keys']);
    if (!Number.isInteger(asked) || asked < 0)
      return errorXml(res, 400, 'InvalidArgument', 'Provided max-keys not an integer or within integer range', false);
    const max = Math.min(pageCap, asked, 1000);
    const after = q['continuation-token']
      ? Buffer.from(q['continuation-token'], 'base64url').toString('utf8')
      : (q['start-after'] ?? '');
    const delimiter = q.delimiter ?? '';
    // With a delimiter, keys below the next delimiter roll up into one common prefix each.
    const entries = !delimiter
      ? pageOf(objects, prefix, after, max + 1)
      : [
          ...new Set(
            [...objects.keys()]
              .filter((k) => k.startsWith(prefix))
              .map((k) => {
                const at = delimiter ? k.indexOf(delimiter, prefix.length) : -1;
                return at >= 0 ? k.slice(0, at + delimiter.length) : k;
              }),
          ),
        ]
          .filter((k) => k > after)
          .sort();
    const page = entries.slice(0, max);
    const truncated = max > 0 && entries.length > max;
    const common = page
      .filter((k) => !objects.has(k) && delimiter && k.endsWith(delimiter))
      .map((k) => `<CommonPrefixes><Prefix>${xmlEscape(k)}</Prefix></CommonPrefixes>`);
    const contents = page
      .filter((k) => objects.has(k))
      .map((k) => {
        const o = objects.get(k)!;
        return `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${xmlEscape(etag(o.body))}</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      });
    res.writeHead(200, { 'content-type': 'application/xml' });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xmlEscape(bucket)}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${contents.join('')}${common.join('')}${truncated ? `<NextContinuationToken>${Buffer.from(page[page.length - 1]).toString('base64url')}</NextContinuationToken>` : ''}</ListBucketResult>`,
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for await (const _ of req) {
      /* drain */
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const key = rest.map(decodeURIComponent).join('/');
    const query = Object.fromEntries(url.searchParams.entries());
    const method = req.method ?? 'GET';
    requests.push({ method, bucket: decodeURIComponent(bucket), key, query });
    const head = method === 'HEAD';
    const objects = opts.buckets[decodeURIComponent(bucket)];
    if (!objects) return errorXml(res, 404, 'NoSuchBucket', 'The specified bucket does not exist', head);
    if (!key) {
      if (method !== 'GET') return errorXml(res, 405, 'MethodNotAllowed', 'Not supported by the fake', head);
      inFlight++;
      peak = Math.max(peak, inFlight);
      try {
        if (listWait > 0) await new Promise((r) => setTimeout(r, listWait));
        if (!res.destroyed) list(res, bucket, objects, query);
      } finally {
        inFlight--;
      }
      return;
    }
    if (method !== 'GET' && !head) return errorXml(res, 405, 'MethodNotAllowed', 'Not supported by the fake', head);
    if (denied.some((d) => d.bucket === bucket && key.startsWith(d.prefix)))
      return errorXml(res, 403, 'AccessDenied', 'Access Denied', head);
    const o = objects.get(key);
    if (!o) return errorXml(res, 404, 'NoSuchKey', 'The specified key does not exist.', head);
    if (wait > 0 && !head) await new Promise((r) => setTimeout(r, wait));
    if (res.destroyed) return;
    const meta = Object.fromEntries(Object.entries(o.metadata).map(([k, v]) => [`x-amz-meta-${k}`, v]));
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': o.body.length,
      etag: etag(o.body),
      'last-modified': o.lastModified.toUTCString(),
      ...meta,
    });
    res.end(head ? undefined : o.body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    deny: (bucket, prefix) => void denied.push({ bucket, prefix }),
    delay: (ms) => void (wait = ms),
    throttle: (count) => void (throttled = count),
    listDelay: (ms) => void (listWait = ms),
    maxListsInFlight: () => peak,
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
