import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { samplesDir } from '../../builders/events';
import {
  inflate,
  inflateAsync,
  parseDigest,
  parseSignatureSidecar,
  sha256Hex,
  signingString,
  verifySignature,
} from '../../../src/core/integrity/digest';
import { type Finding, isIntact, outcome, reportToJson, summaryLine } from '../../../src/core/integrity/report';
import { type IntegritySource, validateIntegrity } from '../../../src/core/integrity/validate';
import { buildTrailBucket, signDigest, type TrailBucket, testSigningKey } from '../../support/trailBucket';

const START = Date.UTC(2024, 2, 1, 0, 0, 0);
const KEY = testSigningKey();

/** The bucket as a validation source, in memory (the S3 adapter is tested against the fake S3). */
function memorySource(tb: TrailBucket, opts: { listLogs?: boolean } = {}): IntegritySource {
  const fetch = async (key: string) => {
    const o = tb.objects.get(key);
    const location = `s3://${tb.bucket}/${key}`;
    return o
      ? {
          bytes: o.body,
          location,
          signature: o.metadata.signature
            ? { signature: o.metadata.signature, algorithm: o.metadata['signature-algorithm'] }
            : undefined,
        }
      : { missing: true as const, location };
  };
  return {
    mode: 'online',
    name: tb.trailArn,
    listDigests: async () =>
      [...tb.objects.keys()]
        .filter((k) => k.includes('/CloudTrail-Digest/'))
        .map((key) => ({ key, bucket: tb.bucket, location: `s3://${tb.bucket}/${key}` })),
    listLogs: opts.listLogs
      ? async () =>
          [...tb.objects.keys()]
            .filter((k) => k.includes('/CloudTrail/'))
            .map((key) => ({ key, bucket: tb.bucket, location: `s3://${tb.bucket}/${key}` }))
      : undefined,
    fetchDigest: (f) => fetch(f.key),
    fetchLog: (_b, key) => fetch(key),
    publicKeys: async () => [{ fingerprint: tb.key.fingerprint, value: tb.key.publicDer }],
  };
}

const run = (tb: TrailBucket, o: { listLogs?: boolean; now?: number } = {}) =>
  validateIntegrity(memorySource(tb, o), {
    window: { start: START, end: START + 6 * 3_600_000 },
    maxLogBytes: 1 << 26,
    now: o.now ?? START + 30 * 86_400_000,
  });
const problems = (fs: Finding[]): Finding[] => fs.filter((f) => f.verdict !== 'valid');
const bucket = (o: Partial<Parameters<typeof buildTrailBucket>[0]> = {}): TrailBucket =>
  buildTrailBucket({ start: START, hours: 6, key: KEY, ...o });

/** Rewrites one object's (uncompressed) content, keeping its metadata: what a tamperer can do. */
function tamper(tb: TrailBucket, key: string, edit: (text: string) => string): void {
  const o = tb.objects.get(key)!;
  o.body = gzipSync(Buffer.from(edit(gunzipSync(o.body).toString('utf8'))));
}

