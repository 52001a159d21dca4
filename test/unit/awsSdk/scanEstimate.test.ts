/**
 * The cost estimate (issue #21): the prefixes listed are exactly the partitions the compiled SQL
 * reads (checked against the fake Athena's DuckDB engine, which prunes as Athena does), paging,
 * bounded concurrency, AccessDenied and throttling as clear messages, cancel. The real
 * @aws-sdk/client-s3 against the fake S3 on 127.0.0.1; never AWS.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createS3Client, S3Api, type S3Target } from '../../../src/awsSdk/s3';
import { estimateScan, ScanEstimateError } from '../../../src/awsSdk/scanSize';
import { cloudTrailTableDdl, findTrailTable, parseDay } from '../../../src/core/aws/athenaTable';
import {
  describeEstimate,
  estimateVsActual,
  logsEstimate,
  mustAsk,
  pastChain,
  projectPrefixes,
  shortEstimate,
} from '../../../src/core/aws/scanEstimate';
import { compileAthena } from '../../../src/core/query/athenaSql';
import { parseQuery } from '../../../src/core/query/query';
import { type FakeS3, startFakeS3 } from '../../support/fakeS3';
import { buildSampleBucket, type SampleBucket } from '../../support/sampleBucket';
import type { BucketObject } from '../../support/trailBucket';
import type { AthenaDuck } from '../../support/athenaDuck';

const credentials = async () => ({ accessKeyId: 'AKIDUNITTEST', secretAccessKey: 'not-a-secret' });
const DAY = 86_400_000;

function bucketMap(root: string, bucket: string): Map<string, BucketObject> {
  const out = new Map<string, BucketObject>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else
        out.set(relative(join(root, bucket), p).split(sep).join('/'), {
          body: readFileSync(p),
          lastModified: new Date(0),
          metadata: {},
        });
    }
  };
  walk(join(root, bucket));
  return out;
}

describe('cost estimate: prefixes, sizes and the listing', () => {
  let b: SampleBucket;
  let s3: FakeS3;
  let api: S3Api;
  let duck: AthenaDuck;
  let table: ReturnType<typeof cloudTrailTableDdl>['table'];
  let objects: Map<string, BucketObject>;
  let firstDay: number;
  let lastDay: number;

  before(async () => {
    b = buildSampleBucket({ prefix: 'p', orgId: 'o-abcdef1234' });
    objects = bucketMap(b.root, b.bucket);
    s3 = await startFakeS3({ buckets: { [b.bucket]: objects }, pageSize: 2 });
    const target: S3Target = { profile: 'unit', region: 'us-east-1', credentials, endpoint: s3.url, timeoutMs: 5000 };
    api = new S3Api(target, createS3Client(target));
    const made = cloudTrailTableDdl({
      trailName: 'unit',
      bucket: b.bucket,
      prefix: b.prefix,
      orgId: b.orgId,
      accounts: b.accounts,
      regions: b.regions,
    });
    table = made.table;
    const { AthenaDuck } = await import('../../support/athenaDuck');
    duck = await AthenaDuck.open(b.root);
    await duck.createTable(made.ddl, 'default', { events: false });
    // The sample spans years with gaps: the tests read a few days around the busiest one.
    const perDay = new Map<number, number>();
    for (const f of b.files) perDay.set(f.day, (perDay.get(f.day) ?? 0) + 1);
    const busiest = [...perDay].sort((x, y) => y[1] - x[1])[0][0];
    firstDay = busiest - 2 * DAY;
    lastDay = busiest + 2 * DAY;
  });
  after(async () => {
    api.dispose();
    await s3.close();
    await duck.close();
    rmSync(b.root, { recursive: true, force: true });
  });

  const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

  it('lists exactly the partitions the SQL reads: its bytes equal what the engine scans', async () => {
    const mid = firstDay + 2 * DAY;
    const queries = [
      `after:${iso(mid)} before:${iso(mid + DAY)}`,
      `after:${iso(firstDay)} before:${iso(lastDay)} region:${b.regions[0]}`,
      `after:${iso(mid)} before:${iso(lastDay)} recipientAccountId:${b.accounts[0]} eventName:*`,
      `region:${b.regions[0]},${b.regions[1] ?? b.regions[0]} region:${b.regions[0]} after:${iso(firstDay)} before:${iso(firstDay + 3 * DAY)}`,
      'eventName:ConsoleLogin',
    ];
    const now = lastDay + 2 * DAY;
    for (const q of queries) {
      const c = compileAthena(parseQuery(q, now), { table, lateDays: 1 });
      const engine = await duck.scanned(c.sql, 'default');
      const est = await estimateScan(api, table.partitions, table.layout!, c.partitions, { now, concurrency: 4 });
      assert.equal(est.bytes, engine.bytes, q);
      assert.equal(est.objects, engine.files, q);
      // One chain per prefix: every prefix listed, pages of 2 keys.
      const lists = s3.requests.filter((r) => r.key === '' && r.query.prefix !== undefined);
      assert.ok(lists.length >= est.chains && est.chains <= est.prefixes, q);
    }
  });

  it('pages with ContinuationToken, one chain per prefix, concurrency bounded', async () => {
    const start = s3.requests.length;
    s3.listDelay(5);
    const c = compileAthena(parseQuery(`after:${iso(firstDay)} before:${iso(lastDay + DAY)}`), { table });
    const est = await estimateScan(api, table.partitions, table.layout!, c.partitions, {
      now: lastDay + DAY,
      concurrency: 3,
    });
    s3.listDelay(0);
    const reqs = s3.requests.slice(start);
    assert.equal(reqs.length, est.requests);
    // Each chain's first request has no token; every later one carries the previous page's. An
    // account and region's consecutive days share one chain (StartAfter): at most one per prefix.
    const firsts = reqs.filter((r) => !r.query['continuation-token']);
    assert.equal(firsts.length, est.chains);
    assert.ok(est.chains < est.prefixes, `${est.chains} chains for ${est.prefixes} prefixes`);
    assert.equal(new Set(firsts.map((r) => r.query.prefix)).size, est.chains);
    assert.ok(firsts.every((r) => r.query['start-after']?.startsWith(r.query.prefix)));
    assert.ok(
      reqs.some((r) => r.query['continuation-token']),
      'pages of 2 keys: some prefix needed a second page',
    );
    assert.ok(s3.maxListsInFlight() <= 3, `in flight ${s3.maxListsInFlight()}`);
    assert.ok(est.bytes > 0);
  });

  it('AccessDenied on ListBucket and throttling are clear messages; cancel stops the listing', async () => {
    const c = compileAthena(parseQuery(`after:${iso(firstDay)} before:${iso(lastDay)}`), { table });
    s3.deny(b.bucket, `p/AWSLogs/${b.orgId}/${b.accounts[0]}/`);
    await assert.rejects(
      estimateScan(api, table.partitions, table.layout!, c.partitions, { now: lastDay }),
      (e: unknown) =>
        e instanceof ScanEstimateError &&
        e.kind === 'denied' &&
        /s3:ListBucket on arn:aws:s3:::trail-bucket/.test(e.message),
    );
    const other = compileAthena(
      parseQuery(`after:${iso(firstDay)} recipientAccountId:${b.accounts[1] ?? '999999999999'}`),
      {
        table,
      },
    );
    s3.throttle(1000);
    await assert.rejects(
      estimateScan(api, table.partitions, table.layout!, other.partitions, { now: lastDay }),
      (e: unknown) => e instanceof ScanEstimateError && e.kind === 'throttled' && /throttled/.test(e.message),
    );
    s3.throttle(0);
    s3.listDelay(50);
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 30);
    const before = s3.requests.length;
    await assert.rejects(
      estimateScan(api, table.partitions, table.layout!, other.partitions, {
        now: lastDay,
        signal: ctl.signal,
        concurrency: 2,
      }),
      (e: unknown) => e instanceof ScanEstimateError && e.kind === 'cancelled',
    );
    s3.listDelay(0);
    assert.ok(s3.requests.length - before <= 4, 'no listing started after the cancel');
  });
});

describe('cost estimate: the pure parts', () => {
  const table = cloudTrailTableDdl({
    trailName: 'org',
    bucket: 'b',
    prefix: '',
    orgId: 'o-1',
    accounts: ['111111111111', '222222222222'],
    regions: ['us-east-1', 'eu-west-1'],
  }).table;
  const now = Date.UTC(2024, 2, 31, 12);

  it('projects accounts × regions × days, late days added, values outside the projection read nothing', () => {
    const c = compileAthena(parseQuery('after:2024-03-01 before:2024-03-03 region:us-east-1,xx-nowhere-1'), {
      table,
      lateDays: 1,
    });
    const p = projectPrefixes(
      table.partitions,
      { ...table.layout!, accounts: table.layout!.accounts!, regions: table.layout!.regions! },
      c.partitions,
      now,
    );
    assert.ok(!('error' in p));
    assert.deepEqual(p.prefixes, [
      'AWSLogs/o-1/111111111111/CloudTrail/us-east-1/2024/03/01/',
      'AWSLogs/o-1/111111111111/CloudTrail/us-east-1/2024/03/02/',
      'AWSLogs/o-1/111111111111/CloudTrail/us-east-1/2024/03/03/',
      'AWSLogs/o-1/222222222222/CloudTrail/us-east-1/2024/03/01/',
      'AWSLogs/o-1/222222222222/CloudTrail/us-east-1/2024/03/02/',
      'AWSLogs/o-1/222222222222/CloudTrail/us-east-1/2024/03/03/',
    ]);
    assert.deepEqual(p.chains, [
      {
        prefix: 'AWSLogs/o-1/111111111111/CloudTrail/us-east-1/',
        startAfter: 'AWSLogs/o-1/111111111111/CloudTrail/us-east-1/2024/03/01',
        last: 'AWSLogs/o-1/111111111111/CloudTrail/us-east-1/2024/03/03/',
      },
      {
        prefix: 'AWSLogs/o-1/222222222222/CloudTrail/us-east-1/',
        startAfter: 'AWSLogs/o-1/222222222222/CloudTrail/us-east-1/2024/03/01',
        last: 'AWSLogs/o-1/222222222222/CloudTrail/us-east-1/2024/03/03/',
      },
    ]);
    const chain = p.chains[0];
    assert.equal(pastChain(chain, `${chain.last}x.json.gz`), false);
    assert.equal(pastChain(chain, 'AWSLogs/o-1/111111111111/CloudTrail/us-east-1/2024/03/04/x.json.gz'), true);
  });

  it('no time range: one prefix per account and region folder; too many partitions refused by name', () => {
    const c = compileAthena(parseQuery('eventName:X'), { table });
    const layout = { ...table.layout!, accounts: table.layout!.accounts!, regions: table.layout!.regions! };
    const all = projectPrefixes(table.partitions, layout, c.partitions, now);
    assert.ok(!('error' in all) && all.allDays && all.prefixes.length === 4);
    const year = compileAthena(parseQuery('after:2023-01-01 before:2024-01-01'), { table });
    const capped = projectPrefixes(table.partitions, layout, year.partitions, now, 100);
    assert.ok('error' in capped && /more than the 100/.test(capped.error));
  });

  it('a found table keeps its projection (enum values, range start)', () => {
    const { ddl } = cloudTrailTableDdl({
      trailName: 'x',
      bucket: 'b',
      prefix: '',
      accounts: ['111111111111'],
      regions: ['us-east-1'],
      since: Date.UTC(2020, 0, 2),
    });
    const params: Record<string, string> = {};
    for (const m of ddl.matchAll(/'([^']+)'='([^']*)'/g)) params[m[1]] = m[2];
    const found = findTrailTable(
      [
        {
          Name: 'x',
          Columns: ['eventname', 'eventtime', 'eventid', 'useridentity'].map((Name) => ({ Name, Type: 'string' })),
          PartitionKeys: ['account', 'region', 'timestamp'].map((Name) => ({ Name, Type: 'string' })),
          Parameters: params,
        },
      ],
      { bucket: 'b', prefix: '' },
      'default',
    );
    assert.deepEqual(found?.layout, {
      base: 's3://b/AWSLogs/',
      accounts: ['111111111111'],
      regions: ['us-east-1'],
      since: Date.UTC(2020, 0, 2),
    });
    assert.equal(parseDay('2024/03/09', 'yyyy/MM/dd'), Date.UTC(2024, 2, 9));
    assert.equal(parseDay('2024-3-9', 'yyyy/MM/dd'), undefined);
  });

  it('says the estimate, the cap, estimate vs actual, and Logs Insights from stored bytes', () => {
    const e = { bytes: 3 * 1024 ** 3, objects: 1200, prefixes: 40, requests: 41 };
    assert.match(shortEstimate(e), /≈ 3\.0 GB, about \$0\.015/);
    assert.match(describeEstimate(e), /3\.0 GB \(about \$0\.015 at \$5 per TB, 10 MB minimum\), 1,200 files under 40/);
    assert.equal(mustAsk(0.015, 1, false), false);
    assert.equal(mustAsk(2, 1, false), true);
    assert.equal(mustAsk(undefined, 1, true), true);
    assert.match(
      estimateVsActual(e.bytes, 1.5 * 1024 ** 3),
      /scanned 1\.5 GB .*estimated 3\.0 GB \(actual 50% of it\)/,
    );
    assert.match(estimateVsActual(undefined, 10), /no estimate/);
    const l = logsEstimate({ storedBytes: 30 * 1024 ** 3, retentionDays: 30 }, { start: now - 3 * DAY, end: now }, now);
    assert.equal(Math.round(l!.bytes / 1024 ** 3), 3);
    assert.match(l!.text, /10% of the 30 GB/);
    assert.equal(logsEstimate({}, {}, now), undefined);
  });
});
