/**
 * The S3 adapter, cache and online validation with the real AWS SDK against local fakes (a fake
 * S3 and a fake CloudTrail serving ListPublicKeys), never AWS.
 */
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CloudTrailApi, createClient } from '../../../src/awsSdk/cloudTrail';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client, S3Api, type S3Target } from '../../../src/awsSdk/s3';
import { CACHE_MARKER, downloadObjects, isCacheFile, S3Cache } from '../../../src/awsSdk/s3Cache';
import { s3IntegritySource } from '../../../src/awsSdk/s3IntegritySource';
import { folderSource } from '../../../src/core/integrity/folderSource';
import { validateIntegrity } from '../../../src/core/integrity/validate';
import { windowPrefixes } from '../../../src/core/aws/s3Layout';
import { explainS3Error } from '../../../src/core/aws/s3Errors';
import { RateLimiter } from '../../../src/core/aws/throttle';
import { type FakeCloudTrail, startFakeCloudTrail } from '../../support/fakeCloudTrail';
import { type FakeS3, startFakeS3 } from '../../support/fakeS3';
import { buildTrailBucket, testSigningKey } from '../../support/trailBucket';

const credentials = async () => ({ accessKeyId: 'AKIDUNITTEST', secretAccessKey: 'not-a-secret' });
const START = Date.UTC(2024, 2, 1, 22, 0, 0); // crosses midnight: two day prefixes
const WINDOW = { start: START, end: START + 4 * 3_600_000 };
const tb = buildTrailBucket({
  start: START,
  hours: 4,
  key: testSigningKey(),
  bucket: 'org-trail-logs',
  prefix: 'p',
  orgId: 'o-abcdef1234',
  accounts: ['111122223333', '444455556666'],
});
let s3: FakeS3;
let ct: FakeCloudTrail;
let api: S3Api;
let cloudTrail: CloudTrailApi;
const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'ctl-s3-'));
  dirs.push(d);
  return d;
};

