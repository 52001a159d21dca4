/**
 * A trail bucket on disk built from the real samples (../shared/samples), laid out as CloudTrail
 * writes S3 (`<root>/<bucket>/[<prefix>/]AWSLogs/[<org>/]<account>/CloudTrail/<region>/YYYY/MM/DD/
 * <account>_CloudTrail_<region>_<time>_<id>.json.gz`), for the fake Athena and Logs Insights
 * endpoints and the local engine to read the same events.
 *
 * The invictus-ir files keep their own names (and so their accounts and days). Events of the other
 * samples are grouped into files by account (recipientAccountId when it is 12 digits), region
 * (awsRegion when it looks like one) and day of their time. Kept out, and counted: events without
 * an eventID or repeating one (the local store keeps one event per eventID), and events whose
 * eventTime is not CloudTrail's ISO form (Logstash exports, hand-written tests), which real trail
 * files never hold and which Trino's from_iso8601_timestamp would read differently.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { decodeLogBytes } from '../../src/core/ingest/decode';
import { parseTrailFileName } from '../../src/core/aws/s3Layout';
import type { CtRecord } from '../../src/core/model/records';
import { samplesDir } from '../builders/events';

export interface SampleBucket {
  /** The folder holding buckets (the fake's S3 root). */
  root: string;
  bucket: string;
  prefix: string;
  orgId?: string;
  accounts: string[];
  regions: string[];
  /** Every event written, as the local engine reads it. */
  records: CtRecord[];
  /** Each file written: its local path, account, region and day (epoch ms). */
  files: Array<{ path: string; account: string; region: string; day: number; bytes: number }>;
  skipped: { noId: number; duplicate: number; oddTime: number };
}

const STRICT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const DAY = 86_400_000;
const pad = (n: number): string => String(n).padStart(2, '0');

/** Sample files to read (relative to the samples folder): the gzipped invictus set plus the varied ones. */
function sampleFiles(dir: string): string[] {
  const list = readFileSync(join(dir, 'FILES.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t')[0]);
  return list.filter(
    (p) =>
      (p.startsWith('invictus-ir_aws_dataset_gzipped-by-us/') || !p.startsWith('invictus-ir_aws_dataset/')) &&
      /\.(json|jsonl|ndjson)(\.gz)?$/.test(p) &&
      !p.includes('digest'),
  );
}

/**
 * Builds the bucket in a new temporary folder. `invictusEvery`: keep every n-th invictus file only
 * (the set is 2,900 of the 3,150 events; tests that run hundreds of queries take a third).
 */
export function buildSampleBucket(
  opts: { bucket?: string; prefix?: string; orgId?: string; invictusEvery?: number } = {},
): SampleBucket {
  const dir = samplesDir();
  const root = mkdtempSync(join(tmpdir(), 'sample-bucket-'));
  const bucket = opts.bucket ?? 'trail-bucket';
  const prefix = opts.prefix ?? '';
  const base = join(root, bucket, prefix, 'AWSLogs', opts.orgId ?? '');
  const seen = new Set<string>();
  const skipped = { noId: 0, duplicate: 0, oddTime: 0 };
  const records: CtRecord[] = [];
  const files: SampleBucket['files'] = [];
  const groups = new Map<string, { account: string; region: string; day: number; events: unknown[] }>();
  let n = 0;

  const keep = (r: CtRecord): boolean => {
    if (!r.eventId) return (skipped.noId++, false);
    if (seen.has(r.eventId)) return (skipped.duplicate++, false);
    const ev = JSON.parse(r.raw) as Record<string, unknown>;
    if (typeof ev.eventTime !== 'string' || !STRICT_TIME.test(ev.eventTime)) return (skipped.oddTime++, false);
    seen.add(r.eventId);
    return true;
  };
  const write = (account: string, region: string, day: number, name: string, events: unknown[]): void => {
    const d = new Date(day);
    const folder = join(
      base,
      account,
      'CloudTrail',
      region,
      String(d.getUTCFullYear()),
      pad(d.getUTCMonth() + 1),
      pad(d.getUTCDate()),
    );
    mkdirSync(folder, { recursive: true });
    const path = join(folder, name);
    const body = gzipSync(JSON.stringify({ Records: events }));
    writeFileSync(path, body);
    files.push({ path, account, region, day, bytes: body.length });
  };

  let invictus = 0;
  for (const rel of sampleFiles(dir)) {
    if (rel.startsWith('invictus-ir') && invictus++ % (opts.invictusEvery ?? 1) !== 0) continue;
    const bytes = readFileSync(join(dir, rel));
    const decoded = decodeLogBytes(bytes);
    if (decoded.kind !== 'events') continue;
    const kept = decoded.records.filter(keep);
    const named = parseTrailFileName(rel);
    if (rel.startsWith('invictus-ir_aws_dataset_gzipped-by-us/') && named?.kind === 'log') {
      records.push(...kept);
      write(
        named.account,
        named.region,
        Math.floor(named.time / DAY) * DAY,
        rel.slice(rel.lastIndexOf('/') + 1).replace(/\.json$/, '.json.gz'),
        kept.map((r) => JSON.parse(r.raw)),
      );
      continue;
    }
    for (const r of kept) {
      const account = /^\d{12}$/.test(r.account) ? r.account : '111122223333';
      const region = /^[a-z]{2}(-[a-z]+)+-\d$/.test(r.awsRegion) ? r.awsRegion : 'us-east-1';
      const day = Math.floor(r.time / DAY) * DAY;
      const key = `${account}|${region}|${day}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { account, region, day, events: [] }));
      g.events.push(JSON.parse(r.raw));
      records.push(r);
    }
  }
  for (const g of groups.values()) {
    const d = new Date(g.day);
    const stamp = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T2359Z`;
    write(
      g.account,
      g.region,
      g.day,
      `${g.account}_CloudTrail_${g.region}_${stamp}_sample${String(n++).padStart(4, '0')}.json.gz`,
      g.events,
    );
  }
  const accounts = [...new Set(files.map((f) => f.account))].sort();
  const regions = [...new Set(files.map((f) => f.region))].sort();
  return { root, bucket, prefix, orgId: opts.orgId, accounts, regions, records, files, skipped };
}

/** Every file under a folder, for checks. */
export function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}
