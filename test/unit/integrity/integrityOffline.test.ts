import assert from 'node:assert/strict';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { samplesDir } from '../../builders/events';
import { folderSource } from '../../../src/core/integrity/folderSource';
import { validateIntegrity } from '../../../src/core/integrity/validate';
import { outcome, summaryLine } from '../../../src/core/integrity/report';
import { buildTrailBucket, testSigningKey, writeBucketToFolder } from '../../support/trailBucket';

const START = Date.UTC(2024, 2, 1, 0, 0, 0);
const tb = buildTrailBucket({
  start: START,
  hours: 4,
  key: testSigningKey(),
  prefix: 'org',
  orgId: 'o-abcdef1234',
  accounts: ['111122223333', '444455556666'],
});
const dirs: string[] = [];
function folder(opts?: Parameters<typeof writeBucketToFolder>[2]): string {
  const dir = mkdtempSync(join(tmpdir(), 'ctl-offline-'));
  dirs.push(dir);
  writeBucketToFolder(tb, dir, opts);
  return dir;
}
const validate = (dir: string) =>
  validateIntegrity(folderSource(dir), { maxLogBytes: 1 << 26, now: START + 86_400_000 });
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('offline validation of a local folder', () => {
  it('with sidecars and public keys: signatures, chain and every log verified', async () => {
    const r = await validate(folder());
    assert.equal(r.mode, 'offline');
    assert.deepEqual(
      r.findings.filter((f) => f.verdict !== 'valid'),
      [],
    );
    assert.equal(r.counts.digests.valid, 8);
    assert.equal(r.counts.chain.valid, 6);
    assert.equal(r.counts.logs.valid, 16);
    assert.deepEqual(r.window, { start: '2024-03-01T00:00:04Z', end: '2024-03-01T04:00:04Z' });
  });

  it('without signature metadata: hashes and the chain hash are still checked, but nothing is "valid" or "Intact"', async () => {
    const dir = folder({ sidecars: false });
    const path = (key: string): string => join(dir, ...key.split('/'));
    writeFileSync(path(tb.logs[1]), gzipSync('{"Records":[]}'));
    const r = await validate(dir);
    assert.equal(r.counts.digests.unverifiable, 8);
    assert.ok(
      r.findings
        .filter((f) => f.kind === 'digest')
        .every((f) => /no signature metadata was saved next to it/.test(f.reason)),
    );
    assert.equal(r.counts.logs.valid, 0);
    assert.equal(r.counts.logs.unverifiable, 15);
    assert.ok(
      r.findings
        .filter((f) => f.kind === 'log' && f.verdict === 'unverifiable')
        .every((f) => /matches a digest whose signature could not be verified/.test(f.reason)),
    );
    assert.equal(r.counts.logs.invalid, 1, 'a mismatch is still reported');
    writeFileSync(path(tb.logs[1]), tb.objects.get(tb.logs[1])!.body);
    const clean = await validate(dir);
    assert.equal(outcome(clean), 'notVerified');
    assert.match(summaryLine(clean), /^NOT VERIFIED/);
    assert.equal(r.counts.chain.valid, 6, 'previousDigestHashValue is compared even without signatures');
  });

  it('without public keys: says how to get them', async () => {
    const r = await validate(folder({ publicKeys: false }));
    assert.match(r.notes.join('\n'), /aws cloudtrail list-public-keys/);
    assert.equal(r.counts.digests.unverifiable, 8);
  });

  it("public keys: only public-keys.json at the top or one folder down, within each key's validity window", async () => {
    const dir = folder({ publicKeys: false });
    const keys = (start: string, end: string): string =>
      JSON.stringify({
        PublicKeyList: [
          {
            Value: tb.key.publicDer.toString('base64'),
            ValidityStartTime: start,
            ValidityEndTime: end,
            Fingerprint: tb.key.fingerprint,
          },
        ],
      });
    const always = keys('2020-01-01T00:00:00Z', '2100-01-01T00:00:00Z');
    // Deeper, or another name: not this copy's keys.
    writeFileSync(join(dir, 'org', 'AWSLogs', 'public-keys.json'), always);
    writeFileSync(join(dir, 'my-public-keys-backup.json'), always);
    assert.equal((await validate(dir)).counts.digests.valid, 0);
    mkdirSync(join(dir, 'bucket'));
    writeFileSync(join(dir, 'bucket', 'public-keys.json'), always);
    assert.equal((await validate(dir)).counts.digests.valid, 8);
    // A key that expired before these digests were signed proves nothing for them.
    writeFileSync(join(dir, 'bucket', 'public-keys.json'), keys('2020-01-01T00:00:00Z', '2023-01-01T00:00:00Z'));
    const r = await validate(dir);
    assert.equal(r.counts.digests.valid, 0);
    assert.ok(
      r.findings
        .filter((f) => f.kind === 'digest')
        .every((f) => f.verdict === 'unverifiable' && /not valid at/.test(f.reason)),
    );
  });

  it('a log file past the size limit is refused by its size, not read', async () => {
    const r = await validateIntegrity(folderSource(folder(), undefined, { maxLogBytes: 64 }), {
      maxLogBytes: 1 << 26,
      now: START + 86_400_000,
    });
    assert.equal(r.counts.logs.unverifiable, 16);
    assert.ok(
      r.findings
        .filter((f) => f.kind === 'log')
        .every((f) => /^Too large: \d+ bytes, past the 64-byte limit; not read\.$/.test(f.reason)),
    );
  });

  it('a flat folder (files copied without the key layout) validates by file name', async () => {
    const dir = folder();
    const flat = mkdtempSync(join(tmpdir(), 'ctl-flat-'));
    dirs.push(flat);
    const move = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) move(join(d, e.name));
        else renameSync(join(d, e.name), join(flat, e.name));
      }
    };
    move(dir);
    // A decompressed copy of a log and of a digest hash the same as the originals.
    const one = readdirSync(flat).find((f) => f.includes('_CloudTrail_') && f.endsWith('.json.gz'))!;
    writeFileSync(join(flat, one.slice(0, -3)), gunzipSync(readFileSync(join(flat, one))));
    unlinkSync(join(flat, one));
    const r = await validate(flat);
    assert.equal(r.counts.digests.valid, 8);
    assert.equal(r.counts.logs.valid, 16);
  });

  it('a tampered, a deleted and a stray log file', async () => {
    const dir = folder();
    const path = (key: string): string => join(dir, ...key.split('/'));
    writeFileSync(path(tb.logs[1]), gzipSync('{"Records":[]}'));
    unlinkSync(path(tb.logs[2]));
    const stray = tb.logs[3].replace(/_[0-9a-f]{16}\.json\.gz$/, '_AAAAAAAAAAAAAAAA.json.gz');
    writeFileSync(path(stray), gzipSync('{"Records":[]}'));
    const r = await validate(dir);
    const bad = r.findings
      .filter((f) => f.verdict !== 'valid')
      .map((f) => [f.kind, f.verdict, f.location.endsWith(stray.split('/').pop()!) ? 'stray' : '']);
    assert.deepEqual(bad, [
      ['log', 'invalid', ''],
      ['log', 'missing', ''],
      ['log', 'unverifiable', 'stray'],
    ]);
  });

  it('logs without any digest: one note, not a finding per file', async () => {
    const dir = folder();
    const r = await validate(join(dir, 'org', 'AWSLogs', 'o-abcdef1234', '111122223333', 'CloudTrail'));
    assert.deepEqual(r.findings, []);
    assert.match(r.notes.join('\n'), /^8 log file\(s\) found, but no digest file/m);
  });

  it('the real digest sample alone: parsed, and it says what could not be checked and why', async () => {
    const r = await validateIntegrity(folderSource(join(samplesDir(), 'llm-guard_digest')), {
      maxLogBytes: 1 << 26,
      now: Date.UTC(2023, 9, 16),
    });
    const digests = r.findings.filter((f) => f.kind === 'digest');
    // The .json and the .json.gz copy are the same digest under two names.
    assert.equal(digests.length, 2);
    assert.deepEqual(
      r.findings.filter((f) => f.kind !== 'digest' && f.kind !== 'log'),
      [],
      'one link, not a chain of two copies',
    );
    assert.ok(
      digests.every((f) => f.verdict === 'unverifiable' && /no signature metadata was saved next to it/.test(f.reason)),
    );
    assert.match(r.notes.join('\n'), /no public-keys.json at the top of the folder/);
    assert.ok(
      r.findings
        .filter((f) => f.kind === 'log')
        .every((f) => f.verdict === 'missing' && /not in the folder/.test(f.location)),
    );
  });
});
