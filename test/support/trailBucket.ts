/**
 * A generated trail bucket, as CloudTrail writes one with log file validation on: gzipped log
 * files of real sample events, and one digest an hour per account and region, chained and
 * signed with a test RSA key (node:crypto) whose public key a fake ListPublicKeys serves.
 * Objects are plain bytes + metadata, so a test can tamper with them before serving them.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { recentSampleEvents } from '../builders/events';
import { dayPrefix, type TrailLocation } from '../../src/core/aws/s3Layout';

export interface BucketObject {
  body: Buffer;
  /** S3 user metadata without the `x-amz-meta-` prefix. */
  metadata: Record<string, string>;
  lastModified: Date;
}

export interface TrailBucketOptions extends Partial<TrailLocation> {
  trailName?: string;
  homeRegion?: string;
  accounts?: string[];
  regions?: string[];
  /** First hour (epoch ms, rounded down to the hour) and how many hours of digests. */
  start: number;
  hours: number;
  logsPerHour?: number;
  /** Hours (0-based) when logging was off: no logs, no digest, and the chain restarts after. */
  offHours?: number[];
  /** The signing key; generated when absent. Pass one to share it between buckets. */
  key?: SigningKey;
}

export interface SigningKey {
  privateKey: KeyObject;
  /** DER PKCS#1 RSAPublicKey bytes, as ListPublicKeys returns them. */
  publicDer: Buffer;
  fingerprint: string;
}

export interface TrailBucket {
  bucket: string;
  location: TrailLocation;
  trailArn: string;
  objects: Map<string, BucketObject>;
  key: SigningKey;
  /** Keys of the log files and digests, oldest first, per account|region. */
  logs: string[];
  digests: string[];
  events: number;
}

/** A 2048-bit RSA key pair for signing test digests (1024 would be faster, but AWS uses 2048). */
export function testSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicDer = publicKey.export({ format: 'der', type: 'pkcs1' });
  return { privateKey, publicDer, fingerprint: createHash('md5').update(publicDer).digest('hex') };
}

const compact = (ms: number, seconds: boolean): string =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z')
    .slice(0, seconds ? 15 : 13) + 'Z';
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Signs a digest body the way CloudTrail does and returns the S3 metadata for it. */
export function signDigest(key: SigningKey, body: Record<string, unknown>, content: Buffer): Record<string, string> {
  const toSign = `${String(body.digestEndTime)}\n${String(body.digestS3Bucket)}/${String(body.digestS3Object)}\n${sha(content)}\n${(body.previousDigestSignature as string | null) ?? 'null'}`;
  return {
    signature: sign('sha256', Buffer.from(toSign), key.privateKey).toString('hex'),
    'signature-algorithm': 'SHA256withRSA',
  };
}