describe('integrity: signatures and the signing string', () => {
  it('builds the documented signing string, "null" for the first digest', () => {
    const d = {
      digestEndTime: '2015-08-17T15:01:31Z',
      digestS3Bucket: 'b',
      digestS3Object: 'AWSLogs/1/CloudTrail-Digest/x.json.gz',
      previousDigestSignature: null,
    };
    assert.equal(signingString(d, 'ab'), '2015-08-17T15:01:31Z\nb/AWSLogs/1/CloudTrail-Digest/x.json.gz\nab\nnull');
    assert.equal(signingString({ ...d, previousDigestSignature: 'ff00' }, 'ab').split('\n')[3], 'ff00');
  });

  it('verifies a valid signature, rejects a changed string, a changed signature and another key', () => {
    const body = {
      digestEndTime: '2024-03-01T01:00:04Z',
      digestS3Bucket: 'b',
      digestS3Object: 'k',
      previousDigestSignature: null,
    };
    const content = Buffer.from('{}');
    const meta = signDigest(KEY, body, content);
    const sig = { signature: meta.signature, algorithm: meta['signature-algorithm'] };
    const str = signingString(body, sha256Hex(content));
    assert.equal(verifySignature(str, sig, KEY.publicDer), true);
    assert.equal(verifySignature(`${str} `, sig, KEY.publicDer), false);
    // The last byte flipped (setting it to 00 would change nothing once in 256 keys).
    const last = (Number.parseInt(sig.signature.slice(-2), 16) ^ 0xff).toString(16).padStart(2, '0');
    assert.notEqual(last, sig.signature.slice(-2));
    assert.equal(
      verifySignature(str, { ...sig, signature: `${sig.signature.slice(0, -2)}${last}` }, KEY.publicDer),
      false,
    );
    assert.equal(verifySignature(str, sig, testSigningKey().publicDer), false);
    assert.throws(() => verifySignature(str, { ...sig, algorithm: 'MD5withRSA' }, KEY.publicDer), /unsupported/);
    assert.throws(() => verifySignature(str, { ...sig, signature: 'zz' }, KEY.publicDer), /hexadecimal/);
    assert.throws(() => verifySignature(str, sig, Buffer.from('not a key')), /PKCS#1/);
  });

  it('reads signature sidecars in head-object, bare and header shapes', () => {
    assert.deepEqual(parseSignatureSidecar('{"Metadata":{"signature":"ab","signature-algorithm":"SHA256withRSA"}}'), {
      signature: 'ab',
      algorithm: 'SHA256withRSA',
    });
    assert.deepEqual(parseSignatureSidecar('{"x-amz-meta-signature":"cd"}'), {
      signature: 'cd',
      algorithm: 'SHA256withRSA',
    });
    assert.equal(parseSignatureSidecar('{"Metadata":{}}'), undefined);
    assert.equal(parseSignatureSidecar('not json'), undefined);
  });

  it('bounds decompression', () => {
    assert.throws(() => inflate(gzipSync(Buffer.alloc(1 << 20)), 1000), /decompresses past/);
    assert.throws(() => inflate(Buffer.from([0x1f, 0x8b, 1, 2, 3]), 1000), /corrupt gzip/);
  });

  it('bounds decompression off the event loop too', async () => {
    await assert.rejects(inflateAsync(gzipSync(Buffer.alloc(1 << 20)), 1000), /decompresses past/);
    await assert.rejects(inflateAsync(Buffer.from([0x1f, 0x8b, 1, 2, 3]), 1000), /corrupt gzip/);
    assert.equal((await inflateAsync(gzipSync('abc'), 1000)).toString(), 'abc');
    assert.equal((await inflateAsync(Buffer.from('plain'), 1000)).toString(), 'plain');
  });
});

describe('integrity: the real digest sample', () => {
  const dir = join(samplesDir(), 'llm-guard_digest');
  const name = '327878933619_CloudTrail-Digest_ap-northeast-1_llm-guard-trail_us-west-2_20231015T230404Z.json';
  it('parses, with its chain fields and escaped slashes read', () => {
    const d = parseDigest(inflate(readFileSync(join(dir, `${name}.gz`)), 1 << 20));
    assert.equal(d.awsAccountId, '327878933619');
    assert.equal(d.digestEndTime, '2023-10-15T23:04:04Z');
    assert.match(d.digestS3Object, /^AWSLogs\/327878933619\/CloudTrail-Digest\/ap-northeast-1\/2023\/10\/15\//);
    assert.equal(d.previousDigestHashValue, '8f953371d3e85eddb89b05ed6b9e680791055315c73e1025ab5dba7bb2aee189');
    assert.equal(d.previousDigestSignature?.length, 512);
    assert.match(d.previousDigestS3Object ?? '', /_20231015T220404Z\.json\.gz$/);
    assert.equal(d.logFiles.length, 5);
    assert.equal(d.logFiles[0].hashValue, '4309c6161e37538de72ec6f679e86b7e45aebed71fa7e76af70c3019fef44e19');
    assert.equal(parseDigest(readFileSync(join(dir, name))).digestS3Object, d.digestS3Object);
  });

  it('refuses what is not a digest, saying why', () => {
    assert.throws(() => parseDigest('{"Records":[]}'), /missing awsAccountId/);
    assert.throws(() => parseDigest('[1]'), /not a JSON object/);
    const d = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    d.logFiles[0].hashValue = 'nope';
    assert.throws(() => parseDigest(JSON.stringify(d)), /entry 1/);
  });
});

describe('integrity: validating a trail bucket', () => {
  it('an intact bucket is valid throughout: digests, chain links, logs', async () => {
    const r = await run(bucket(), { listLogs: true });
    assert.deepEqual(problems(r.findings), []);
    assert.equal(r.counts.digests.valid, 6);
    assert.equal(r.counts.chain.valid, 5);
    assert.equal(r.counts.logs.valid, 12);
    assert.ok(isIntact(r));
    assert.match(summaryLine(r), /^INTACT: 6\/6 digests valid, 12\/12 log files valid\.$/);
  });

  it('a modified log file is invalid, with both hashes', async () => {
    const tb = bucket();
    tamper(tb, tb.logs[3], (t) => t.replace('"eventName":"', '"eventName":"X'));
    const p = problems((await run(tb)).findings);
    assert.equal(p.length, 1);
    assert.equal(p[0].kind, 'log');
    assert.equal(p[0].verdict, 'invalid');
    assert.match(p[0].reason, /^Modified: its SHA-256 is [0-9a-f]{64}, the digest of .* says [0-9a-f]{64}\.$/);
    assert.equal(p[0].location, `s3://${tb.bucket}/${tb.logs[3]}`);
  });

  it('a deleted log file is missing', async () => {
    const tb = bucket();
    tb.objects.delete(tb.logs[0]);
    const p = problems((await run(tb)).findings);
    assert.deepEqual(
      p.map((f) => [f.kind, f.verdict]),
      [['log', 'missing']],
    );
    assert.match(p[0].reason, /Deleted/);
  });

  it('a modified digest fails its signature and breaks the next link; its logs are not trusted', async () => {
    const tb = bucket();
    tamper(tb, tb.digests[2], (t) => t.replace(/"hashValue":"[0-9a-f]{64}"/, `"hashValue":"${'0'.repeat(64)}"`));
    const r = await run(tb);
    const p = problems(r.findings);
    assert.ok(
      p.some((f) => f.kind === 'digest' && f.verdict === 'invalid' && /Signature does not match/.test(f.reason)),
    );
    assert.ok(
      p.some(
        (f) => f.kind === 'chain' && f.verdict === 'invalid' && /previousDigestHashValue does not match/.test(f.reason),
      ),
    );
    assert.ok(
      p.some(
        (f) =>
          f.kind === 'log' &&
          f.verdict === 'unverifiable' &&
          /Not fetched: its digest .* failed validation/.test(f.reason),
      ),
      'the logs of a failed digest are not fetched',
    );
    assert.ok(
      !r.findings.some(
        (f) => f.kind === 'log' && f.verdict === 'valid' && tb.logs.slice(4, 6).some((k) => f.location.endsWith(k)),
      ),
    );
    assert.ok(!isIntact(r));
  });

  it('a deleted digest breaks the chain: reported missing, its logs listed by no digest', async () => {
    const tb = bucket();
    tb.objects.delete(tb.digests[3]);
    const p = problems((await run(tb, { listLogs: true })).findings);
    const missing = p.find((f) => f.kind === 'digest' && f.verdict === 'missing');
    assert.equal(missing?.location, `s3://${tb.bucket}/${tb.digests[3]}`);
    assert.equal(
      p.filter((f) => f.kind === 'log' && f.verdict === 'unverifiable' && /Listed by no digest/.test(f.reason)).length,
      2,
    );
  });

  it('a missing hour (logging off) is a gap where the chain restarts', async () => {
    const r = await run(bucket({ offHours: [2] }));
    const p = problems(r.findings);
    assert.deepEqual(
      p.map((f) => [f.kind, f.verdict]),
      [['gap', 'missing']],
    );
    assert.match(p[0].reason, /chain restarts: no digest from 2024-03-01T02:00:04Z to 2024-03-01T03:00:04Z/);
  });

  it('the last hours are "not yet delivered" near now, "missing" long after', async () => {
    const tb = bucket({ hours: 3 });
    const soon = await run(tb, { now: START + 4 * 3_600_000 + 30 * 60_000 });
    assert.deepEqual(
      problems(soon.findings).map((f) => f.verdict),
      ['notDelivered'],
    );
    assert.ok(isIntact(soon));
    const late = await run(tb);
    assert.deepEqual(
      problems(late.findings).map((f) => [f.kind, f.verdict]),
      [['gap', 'missing']],
    );
  });

  it('an account and region with no digest: missing, or not yet delivered for a recent window', async () => {
    const tb = bucket({ hours: 2 });
    const expected = [
      { account: '111122223333', region: 'us-east-1' },
      { account: '111122223333', region: 'eu-west-1' },
    ];
    const old = await validateIntegrity(memorySource(tb), {
      window: { start: START, end: START + 2 * 3_600_000 },
      expected,
      maxLogBytes: 1 << 26,
      now: START + 86_400_000,
    });
    assert.deepEqual(
      problems(old.findings).map((f) => [f.kind, f.verdict, f.region]),
      [['gap', 'missing', 'eu-west-1']],
    );
    const recent = await validateIntegrity(memorySource(tb), {
      window: { start: START, end: START + 2 * 3_600_000 },
      expected,
      maxLogBytes: 1 << 26,
      now: START + 3_600_000,
    });
    assert.ok(
      problems(recent.findings).some(
        (f) => f.kind === 'gap' && f.verdict === 'notDelivered' && f.region === 'eu-west-1',
      ),
    );
  });

  it('online, a digest without signature metadata or signed by an unknown key is invalid (a forgery)', async () => {
    const tb = bucket({ hours: 3 });
    tb.objects.get(tb.digests[0])!.metadata = {};
    const forger = testSigningKey();
    const forged = JSON.parse(gunzipSync(tb.objects.get(tb.digests[2])!.body).toString('utf8'));
    forged.digestPublicKeyFingerprint = forger.fingerprint;
    const content = Buffer.from(JSON.stringify(forged));
    tb.objects.set(tb.digests[2], {
      body: gzipSync(content),
      metadata: signDigest(forger, forged, content),
      lastModified: new Date(),
    });
    const p = problems((await run(tb)).findings).filter((f) => f.kind === 'digest');
    assert.deepEqual(
      p.map((f) => f.verdict),
      ['invalid', 'invalid'],
    );
    assert.ok(p.some((f) => /no x-amz-meta-signature metadata/.test(f.reason)));
    assert.ok(p.some((f) => /Signed with a key CloudTrail does not list/.test(f.reason)));
  });

  it('a rewritten digest with a garbage or foreign-algorithm signature is invalid online; its logs are never "valid"', async () => {
    for (const metadata of [
      { signature: 'not-hex!', 'signature-algorithm': 'SHA256withRSA' },
      { signature: 'abcd', 'signature-algorithm': 'MD5withRSA' },
    ]) {
      const tb = bucket({ hours: 2 });
      // The tamperer edits a log, rewrites the digest's hash of it, and cannot sign: garbage instead.
      tamper(tb, tb.logs[0], (t) => t.replace('"eventName":"', '"eventName":"X'));
      const d = tb.objects.get(tb.digests[0])!;
      const doc = JSON.parse(gunzipSync(d.body).toString('utf8'));
      doc.logFiles[0].hashValue = sha256Hex(gunzipSync(tb.objects.get(tb.logs[0])!.body));
      d.body = gzipSync(JSON.stringify(doc));
      d.metadata = metadata;
      const r = await run(tb);
      const digest = r.findings.find((f) => f.kind === 'digest' && f.location.endsWith(tb.digests[0]))!;
      assert.equal(digest.verdict, 'invalid', digest.reason);
      assert.match(digest.reason, /not CloudTrail's/);
      const log = r.findings.find((f) => f.kind === 'log' && f.location.endsWith(tb.logs[0]))!;
      assert.equal(log.verdict, 'unverifiable');
      assert.ok(!isIntact(r));
      assert.match(summaryLine(r), /^PROBLEMS FOUND/);
    }
    // Even with no public key to check it against, a garbage signature is not CloudTrail's.
    const tb = bucket({ hours: 1 });
    tb.objects.get(tb.digests[0])!.metadata = { signature: 'zz', 'signature-algorithm': 'SHA256withRSA' };
    const src = memorySource(tb);
    src.publicKeys = async () => ({ reason: 'ListPublicKeys returned no key for the window.' });
    const r = await validateIntegrity(src, { maxLogBytes: 1 << 26, now: START + 86_400_000 });
    assert.equal(r.findings.find((f) => f.kind === 'digest')?.verdict, 'invalid');
  });

  it('without public keys, nothing is proven: logs matching unverified digests are unverifiable, not fetched online; "NOT VERIFIED"', async () => {
    const tb = bucket({ hours: 2 });
    const src = memorySource(tb);
    const fetched: string[] = [];
    const fetchLog = src.fetchLog;
    src.fetchLog = (b, k) => (fetched.push(k), fetchLog(b, k));
    src.publicKeys = async () => ({ reason: 'ListPublicKeys failed (AccessDenied).' });
    const r = await validateIntegrity(src, {
      window: { start: START, end: START + 2 * 3_600_000 },
      maxLogBytes: 1 << 26,
      now: START + 86_400_000,
    });
    assert.equal(r.counts.digests.valid, 0);
    assert.equal(r.counts.logs.valid, 0);
    assert.equal(r.counts.logs.unverifiable, 4);
    assert.deepEqual(fetched, []);
    assert.ok(!isIntact(r));
    assert.equal(outcome(r), 'notVerified');
    assert.match(summaryLine(r), /^NOT VERIFIED: 0\/2 digests valid/);
  });

  it("a verified digest's list is followed only to trail log keys in its own bucket", async () => {
    const tb = bucket({ hours: 1 });
    const d = tb.objects.get(tb.digests[0])!;
    const doc = JSON.parse(gunzipSync(d.body).toString('utf8'));
    const h = '0'.repeat(64);
    doc.logFiles.push({
      s3Bucket: tb.bucket,
      s3Object: 'AWSLogs/111122223333/public-keys.json',
      hashValue: h,
      hashAlgorithm: 'SHA-256',
      newestEventTime: doc.digestEndTime,
      oldestEventTime: doc.digestStartTime,
    });
    doc.logFiles.push({ ...doc.logFiles[0], s3Bucket: 'someone-elses-bucket' });
    const content = Buffer.from(JSON.stringify(doc));
    tb.objects.set(tb.digests[0], {
      body: gzipSync(content),
      metadata: signDigest(tb.key, doc, content),
      lastModified: new Date(),
    });
    const src = memorySource(tb);
    const fetched: string[] = [];
    const fetchLog = src.fetchLog;
    src.fetchLog = (b, k) => (fetched.push(`${b}/${k}`), fetchLog(b, k));
    const r = await validateIntegrity(src, { maxLogBytes: 1 << 26, now: START + 86_400_000 });
    assert.equal(r.counts.digests.valid, 1, r.findings.map((f) => f.reason).join('\n'));
    assert.deepEqual(fetched.sort(), tb.logs.map((k) => `${tb.bucket}/${k}`).sort());
    const odd = r.findings.filter((f) => /not a CloudTrail log file in the trail's bucket/.test(f.reason));
    assert.deepEqual(
      odd.map((f) => f.verdict),
      ['unverifiable', 'unverifiable'],
    );
  });

  it('a key outside its validity window does not vouch for a digest', async () => {
    const tb = bucket({ hours: 1 });
    const src = memorySource(tb);
    src.publicKeys = async () => [
      { fingerprint: tb.key.fingerprint, value: tb.key.publicDer, validityStart: START + 86_400_000 },
    ];
    const r = await validateIntegrity(src, { maxLogBytes: 1 << 26, now: START + 86_400_000 });
    const digest = r.findings.find((f) => f.kind === 'digest')!;
    assert.equal(digest.verdict, 'invalid');
    assert.match(digest.reason, /valid only from/);
    assert.equal(r.counts.logs.valid, 0);
  });

  it('a digest moved elsewhere is invalid', async () => {
    const tb = bucket({ hours: 2 });
    const src = memorySource(tb);
    const list = await src.listDigests();
    src.listDigests = async () => list.map((f) => ({ ...f, bucket: 'other-bucket' }));
    const r = await validateIntegrity(src, { maxLogBytes: 1 << 26 });
    assert.ok(
      r.findings.some((f) => f.kind === 'digest' && f.verdict === 'invalid' && /Moved or renamed/.test(f.reason)),
    );
  });

  it('exports JSON with the summary and every finding; hostile strings stay data', async () => {
    const tb = bucket({ hours: 2 });
    const r = await run(tb);
    const json = JSON.parse(reportToJson(r));
    assert.equal(json.format, 'cloudtrail-lens.integrity-report/1');
    assert.equal(json.findings.length, r.findings.length);
    assert.match(json.summary, /digests valid/);
  });
});