describe('S3 adapter, cache and online validation against local fakes', () => {
  before(async () => {
    s3 = await startFakeS3({ buckets: { [tb.bucket]: tb.objects }, pageSize: 3 });
    ct = await startFakeCloudTrail({
      events: [],
      publicKeys: [
        {
          Value: tb.key.publicDer.toString('base64'),
          Fingerprint: tb.key.fingerprint,
          ValidityStartTime: new Date(START - 86_400_000 * 30),
          ValidityEndTime: new Date(START + 86_400_000 * 30),
        },
      ],
    });
    const target: S3Target = { profile: 'unit', region: 'us-east-1', credentials, endpoint: s3.url, timeoutMs: 5000 };
    api = new S3Api(target, createS3Client(target));
    const ctTarget = { profile: 'unit', region: 'us-east-1', credentials, endpoint: ct.url, timeoutMs: 5000 };
    cloudTrail = new CloudTrailApi(ctTarget, new RateLimiter(2), createClient(ctTarget));
  });
  after(async () => {
    api.dispose();
    cloudTrail.dispose();
    await s3.close();
    await ct.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("lists a window's log files page by page, across days and accounts", async () => {
    const prefixes = windowPrefixes(
      tb.location,
      ['111122223333', '444455556666'],
      ['us-east-1'],
      'log',
      WINDOW.start,
      WINDOW.end,
    );
    const found = await api.listAll(tb.bucket, prefixes);
    assert.deepEqual(found.map((o) => o.key).sort(), [...tb.logs].sort());
    assert.ok(
      s3.requests.some((r) => r.query['continuation-token']),
      'paged with continuation tokens',
    );
    assert.ok(found.every((o) => o.size > 0));
  });

  it('lists folders: organization, accounts, regions', async () => {
    assert.deepEqual(await api.listFolders(tb.bucket, 'p/AWSLogs/'), ['o-abcdef1234']);
    assert.deepEqual(await api.listFolders(tb.bucket, 'p/AWSLogs/o-abcdef1234/'), ['111122223333', '444455556666']);
    assert.deepEqual(await api.listFolders(tb.bucket, 'p/AWSLogs/o-abcdef1234/111122223333/CloudTrail/'), [
      'us-east-1',
    ]);
  });

  it('gets an object with its x-amz-meta-* metadata', async () => {
    const got = await api.getObject(tb.bucket, tb.digests[0], 1 << 20);
    assert.equal(got.metadata['signature-algorithm'], 'SHA256withRSA');
    assert.match(got.metadata.signature, /^[0-9a-f]{512}$/);
    await assert.rejects(api.getObject(tb.bucket, tb.logs[0], 10), /past the 10-byte limit/);
  });

  it('explains AccessDenied for the bucket and prefix', async () => {
    s3.deny(tb.bucket, 'p/AWSLogs/o-abcdef1234/444455556666/');
    const prefix = 'p/AWSLogs/o-abcdef1234/444455556666/CloudTrail/us-east-1/2024/03/01/';
    const err = await api.listAll(tb.bucket, [prefix]).then(
      () => undefined,
      (e: unknown) => e,
    );
    const x = explainS3Error(err, { profile: 'unit', region: 'us-east-1', bucket: tb.bucket, key: prefix, op: 'list' });
    assert.equal(x.title, `Access denied: s3://${tb.bucket}/${prefix}`);
    assert.match(x.detail, /s3:ListBucket on arn:aws:s3:::org-trail-logs \(for the prefix .*kms:Decrypt/);
  });

  it('explains a missing bucket and falls back to the general explanations', async () => {
    const err = await api.listAll('no-such-bucket', ['AWSLogs/']).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.equal(
      explainS3Error(err, {
        profile: 'unit',
        region: 'us-east-1',
        bucket: 'no-such-bucket',
        key: 'AWSLogs/',
        op: 'list',
      }).title,
      'No such bucket: no-such-bucket',
    );
    const refused = explainS3Error(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      { profile: 'unit', region: 'us-east-1', bucket: 'b', key: 'k', op: 'get', endpoint: 'http://127.0.0.1:1' },
    );
    assert.equal(refused.title, 'Connection failed');
    assert.match(refused.detail, /^s3:\/\/b\/k: /);
  });

  it('downloads into the cache concurrently with progress; a second run hits the cache; the cap evicts the oldest', async () => {
    const dir = tempDir();
    const cache = new S3Cache(dir, 10 * 1024 * 1024);
    const objects = await api.listAll(
      tb.bucket,
      windowPrefixes(tb.location, ['111122223333'], ['us-east-1'], 'log', WINDOW.start, WINDOW.end),
    );
    const seen: number[] = [];
    const first = await downloadObjects(api, cache, objects, {
      concurrency: 4,
      maxBytes: 1 << 26,
      progress: (p) => seen.push(p.files),
    });
    assert.equal(first.paths.length, objects.length);
    assert.deepEqual(
      seen,
      objects.map((_, i) => i + 1),
    );
    assert.equal(
      readFileSync(first.paths[0]).length,
      objects.find((o) => first.paths[0].endsWith(o.key.split('/').pop()!))!.size,
    );
    const gets = s3.requests.filter((r) => r.method === 'GET' && r.key).length;
    const again = await downloadObjects(api, cache, objects, { concurrency: 4, maxBytes: 1 << 26 });
    assert.equal(again.fromCache, objects.length);
    assert.equal(s3.requests.filter((r) => r.method === 'GET' && r.key).length, gets, 'no GET for cached files');

    assert.ok(existsSync(join(dir, CACHE_MARKER)), 'the cache marks the empty folder it started in');
    // An older cached log (a trail key) and a user's files, older still, in the same folder.
    const old = first.paths[0].replace(/_[0-9A-Za-z]+\.json\.gz$/, '_OLDOLDOLDOLD0000.json.gz');
    const mine = [
      join(dir, 'notes.txt'),
      join(dir, tb.bucket, 'report.docx'),
      join(dirname(first.paths[0]), 'mine.json.gz'),
    ];
    for (const f of [old, ...mine]) {
      writeFileSync(f, Buffer.alloc(4000));
      utimesSync(f, new Date(0), new Date(0));
    }
    const small = new S3Cache(dir, statSync(first.paths[0]).size * objects.length + 100);
    const ev = await small.evict(new Set(first.paths));
    assert.ok(!existsSync(old), 'the least recently used cache file went');
    assert.equal(ev.removed, 1);
    assert.ok(
      mine.every((f) => existsSync(f)),
      'files the cache did not write are never evicted',
    );
    assert.ok(
      first.paths.every((p) => existsSync(p)),
      'files of the current download stay',
    );
    await assert.rejects(
      downloadObjects(api, new S3Cache(dir, 10), objects, { concurrency: 2, maxBytes: 1 << 26 }),
      /larger than the cache cap/,
    );
  });

  it("a cache folder pointed at a folder of someone's files evicts nothing there", async () => {
    const dir = tempDir();
    const theirs = join(dir, tb.bucket, tb.logs[0]);
    mkdirSync(dirname(theirs), { recursive: true });
    writeFileSync(theirs, Buffer.alloc(5000));
    writeFileSync(join(dir, 'thesis.pdf'), Buffer.alloc(5000));
    const cache = new S3Cache(dir, 10);
    assert.equal(await cache.owned(), false);
    const ev = await cache.evict();
    assert.match(ev.skipped ?? '', /nothing is deleted there/);
    assert.ok(existsSync(theirs) && existsSync(join(dir, 'thesis.pdf')));
    assert.ok(!existsSync(join(dir, CACHE_MARKER)));
    // The extension's own default folder, filled before the marker existed, is adopted.
    assert.equal(await new S3Cache(dir, 10, true).owned(), true);
  });

  it('recognizes only the files the cache writes', () => {
    const log = tb.logs[0];
    for (const rel of [`b/${log}`, `b/${log}.123.part`, `b/${tb.digests[0]}${'.metadata.json'}`, 'b/public-keys.json'])
      assert.ok(isCacheFile(rel), rel);
    for (const rel of ['public-keys.json', 'b/notes.txt', `b/${log}.txt`, 'b/x/public-keys.json', CACHE_MARKER])
      assert.ok(!isCacheFile(rel), rel);
  });

  it('refuses an object past the limit without reading its body: the stream is destroyed', async () => {
    let destroyed = false;
    let read = false;
    const body = {
      destroy: () => void (destroyed = true),
      transformToByteArray: async () => ((read = true), new Uint8Array()),
    };
    const fake = {
      send: async () => ({ ContentLength: 5_000_000_000, Body: body, Metadata: {} }),
      destroy: () => undefined,
    } as unknown as S3Client;
    const small = new S3Api(api.target, fake);
    await assert.rejects(
      small.getObject('b', 'k', 1000),
      (e: Error) => e.name === 'TooLarge' && /past the 1000-byte limit/.test(e.message),
    );
    assert.ok(destroyed, 'the body stream is destroyed');
    assert.ok(!read, 'the body is never buffered');
  });

  it('a download skips objects whose listed size is past the limit, without a GET', async () => {
    const objects = await api.listAll(
      tb.bucket,
      windowPrefixes(tb.location, ['111122223333'], ['us-east-1'], 'log', WINDOW.start, WINDOW.end),
    );
    const big = { ...objects[0], size: 1 << 27 };
    const before = s3.requests.length;
    const r = await downloadObjects(api, new S3Cache(tempDir(), 1 << 30), [big, ...objects.slice(1)], {
      concurrency: 2,
      maxBytes: 1 << 26,
    });
    assert.equal(r.failed.length, 1);
    assert.equal((r.failed[0].error as Error).name, 'TooLarge');
    assert.equal(r.paths.length, objects.length - 1);
    assert.ok(!s3.requests.slice(before).some((q) => q.key === big.key), 'no GetObject for it');
  });

  it("online: fetches and caches only trail files of the trail's bucket, and nothing past the size limit", async () => {
    const dir = tempDir();
    const source = s3IntegritySource(api, cloudTrail, {
      trailArn: tb.trailArn,
      location: tb.location,
      accounts: ['111122223333'],
      regions: ['us-east-1'],
      window: WINDOW,
      maxLogBytes: 64,
      cache: new S3Cache(dir, 1 << 30),
    });
    const before = s3.requests.length;
    const keysKey = 'p/AWSLogs/o-abcdef1234/111122223333/CloudTrail/us-east-1/public-keys.json';
    for (const got of [
      await source.fetchLog(tb.bucket, keysKey),
      await source.fetchLog('another-bucket', tb.logs[0]),
      await source.fetchDigest({ key: `${tb.digests[0]}.metadata.json`, bucket: tb.bucket, location: '' }),
      await source.fetchDigest({ key: tb.logs[0], bucket: tb.bucket, location: '' }),
    ]) {
      assert.match(
        'error' in got ? got.error : '',
        /^Not fetched: not a CloudTrail (log|digest) file in the trail's bucket/,
      );
    }
    const log = tb.logs.find((k) => k.includes('/111122223333/'))!;
    const big = await source.fetchLog(tb.bucket, log);
    assert.match('error' in big ? big.error : '', /^Too large: \d+ bytes, past the 64-byte limit/);
    assert.deepEqual(
      s3.requests.slice(before).filter((q) => q.key),
      [],
      'no GetObject at all',
    );
    assert.deepEqual(readdirSync(dir), [], 'nothing cached');
  });

  it('cancels a download', async () => {
    s3.delay(200);
    const ac = new AbortController();
    const objects = await api.listAll(
      tb.bucket,
      windowPrefixes(tb.location, ['111122223333'], ['us-east-1'], 'log', WINDOW.start, WINDOW.end),
    );
    setTimeout(() => ac.abort(), 50);
    await assert.rejects(
      downloadObjects(api, new S3Cache(tempDir(), 1 << 30), objects, {
        concurrency: 2,
        maxBytes: 1 << 26,
        signal: ac.signal,
      }),
      (e: Error) => e.name === 'AbortError',
    );
    s3.delay(0);
  });

  it('keys cannot climb out of the cache', () => {
    const cache = new S3Cache('/tmp/cache', 1);
    assert.equal(cache.pathFor('b', '../../etc/passwd'), '/tmp/cache/b/%2E%2E/%2E%2E/etc/passwd');
    assert.equal(cache.pathFor('..', 'a'), '/tmp/cache/%2E%2E/a');
  });

  it('validates online, public keys from ListPublicKeys; reports a tampered log; the cache then validates offline alike', async () => {
    const dir = tempDir();
    const victim = tb.logs.find((k) => k.includes('/111122223333/'))!;
    const original = tb.objects.get(victim)!.body;
    tb.objects.get(victim)!.body = Buffer.from(original).fill(0x20, 30, 40);
    try {
      const source = s3IntegritySource(api, cloudTrail, {
        trailArn: tb.trailArn,
        location: tb.location,
        accounts: ['111122223333'],
        regions: ['us-east-1'],
        window: WINDOW,
        maxLogBytes: 1 << 26,
        cache: new S3Cache(dir, 1 << 30),
      });
      const r = await validateIntegrity(source, {
        window: WINDOW,
        maxLogBytes: 1 << 26,
        now: START + 30 * 86_400_000,
        expected: [{ account: '111122223333', region: 'us-east-1' }],
      });
      assert.ok(ct.requests.some((q) => q.operation === 'ListPublicKeys'));
      assert.equal(r.counts.digests.valid, 4);
      assert.equal(r.counts.chain.valid, 3);
      const bad = r.findings.filter((f) => f.verdict !== 'valid');
      assert.deepEqual(
        bad.map((f) => [f.kind, f.verdict, f.location]),
        [['log', 'invalid', `s3://${tb.bucket}/${victim}`]],
      );
      assert.match(bad[0].reason, /Unreadable: corrupt gzip|Modified/);

      const offline = await validateIntegrity(folderSource(dir), {
        maxLogBytes: 1 << 26,
        now: START + 30 * 86_400_000,
      });
      assert.equal(
        offline.counts.digests.valid,
        4,
        'signatures checked offline: sidecars and public-keys.json were cached',
      );
      assert.equal(offline.counts.chain.valid, 3);
      assert.equal(offline.counts.logs.invalid, 1);
    } finally {
      tb.objects.get(victim)!.body = original;
    }
  });

  it('online: AccessDenied on logs is "unverifiable" with the reason, not a crash', async () => {
    s3.deny(tb.bucket, 'p/AWSLogs/o-abcdef1234/111122223333/CloudTrail/');
    const source = s3IntegritySource(api, cloudTrail, {
      trailArn: tb.trailArn,
      location: tb.location,
      accounts: ['111122223333'],
      regions: ['us-east-1'],
      window: WINDOW,
      maxLogBytes: 1 << 26,
    });
    source.listLogs = undefined;
    const r = await validateIntegrity(source, { window: WINDOW, maxLogBytes: 1 << 26, now: START + 30 * 86_400_000 });
    assert.equal(r.counts.logs.unverifiable, 8);
    assert.match(
      r.findings.find((f) => f.kind === 'log')!.reason,
      /Access denied: s3:\/\/org-trail-logs\/p\/AWSLogs\/.*s3:GetObject/,
    );
  });
});
