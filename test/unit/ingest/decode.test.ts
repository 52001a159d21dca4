import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { decodeLogBytes, decodeLogText, type DecodeResult } from '../../../src/core/ingest/decode';
import { aLogFile, anEvent, gz, samplesDir } from '../../builders/events';

const bytes = (s: string): Buffer => Buffer.from(s);
function events(r: DecodeResult) {
  assert.equal(r.kind, 'events', r.kind === 'error' ? r.reason : r.kind);
  return r;
}
function failure(r: DecodeResult): string {
  assert.equal(r.kind, 'error', `expected an error, got ${r.kind}`);
  return r.reason;
}

describe('decode: every input shape', () => {
  test('S3 log file, plain and gzipped, keeps every record and its raw JSON', () => {
    const evs = [anEvent({ eventName: 'StopLogging', extraUnknownField: { kept: true } }), anEvent()];
    for (const input of [bytes(aLogFile(evs)), gz(aLogFile(evs))]) {
      const r = events(decodeLogBytes(input));
      assert.equal(r.format, 'records');
      assert.deepEqual(
        r.records.map((x) => x.eventName),
        ['StopLogging', 'DescribeInstances'],
      );
      assert.deepEqual(JSON.parse(r.records[0].raw).extraUnknownField, { kept: true });
    }
  });

  test('concatenated gzip members decode as one stream', () => {
    const a = gzipSync(Buffer.from('{"Records":[' + JSON.stringify(anEvent())));
    const b = gzipSync(Buffer.from(',' + JSON.stringify(anEvent()) + ']}'));
    assert.equal(events(decodeLogBytes(Buffer.concat([a, b]))).records.length, 2);
  });

  test('the output buffer sized from the gzip trailer: multi-member files whose trailer gives only the last member still decode whole', () => {
    const many = Array.from({ length: 400 }, () => anEvent({ userAgent: `agent ${'x'.repeat(200)}` }));
    const text = '{"Records":[' + many.map((e) => JSON.stringify(e)).join(',') + ']}';
    assert.ok(text.length > 100_000);
    const cut = text.length - 10;
    const expected = events(decodeLogBytes(gzipSync(Buffer.from(text)))).records;
    assert.equal(expected.length, 400);
    // A large first member and a 10-byte last one (trailer far too small), then the reverse.
    for (const at of [cut, 10]) {
      const bytes = Buffer.concat([gzipSync(Buffer.from(text.slice(0, at))), gzipSync(Buffer.from(text.slice(at)))]);
      assert.deepEqual(events(decodeLogBytes(bytes)).records, expected, `split at ${at}`);
      assert.deepEqual(
        events(decodeLogBytes(bytes, { maxBytes: text.length })).records,
        expected,
        'a bound equal to the size is enough',
      );
    }
  });

  test('NDJSON, bare array, single event', () => {
    const nd = [anEvent(), anEvent(), anEvent()].map((e) => JSON.stringify(e)).join('\n') + '\n';
    assert.equal(events(decodeLogText(nd)).format, 'ndjson');
    assert.equal(events(decodeLogText(nd)).records.length, 3);
    assert.equal(events(decodeLogText(JSON.stringify([anEvent(), anEvent()]))).format, 'array');
    assert.equal(events(decodeLogText(JSON.stringify(anEvent()))).format, 'event');
  });

  test('LookupEvents output and Event-history rows read the CloudTrailEvent string', () => {
    const inner = anEvent({ eventName: 'TerminateInstances' });
    const row = {
      EventId: inner.eventID,
      EventName: 'TerminateInstances',
      EventTime: '2024-03-01 21:00:00+11:00',
      CloudTrailEvent: JSON.stringify(inner),
    };
    const r = events(decodeLogText(JSON.stringify({ Events: [row], NextToken: 'x' })));
    assert.equal(r.format, 'lookup');
    assert.equal(r.records[0].eventName, 'TerminateInstances');
    assert.equal(r.records[0].raw, row.CloudTrailEvent, 'raw is the event itself, byte for byte');
  });

  test('a LookupEvents row with an unreadable CloudTrailEvent keeps its own fields and time', () => {
    const row = {
      EventId: 'e1',
      EventName: 'DeleteBucket',
      EventSource: 's3.amazonaws.com',
      EventTime: '2022-02-08 09:23:37+11:00',
      Username: 'bob',
      CloudTrailEvent: '{broken',
    };
    const rec = events(decodeLogText(JSON.stringify(row))).records[0];
    assert.equal(rec.eventName, 'DeleteBucket');
    assert.equal(rec.principal, 'bob');
    assert.equal(rec.time, Date.UTC(2022, 1, 7, 22, 23, 37));
  });

  test('EventBridge envelopes unwrap `detail`', () => {
    const env = {
      version: '0',
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.s3',
      detail: anEvent({ eventName: 'PutBucketPolicy' }),
    };
    const r = events(decodeLogText(JSON.stringify(env)));
    assert.equal(r.format, 'eventbridge');
    assert.equal(r.records[0].eventName, 'PutBucketPolicy');
  });

  test('digest files are recognized and summarized, not read as empty logs', () => {
    const digest = {
      awsAccountId: '1',
      digestStartTime: '2023-10-15T22:04:04Z',
      digestEndTime: '2023-10-15T23:04:04Z',
      digestS3Bucket: 'b',
      logFiles: [{}, {}],
      digestPublicKeyFingerprint: 'f',
      previousDigestSignature: 'ab',
    };
    const r = decodeLogText(JSON.stringify(digest));
    assert.equal(r.kind, 'digest');
    assert.deepEqual(r.kind === 'digest' && r.digest, {
      account: '1',
      startTime: '2023-10-15T22:04:04Z',
      endTime: '2023-10-15T23:04:04Z',
      bucket: 'b',
      logFiles: 2,
      hasPreviousSignature: true,
    });
  });

  test('an empty Records array is a valid, empty log', () => {
    assert.equal(events(decodeLogText('{"Records":[]}')).records.length, 0);
  });

  test('a byte-order mark is ignored', () => {
    assert.equal(events(decodeLogBytes(bytes('\ufeff' + aLogFile([anEvent()])))).records.length, 1);
  });
});