/** Builds the bucket. Events are real invictus-ir sample events re-timed into the hours. */
export function buildTrailBucket(o: TrailBucketOptions): TrailBucket {
  const bucket = o.bucket ?? 'trail-bucket';
  const location: TrailLocation = { bucket, prefix: o.prefix ?? '', orgId: o.orgId };
  const trailName = o.trailName ?? 'main-trail';
  const home = o.homeRegion ?? 'us-east-1';
  const accounts = o.accounts ?? ['111122223333'];
  const regions = o.regions ?? [home];
  const key = o.key ?? testSigningKey();
  const start = Math.floor(o.start / 3_600_000) * 3_600_000;
  const perHour = o.logsPerHour ?? 2;
  const pool = recentSampleEvents(start + o.hours * 3_600_000, 400);
  const out: TrailBucket = {
    bucket,
    location,
    trailArn: `arn:aws:cloudtrail:${home}:${accounts[0]}:trail/${trailName}`,
    objects: new Map(),
    key,
    logs: [],
    digests: [],
    events: 0,
  };
  let n = 0;
  for (const account of accounts) {
    for (const region of regions) {
      let previous: { key: string; sha: string; signature: string } | undefined;
      for (let h = 0; h < o.hours; h++) {
        const hourStart = start + h * 3_600_000;
        if (o.offHours?.includes(h)) {
          previous = undefined; // CloudTrail restarts the chain when logging resumes
          continue;
        }
        const logFiles: Array<Record<string, unknown>> = [];
        for (let i = 0; i < perHour; i++) {
          const delivered = hourStart + (i + 1) * Math.floor(60 / (perHour + 1)) * 60_000;
          const events = pool.slice((n * 7) % 390, ((n * 7) % 390) + 5).map((e, j) => ({
            ...e,
            awsRegion: region,
            recipientAccountId: account,
            eventTime: iso(delivered - (5 - j) * 60_000),
            eventID: `${account}-${region}-${h}-${i}-${j}`,
          }));
          n++;
          out.events += events.length;
          const raw = Buffer.from(JSON.stringify({ Records: events }));
          const logKey = `${dayPrefix(location, account, region, 'log', delivered)}${account}_CloudTrail_${region}_${compact(delivered, false)}_${randomBytes(8).toString('hex')}.json.gz`;
          out.objects.set(logKey, { body: gzipSync(raw), metadata: {}, lastModified: new Date(delivered) });
          out.logs.push(logKey);
          logFiles.push({
            s3Bucket: bucket,
            s3Object: logKey,
            hashValue: sha(raw),
            hashAlgorithm: 'SHA-256',
            newestEventTime: events[4].eventTime,
            oldestEventTime: events[0].eventTime,
          });
        }
        const end = hourStart + 3_600_000 + 4_000;
        const digestKey = `${dayPrefix(location, account, region, 'digest', end)}${account}_CloudTrail-Digest_${region}_${trailName}_${home}_${compact(end, true)}.json.gz`;
        const body: Record<string, unknown> = {
          awsAccountId: account,
          digestStartTime: iso(end - 3_600_000),
          digestEndTime: iso(end),
          digestS3Bucket: bucket,
          digestS3Object: digestKey,
          digestPublicKeyFingerprint: key.fingerprint,
          digestSignatureAlgorithm: 'SHA256withRSA',
          ...(previous
            ? {
                previousDigestS3Bucket: bucket,
                previousDigestS3Object: previous.key,
                previousDigestHashValue: previous.sha,
                previousDigestHashAlgorithm: 'SHA-256',
                previousDigestSignature: previous.signature,
              }
            : { previousDigestSignature: null }),
          logFiles,
        };
        // AWS's serializer escapes slashes; keep that so hashing is over the exact bytes.
        const content = Buffer.from(JSON.stringify(body).replace(/\//g, '\\/'));
        const metadata = signDigest(key, body, content);
        out.objects.set(digestKey, { body: gzipSync(content), metadata, lastModified: new Date(end + 60_000) });
        out.digests.push(digestKey);
        previous = { key: digestKey, sha: sha(content), signature: metadata.signature };
      }
    }
  }
  return out;
}

/**
 * Writes the bucket into `dir` in its key layout, as a download would: with each digest's
 * signature in a `.metadata.json` sidecar and the public key in `public-keys.json` (the shape
 * of `aws cloudtrail list-public-keys`) unless told not to.
 */
export function writeBucketToFolder(
  tb: TrailBucket,
  dir: string,
  opts: { sidecars?: boolean; publicKeys?: boolean } = {},
): void {
  for (const [key, obj] of tb.objects) {
    const path = join(dir, ...key.split('/'));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, obj.body);
    if (opts.sidecars !== false && obj.metadata.signature)
      writeFileSync(`${path}.metadata.json`, JSON.stringify({ Metadata: obj.metadata }));
  }
  if (opts.publicKeys !== false) {
    writeFileSync(
      join(dir, 'public-keys.json'),
      JSON.stringify({
        PublicKeyList: [
          {
            Value: tb.key.publicDer.toString('base64'),
            ValidityStartTime: '2020-01-01T00:00:00Z',
            ValidityEndTime: '2100-01-01T00:00:00Z',
            Fingerprint: tb.key.fingerprint,
          },
        ],
      }),
    );
  }
}
