/** Builders with valid defaults for CloudTrail test data (docs/architecture.md, "Conventions"). */
import { gzipSync } from 'node:zlib';
import { decodeLogBytes } from '../../src/core/ingest/decode';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/repoRoot';

let seq = 0;

/** A valid IAMUser API call; override any field. */
export function anEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  seq++;
  return {
    eventVersion: '1.08',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLE',
      arn: 'arn:aws:iam::111122223333:user/alice',
      accountId: '111122223333',
      accessKeyId: 'AKIAEXAMPLE0000000001',
      userName: 'alice',
    },
    eventTime: `2024-03-01T10:${String(seq % 60).padStart(2, '0')}:00Z`,
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64',
    requestParameters: null,
    responseElements: null,
    requestID: `req-${seq}`,
    eventID: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '111122223333',
    eventCategory: 'Management',
    ...overrides,
  };
}

/** The body of an S3 log file holding these events. */
export function aLogFile(events: unknown[]): string {
  return JSON.stringify({ Records: events });
}

export function gz(text: string | Buffer): Buffer {
  return gzipSync(typeof text === 'string' ? Buffer.from(text) : text);
}

/** ../shared/samples, beside the repository (CI clones with shared/ beside it). */
export function samplesDir(): string {
  for (const candidate of [
    process.env.CLOUDTRAIL_SAMPLES,
    join(repoRoot(), '../shared/samples'),
    join(process.cwd(), '../shared/samples'),
  ]) {
    if (candidate && existsSync(join(candidate, 'FILES.tsv'))) return candidate;
  }
  throw new Error('The shared samples folder (../shared/samples) was not found; set CLOUDTRAIL_SAMPLES to it.');
}

/**
 * The raw JSON of real sample events, one per identity type found in ../shared/samples ('' for
 * events with no identity type), plus the first AccessDenied one under 'AccessDenied'.
 */
export function sampleEventsByIdentityType(): Map<string, string> {
  const dir = samplesDir();
  const files = readFileSync(join(dir, 'FILES.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t')[0])
    .filter((p) => /\.(json|jsonl|ndjson)$/.test(p));
  const found = new Map<string, string>();
  for (const f of files) {
    const r = decodeLogBytes(readFileSync(join(dir, f)));
    if (r.kind !== 'events') continue;
    for (const rec of r.records) {
      if (!found.has(rec.identityType)) found.set(rec.identityType, rec.raw);
      if (rec.errorCode === 'AccessDenied' && !found.has('AccessDenied')) found.set('AccessDenied', rec.raw);
    }
  }
  return found;
}

/**
 * Real events from the invictus-ir sample, re-timed so the newest happened 10 minutes before
 * `now` (Event history only shows the last 90 days); spacing between events is kept. Newest
 * `count` events, newest first.
 */
export function recentSampleEvents(now: number, count?: number): Array<Record<string, unknown>> {
  const dir = join(samplesDir(), 'invictus-ir_aws_dataset/CloudTrail');
  const all: Array<Record<string, unknown>> = [];
  for (const f of readdirSync(dir).sort())
    all.push(
      ...(JSON.parse(readFileSync(join(dir, f), 'utf8')) as { Records: Array<Record<string, unknown>> }).Records,
    );
  const t = (e: Record<string, unknown>): number => Date.parse(String(e.eventTime));
  all.sort((a, b) => t(b) - t(a));
  const shift = now - 10 * 60_000 - t(all[0]);
  return all
    .slice(0, count ?? all.length)
    .map((e) => ({ ...e, eventTime: new Date(t(e) + shift).toISOString().replace(/\.\d{3}Z$/, 'Z') }));
}