describe('decode: bad input gets a clear reason', () => {
  const log = gz(aLogFile(Array.from({ length: 50 }, () => anEvent())));

  test('truncated gzip', () => {
    assert.match(failure(decodeLogBytes(log.subarray(0, log.length - 40))), /truncated/);
  });

  test('corrupt gzip', () => {
    const bad = Buffer.from(log);
    bad.fill(0x55, 20, 60);
    assert.match(failure(decodeLogBytes(bad)), /corrupt|truncated/);
  });

  test('not JSON at all', () => {
    assert.match(failure(decodeLogBytes(bytes('2024-03-01 10:00:00 INFO this is a text log'))), /Not JSON/);
  });

  test('a ZIP archive says to extract it (the OTRF sample ships as one)', () => {
    assert.match(
      failure(decodeLogBytes(readFileSync(join(samplesDir(), 'otrf_security-datasets/ec2_proxy_s3_exfiltration.zip')))),
      /ZIP archive/,
    );
  });

  test('broken JSON names the problem', () => {
    assert.match(failure(decodeLogText('{"Records":[{"eventName":"A"},')), /Not valid JSON/);
  });

  test('JSON that is not CloudTrail lists its keys', () => {
    const reason = failure(decodeLogText('{"name":"my-app","version":"1.0.0"}'));
    assert.match(reason, /Not CloudTrail/);
    assert.match(reason, /"name", "version"/);
    assert.match(failure(decodeLogText('[1,2,3]')), /none of its 3 entries/);
    assert.match(failure(decodeLogText('{"Records":"nope"}')), /not an array/);
  });

  test('empty and whitespace-only files', () => {
    assert.match(failure(decodeLogBytes(Buffer.alloc(0))), /empty/);
    assert.match(failure(decodeLogBytes(bytes('  \n\t '))), /empty/);
    assert.match(failure(decodeLogBytes(gz(''))), /empty/);
  });

  test('a gzip bomb is refused at the limit, quickly, without exhausting memory', () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20)); // 64 MB of spaces → ~64 KB
    assert.ok(bomb.length < 200_000);
    const reason = failure(decodeLogBytes(bomb, { maxBytes: 8 * 1024 * 1024 }));
    assert.match(reason, /limit/);
    assert.match(reason, /maxFileSizeMB/);
  });

  test('a plain file over the limit is refused before parsing', () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 0x20);
    big.write('{"Records":[');
    assert.match(failure(decodeLogBytes(big, { maxBytes: 1024 * 1024 })), /3\.0 MB, past the 1\.0 MB limit/);
  });

  test('NDJSON with a bad line keeps the good lines and says which line', () => {
    const nd = `${JSON.stringify(anEvent())}\n{"eventName": trunc\n${JSON.stringify(anEvent())}\n`;
    const r = events(decodeLogText(nd));
    assert.equal(r.records.length, 2);
    assert.match(r.warning ?? '', /line 2/);
  });

  test('__proto__ keys do not pollute prototypes', () => {
    const text =
      '{"Records":[{"eventName":"X","eventVersion":"1.08","__proto__":{"polluted":true},"userIdentity":{"__proto__":{"polluted":true},"type":"IAMUser","userName":"u"}}]}';
    const r = events(decodeLogText(text));
    assert.equal(r.records[0].principal, 'u');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.match(r.records[0].raw, /__proto__/, 'the key is kept as data');
  });

  test('hostile field types read as empty strings, not crashes', () => {
    const r = events(
      decodeLogText(
        JSON.stringify({
          Records: [
            { eventVersion: '1', eventName: { toString: 1 }, userIdentity: ['x'], eventTime: 42, resources: 'nope' },
          ],
        }),
      ),
    );
    assert.equal(r.records[0].eventName, '');
    assert.equal(r.records[0].identityType, '');
  });
});

describe('decode: every file in ../shared/samples', () => {
  const dir = samplesDir();
  const rows = readFileSync(join(dir, 'FILES.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t'));
  const logs = rows.filter(([path]) => /\.(json|jsonl|ndjson)(\.gz)?$/.test(path));

  test('the manifest lists the sample logs', () => assert.ok(logs.length > 100));

  for (const [path, , , format, count] of logs) {
    test(path, () => {
      const r = decodeLogBytes(readFileSync(join(dir, path)));
      if (format === 'digest') assert.equal(r.kind, 'digest');
      else if (/MALFORMED/i.test(format)) assert.match(failure(r), /Not valid JSON/);
      else assert.equal(events(r).records.length, Number(count), `events in ${path}`);
    });
  }
});
