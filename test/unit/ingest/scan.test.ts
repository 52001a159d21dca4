import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { corpusDir, rng } from '../../../bench/corpus';
import { decodeToBatch, rereadRaws } from '../../../src/core/ingest/decode';
import { scanLogFile } from '../../../src/core/ingest/scan';
import { sameBytes } from '../../../src/core/ingest/jsonScan';
import { listValues, RESOURCES } from '../../../src/core/store/batch';
import { STRING_FIELDS } from '../../../src/core/store/store';
import { assertSameResult, LIMITS, rawsOf, slowDecodeToBatch } from '../../builders/batchReference';
import { anEvent, gz, samplesDir } from '../../builders/events';
import { repoRoot } from '../../support/repoRoot';

function filesUnder(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) filesUnder(p, out);
    else out.push(p);
  }
  return out;
}

const CORPUS = corpusDir(join(repoRoot(), '.cache/bench'), 100_000);

describe("scan: the byte scanner gives the JSON.parse path's batches", () => {
  test('its columns are STRING_FIELDS, in order', () => {
    // A const enum leaves nothing at run time to compare, so its members are read from the source.
    const source = readFileSync(join(repoRoot(), 'src/core/ingest/scanBatch.ts'), 'utf8');
    const body = /export const enum F \{([^}]*)\}/.exec(source)?.[1];
    assert.ok(body, 'scanBatch.ts declares `export const enum F`');
    const members = body
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean);
    assert.deepEqual(members, [...STRING_FIELDS]);
  });

  test('every file of the shared samples', () => {
    let scanned = 0;
    for (const file of filesUnder(samplesDir())) {
      const bytes = readFileSync(file);
      const fast = decodeToBatch(bytes, LIMITS);
      assertSameResult(fast, slowDecodeToBatch(bytes), file);
      if (/\.json(\.gz)?$/.test(file) && fast.kind === 'batch') {
        const data = file.endsWith('.gz') ? gunzipSync(bytes) : bytes;
        if (scanLogFile(data, 'utf8')) scanned++;
      }
    }
    // The invictus files (plain and gzipped) are what CloudTrail writes: the scanner reads them.
    assert.ok(scanned >= 110, `scanned ${scanned}`);
  });

  test(
    'every file of the 100k bench corpus',
    { skip: !existsSync(CORPUS) && 'no bench corpus (npm run bench generates it)' },
    () => {
      const files = filesUnder(CORPUS).filter((f) => f.endsWith('.json.gz'));
      assert.equal(files.length, 200);
      for (const file of files) {
        const bytes = readFileSync(file);
        assert.ok(scanLogFile(gunzipSync(bytes), 'strings'), `${file} is scanned`);
        assertSameResult(decodeToBatch(bytes, LIMITS), slowDecodeToBatch(bytes), file);
      }
    },
  );
});

/** A JSON value written by `write` below: objects as key/value pairs (so keys can repeat), numbers as their text. */
type J = null | boolean | string | { num: string } | J[] | { pairs: [string, J][] };

const NASTY = [
  'a',
  'Z',
  ' ',
  '/',
  '\\',
  '"',
  '\\\\',
  '\n',
  '\t',
  '\u0000',
  '\u001f',
  '\u007f',
  'é',
  'ß',
  '日本',
  '😀',
  '\u2028',
  '\ud800',
  '\udfff',
  'arn:aws:s3:::b',
  '-',
  ':',
  '0',
];

function generator(seed: number) {
  const next = rng(seed);
  const int = (n: number): number => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const text = (max = 12): string => Array.from({ length: int(max) }, () => pick(NASTY)).join('');
  const num = (): { num: string } => ({
    num: pick(['0', '-0', '1', '17', '-3.25', '1e3', '1.5E-2', '100000000000000000000', '0.1']),
  });
  const scalar = (): J => pick<() => J>([() => text(), () => text(3), num, () => true, () => false, () => null])();
  const keyName = (): string =>
    pick([
      'bucketName',
      'roleArn',
      'instanceId',
      'instanceIds',
      'kmsKeyId',
      'KEY',
      'x',
      'name',
      'Name',
      'accessKeyId',
      'requestId',
      '__proto__',
      'constructor',
      '0',
      '12',
      'b',
      'Bucket',
      'policyArn',
      'tagKey',
      'é-name',
      'resourceName',
    ]);
  const value = (depth: number): J => {
    const r = next();
    if (depth >= 6 || r < 0.45) return next() < 0.7 ? text() : scalar();
    if (r < 0.7)
      return Array.from({ length: next() < 0.2 ? 20 + int(6) : int(4) }, () =>
        next() < 0.6 ? text() : value(depth + 1),
      );
    return { pairs: Array.from({ length: int(5) }, (): [string, J] => [keyName(), value(depth + 1)]) };
  };
  const identity = (): J => {
    const type = pick([
      'IAMUser',
      'AssumedRole',
      'Root',
      'AWSService',
      'AWSAccount',
      'FederatedUser',
      'IdentityCenterUser',
      'SAMLUser',
      'Unknown',
      '',
    ]);
    const pairs: [string, J][] = [
      ['type', next() < 0.9 ? type : num()],
      ['principalId', `AROA${int(9)}:${text(3)}s${int(50)}`],
      [
        'arn',
        pick([
          `arn:aws:sts::1:assumed-role/r${int(3)}/s${int(9)}`,
          `arn:aws:iam::1:user/${text(4)}`,
          `arn:aws:sts::1:federated-user/${text(3)}`,
          '',
        ]),
      ],
      ['accountId', pick(['111122223333', '', num()])],
    ];
    if (next() < 0.5) pairs.push(['userName', text(6)]);
    if (next() < 0.3) pairs.push(['invokedBy', pick(['ec2.amazonaws.com', text(4)])]);
    if (next() < 0.5) pairs.push(['accessKeyId', `ASIA${int(1000)}`]);
    if (next() < 0.4)
      pairs.push([
        'sessionContext',
        next() < 0.8
          ? {
              pairs: [
                [
                  'sessionIssuer',
                  next() < 0.8
                    ? {
                        pairs: [
                          ['userName', pick([text(5), num(), null])],
                          ['type', 'Role'],
                        ],
                      }
                    : text(3),
                ],
                ['attributes', { pairs: [['mfaAuthenticated', 'false']] }],
              ],
            }
          : null,
      ]);
    if (next() < 0.1) pairs.push(['onBehalfOf', { pairs: [['userId', text(4)]] }]);
    if (next() < 0.1) pairs.push(['credentialId', text(4)]);
    if (next() < 0.1) pairs.push([pick(['type', 'arn', 'userName', 'sessionContext']), scalar()]); // a repeated key: the last wins
    if (next() < 0.05) pairs.push([pick(['ty\\u0070e', 'user\\u004eame']), text(3)]); // escaped keys (written as is)
    return next() < 0.95 ? { pairs } : scalar();
  };
  const uuid = (): string =>
    Array.from({ length: 32 }, () => '0123456789abcdef'[int(16)])
      .join('')
      .replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
  const event = (): J => {
    const pairs: [string, J][] = [
      ['eventVersion', '1.09'],
      ['userIdentity', identity()],
      [
        'eventTime',
        pick([
          '2024-03-01T10:00:00Z',
          '2024-03-01T10:00:00.123Z',
          '2022-02-08 09:23:37+11:00',
          '2026-01-11 22:54:56.000000000',
          'yesterday',
          '2024-13-45T99:99:99Z',
          '',
          num(),
          text(3),
        ]),
      ],
      ['eventSource', pick(['ec2.amazonaws.com', 's3.amazonaws.com', text(4)])],
      ['eventName', next() < 0.9 ? pick(['DescribeInstances', 'GetObject', 'AssumeRole']) : scalar()],
      ['awsRegion', pick(['eu-west-1', 'us-east-1', text(2)])],
      ['sourceIPAddress', `10.0.${int(3)}.${int(4)}`],
      ['userAgent', pick(['aws-cli/2.15.0', text(30), 'x'.repeat(700)])],
      ['requestParameters', next() < 0.2 ? null : value(0)],
      ['responseElements', next() < 0.5 ? null : value(2)],
      ['eventID', pick([uuid(), uuid().toUpperCase(), text(5), num()])],
      ['readOnly', pick<J>([true, false, 'true', 'false', 'yes', num(), null])],
      ['eventType', 'AwsApiCall'],
      ['recipientAccountId', pick<J>(['111122223333', '', num(), null])],
    ];
    if (next() < 0.3) pairs.push(['errorCode', pick(['AccessDenied', text(4)])], ['errorMessage', text(40)]);
    if (next() < 0.3)
      pairs.push([
        'resources',
        Array.from({ length: int(25) }, () =>
          next() < 0.9
            ? {
                pairs: Array.from({ length: 1 + int(3) }, (): [string, J] => [
                  pick(['ARN', 'arn', 'resourceName', 'type', 'accountId']),
                  next() < 0.8 ? `arn:aws:s3:::${text(3)}${int(30)}` : scalar(),
                ]),
              }
            : scalar(),
        ),
      ]);
    if (next() < 0.05) pairs.push(['@timestamp', '2020-09-14T00:44:23.000Z']);
    if (next() < 0.05) pairs.push([pick(['eventName', 'requestParameters', 'resources', 'userIdentity']), value(1)]);
    if (next() < 0.02)
      pairs.push([pick(['detail', 'CloudTrailEvent']), pick<J>([text(3), { pairs: [['eventName', 'X']] }])]);
    // Shuffle a little: AWS's order is not guaranteed.
    for (let i = pairs.length - 1; i > 0 && next() < 0.3; i--) {
      const j = int(i + 1);
      [pairs[i], pairs[j]] = [pairs[j], pairs[i]];
    }
    return next() < 0.01 ? scalar() : { pairs };
  };
  return { next, int, pick, event };
}

/** JSON text of v; `loose` adds whitespace between tokens; strings escape some characters that need no escape. */
function write(v: J, g: ReturnType<typeof generator>, loose: boolean): string {
  const ws = (): string => (loose && g.next() < 0.3 ? g.pick([' ', '\n', '\t', '\r\n  ']) : '');
  const str = (s: string, escapes = 0.05): string => {
    let out = '"';
    for (const ch of JSON.stringify(s)
      .slice(1, -1)
      .match(/\\u[0-9a-fA-F]{4}|\\.|[\s\S]/gu) ?? []) {
      if (ch.length === 1 && g.next() < escapes) out += '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0');
      else if (ch === '/' && g.next() < 0.5) out += '\\/';
      else out += ch;
    }
    return out + '"';
  };
  if (v === null || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return str(v);
  if (Array.isArray(v)) return `[${ws()}${v.map((x) => write(x, g, loose)).join(`${ws()},${ws()}`)}${ws()}]`;
  if ('num' in v) return v.num;
  return `{${ws()}${v.pairs.map(([k, x]) => `${k.includes('\\u') ? `"${k}"` : str(k, 0.0003)}${ws()}:${ws()}${write(x, g, loose)}`).join(`${ws()},${ws()}`)}${ws()}}`;
}

describe('scan: generated records, odd and hostile', () => {
  test("random files give the JSON.parse path's batches (compact and with whitespace, plain and gzipped)", () => {
    let scanned = 0;
    const g = generator(20261122);
    for (let file = 0; file < 300; file++) {
      const loose = g.next() < 0.15;
      const records = Array.from({ length: 1 + g.int(12) }, () => g.event());
      const body = `{"Records":[${records.map((r) => write(r, g, loose)).join(',')}]}${g.pick(['', '\n', '  \r\n'])}`;
      const bytes = Buffer.from(body);
      JSON.parse(body); // the generator writes valid JSON
      for (const input of [bytes, gz(bytes)])
        assertSameResult(
          decodeToBatch(input, LIMITS),
          slowDecodeToBatch(input),
          `file ${file}: ${body.slice(0, 2000)}`,
        );
      if (scanLogFile(bytes, 'strings')) scanned++;
    }
    // Most files are compact and plain events: the scanner reads them (the rest fall back).
    assert.ok(scanned > 150, `scanned ${scanned} of 300`);
  });

  test("raws are each record's own bytes, and rereadRaws gives the raws the batch had at load", () => {
    const g = generator(7);
    // The records the scanner reads on their own (some have an escaped top-level key, or are not events).
    const texts = Array.from({ length: 60 }, () => write(g.event(), g, false)).filter((t) =>
      scanLogFile(Buffer.from(`{"Records":[${t}]}`), 'strings'),
    );
    assert.ok(texts.length > 30);
    const bytes = Buffer.from(`{"Records":[${texts.join(',')}]}`);
    const plain = decodeToBatch(bytes, LIMITS);
    const zipped = decodeToBatch(gz(bytes), LIMITS);
    assert.ok(plain.kind === 'batch' && zipped.kind === 'batch');
    assert.equal(plain.batch.raw.kind, 'utf8');
    assert.equal(zipped.batch.raw.kind, 'source');
    assert.deepEqual(rawsOf(plain.batch), texts);
    assert.deepEqual(rereadRaws(gz(bytes)), texts);
    assert.deepEqual(rawsOf(zipped.batch), texts);
    // The raw bytes are the batch's own buffer, transferable.
    assert.equal(plain.batch.raw.bytes.byteOffset, 0);
    assert.equal(plain.batch.raw.bytes.buffer.byteLength, plain.batch.raw.bytes.byteLength);
  });

  test('what the scanner does not read gives exactly what JSON.parse gives (errors and warnings included)', () => {
    const ev = JSON.stringify(anEvent());
    const ok = `{"Records":[${ev},${ev}]}`;
    const cases = [
      ok,
      '\ufeff' + ok,
      ' ' + ok,
      ok + 'x',
      ok + '}',
      ok + ',',
      ok + '\n\n',
      ok.replace('{"Records":[', '{"Records": ['),
      `{"Records":[${ev},${ev}],"x":1}`,
      `{"Records":[${ev}],"Records":[]}`,
      '{"Records":[]}',
      '{"Records":{}}',
      `{"Records":[1,${ev},null,"s"]}`,
      '{"Records":[1,2]}',
      `{"Records":[${ev},]}`,
      `{"Records":[${ev}]`,
      `{"Records":[${ev.replace('"eventName":', '"eventName" :')}]}`,
      `{"Records":[${ev.replace('"DescribeInstances"', '"Describe\tInstances"')}]}`,
      `{"Records":[${ev.replace('"DescribeInstances"', '"Describe\\xInstances"')}]}`,
      `{"Records":[${ev.replace('"DescribeInstances"', '"Describe\\u00zzInstances"')}]}`,
      `{"Records":[${ev.replace('true', 'tru')}]}`,
      `{"Records":[${ev.replace('true', '01')}]}`,
      `{"Records":[${ev.replace('true', '1.')}]}`,
      `{"Records":[${ev.replace('true', '-')}]}`,
      `{"Records":[${ev.replace('null', '[1,2}')}]}`,
      `{"Records":[${ev.replace('null', '{"a":1,}')}]}`,
      `{"Records":[{"detail":{"eventName":"X","eventVersion":"1"},"detail-type":"AWS API Call via CloudTrail"}]}`,
      `{"Records":[{"CloudTrailEvent":${JSON.stringify(ev)}}]}`,
      `{"Events":[{"CloudTrailEvent":${JSON.stringify(ev)}}]}`,
      `[${ev}]`,
      ev,
      `${ev}\n${ev}\n`,
    ];
    // Every cut of a small file: truncated JSON never loads as events it does not hold.
    for (let cut = 1; cut < ok.length; cut += 7) cases.push(ok.slice(0, cut), ok.slice(0, cut) + ']}');
    for (const text of cases) {
      for (const input of [Buffer.from(text), gz(Buffer.from(text))])
        assertSameResult(decodeToBatch(input, LIMITS), slowDecodeToBatch(input), text.slice(0, 300));
      // Raws are consistent whichever path a file took.
      const fast = decodeToBatch(gz(Buffer.from(text)), LIMITS);
      if (fast.kind === 'batch') assert.equal(rereadRaws(gz(Buffer.from(text))).length, fast.batch.count);
    }
    assert.equal(scanLogFile(Buffer.from(ok), 'strings') !== undefined, true);
    assert.equal(scanLogFile(Buffer.from(ok + '\n\n'), 'strings') !== undefined, true);
    assert.equal(scanLogFile(Buffer.from(' ' + ok), 'strings'), undefined);
  });

  test('random byte damage anywhere: the scanner ends, and says what JSON.parse says', () => {
    // Attacker-shaped input must never hang a decode worker or load what the slow path refuses.
    const text = `{"Records":[${JSON.stringify(anEvent({ requestParameters: { bucketName: 'b', list: [1, { k: 'x\\"y' }] } }))},${JSON.stringify(anEvent())}]}`;
    const base = Buffer.from(text);
    let seed = 12345;
    const next = (n: number): number => (seed = (seed * 1103515245 + 12345) >>> 0) % n;
    const bytes = [
      0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x20, 0x00, 0x0a, 0x31, 0x65, 0x2d, 0xc3, 0xff, 0x75,
    ];
    for (let i = 0; i < 3000; i++) {
      const b = Buffer.from(base);
      for (let k = 1 + next(3); k > 0; k--) b[next(b.length)] = bytes[next(bytes.length)];
      assertSameResult(
        decodeToBatch(b, LIMITS),
        slowDecodeToBatch(b),
        `mutation ${i}: ${b.toString('latin1').slice(0, 200)}`,
      );
    }
  });

  test('AssumedRole and IAMUser identities read from bytes name the caller as describePrincipal does, odd ARNs included', () => {
    const account = '111122223333';
    const assumed = (arn: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLE:sess',
      arn,
      accountId: account,
      accessKeyId: 'ASIAEXAMPLE',
      sessionContext: {
        sessionIssuer: { type: 'Role', userName: 'Issuer', arn: `arn:aws:iam::${account}:role/Issuer` },
        attributes: { mfaAuthenticated: 'false' },
      },
      ...extra,
    });
    const arns = [
      `arn:aws:sts::${account}:assumed-role/Role/sess`,
      `arn:aws:sts::${account}:assumed-role/Role`,
      `arn:aws:sts::${account}:assumed-role/Role/`,
      `arn:aws:sts::${account}:assumed-role//sess`,
      `arn:aws:sts::${account}:assumed-role/path/to/Role/sess`,
      `arn:aws:sts::${account}:assumed-role/a:assumed-role/b/c`,
      `arn:aws:sts::${account}:assumed-role/Rôle/séss`,
      `arn:aws:sts::${account}:assumed-role/Ro\u2028le/sess`,
      `x:assumed-role/R/s`,
      '',
      ':assumed-role/',
      ':assumed-role//',
      'no-role-here',
      `arn:aws:sts::${account}:assumed-role/Role//`,
    ];
    const identities: unknown[] = [];
    for (const arn of arns) {
      identities.push(assumed(arn));
      identities.push(assumed(arn, { sessionContext: { sessionIssuer: { userName: '' } } }));
      identities.push(assumed(arn, { sessionContext: { sessionIssuer: {} }, principalId: 'AROA:other:last' }));
      identities.push(assumed(arn, { sessionContext: null, principalId: 'nocolon' }));
      identities.push(assumed(arn, { sessionContext: { sessionIssuer: { userName: 7 } } }));
      identities.push(assumed(arn, { sessionContext: { sessionIssuer: 'Issuer' } }));
      // The issuer's userName the ARN's role (the name is the ARN's tail), or not it: as long, or its start.
      identities.push(assumed(arn, { sessionContext: { sessionIssuer: { userName: 'Role' } } }));
      identities.push(assumed(arn, { sessionContext: { sessionIssuer: { userName: 'Rolf' } }, accountId: undefined }));
      identities.push(assumed(arn, { sessionContext: { sessionIssuer: { userName: 'Rol' } } }));
    }
    identities.push(
      assumed(undefined),
      assumed(5),
      assumed('ESCAPED-ARN'),
      assumed(`arn:aws:sts::${account}:assumed-role/Role//sess`, { sessionContext: {} }),
      assumed(`arn:aws:sts::${account}:assumed-role/Twice/sess`),
    );
    for (const [userName, arn, principalId] of [
      ['alice', `arn:aws:iam::${account}:user/alice`, 'AIDA1'],
      ['', `arn:aws:iam::${account}:user/path/bob`, 'AIDA2'],
      ['', 'no-slash', 'AIDA3'],
      ['', '', 'AIDA4'],
      [undefined, undefined, 'AIDA5'],
      ['zoë', `arn:aws:iam::${account}:user/zoë`, 'AIDA6'],
      [undefined, `arn:aws:iam::${account}:user/`, undefined],
    ])
      identities.push({ type: 'IAMUser', principalId, arn, accountId: account, accessKeyId: 'AKIAEXAMPLE', userName });
    identities.push(
      { type: 'IAMUser', userName: 'a', accessKeyId: 12 },
      { type: 'IAMUser', accountId: 3, userName: 'b' },
    );
    // Every third event without recipientAccountId: the account is then the identity's.
    const events = identities.map((userIdentity, i) =>
      anEvent({ userIdentity, eventName: `E${i}`, ...(i % 3 === 0 ? { recipientAccountId: undefined } : {}) }),
    );
    // Keys repeated in userIdentity: the last wins, as with JSON.parse.
    const text = JSON.stringify({ Records: events })
      .replace('"type":"IAMUser","principalId":"AIDA1"', '"type":"AssumedRole","type":"IAMUser","principalId":"AIDA1"')
      .replace('"userName":"alice"', '"userName":"alice","userName":"carol"')
      .replace('"ESCAPED-ARN"', '"arn:aws:sts::1:assumed-role/R\\u006fle/s\\u0065ss"')
      .replace(
        'assumed-role/Twice/sess","accountId":"111122223333","accessKeyId":"ASIAEXAMPLE","sessionContext":{"sessionIssuer":{"type":"Role","userName":"Issuer","arn":"arn:aws:iam::111122223333:role/Issuer"},"attributes":{"mfaAuthenticated":"false"}}',
        'assumed-role/Twice/sess","accountId":"111122223333","accessKeyId":"ASIAEXAMPLE","sessionContext":{"sessionIssuer":{"type":"Role","userName":"Issuer","arn":"arn:aws:iam::111122223333:role/Issuer"},"attributes":{"mfaAuthenticated":"false"}},"sessionContext":{}',
      );
    assert.ok(
      text.includes('}},"sessionContext":{}') &&
        text.includes('"type":"AssumedRole","type":"IAMUser"') &&
        text.includes('R\\u006fle'),
    );
    for (const bytes of [gz(Buffer.from(text)), Buffer.from(text)])
      assertSameResult(decodeToBatch(bytes, LIMITS), slowDecodeToBatch(bytes), 'identities');
  });

  test('resource names: one name spelled plain and escaped counts once, wherever each is; 512 characters are kept, 513 are not', () => {
    const long = (n: number): string => `arn:aws:s3:::${'b'.repeat(n - 13)}`;
    const events = [
      anEvent({ requestParameters: { bucketName: 'ESC/1', key: 'ESC/1', name: 'x' } }),
      anEvent({ requestParameters: { key: 'ESC/2', bucketName: 'ESC/2' } }),
      anEvent({
        resources: [{ ARN: 'ESC/3' }, { ARN: 'ESC/3' }, { arn: 'y' }],
        requestParameters: { roleArn: 'ESC/3', bucketName: 'y' },
      }),
      anEvent({ resources: [{ ARN: 'ESC/4' }], requestParameters: { roleArn: 'ESC/4' } }),
      anEvent({ requestParameters: { bucketName: long(512), key: long(513), name: long(600) } }),
      anEvent({
        resources: [{ ARN: long(513) }, { ARN: long(512) }],
        requestParameters: { ids: [long(512), long(513), 'z'] },
      }),
    ];
    // In each record the escaped spelling is the first one; the second is plain, and so on.
    let text = JSON.stringify({ Records: events });
    for (const n of [1, 2, 3, 4]) text = text.replace(`"ESC/${n}"`, `"ESC\\/${n}"`);
    text = text.replace('{"ARN":"ESC/3"}', '{"ARN":"ESC\\u002f3"}');
    assert.ok(text.includes('ESC\\/1') && text.includes('ESC\\u002f3'));
    for (const bytes of [gz(Buffer.from(text)), Buffer.from(text)]) {
      const fast = decodeToBatch(bytes, LIMITS);
      assertSameResult(fast, slowDecodeToBatch(bytes), 'resource names');
      assert.ok(fast.kind === 'batch' && scanLogFile(Buffer.from(text), 'utf8'), 'the scanner read it');
      const b = fast.kind === 'batch' ? fast.batch : undefined;
      const names = b ? listValues(b, RESOURCES) : [];
      const row = (r: number): string[] =>
        b ? [...b.resourceIds.subarray(b.resourceStarts[r], b.resourceStarts[r + 1])].map((id) => names[id]) : [];
      assert.deepEqual(row(0), ['ESC/1', 'x']);
      assert.deepEqual(row(1), ['ESC/2']);
      assert.deepEqual(row(2), ['ESC/3', 'y']);
      assert.deepEqual(row(3), ['ESC/4']);
      assert.deepEqual(row(4), [long(512)]);
      assert.deepEqual(row(5), [long(512), 'z']);
    }
  });

  test('column values whose sampled hash collides (same length and start, middle and end bytes) are all kept apart', () => {
    // 40 bytes: the column hash samples bytes 0-3, 18-21 and 36-39, all the same here; the rest
    // differs. Past a few such values a column falls back to strings for the rest of the file.
    const name = (i: number): string =>
      `AAAA${i.toString(36).padStart(14, '0')}MMMM${(i * 7).toString(36).padStart(14, '0')}ZZZZ`;
    const events = Array.from({ length: 3000 }, (_, i) =>
      anEvent({ eventName: name(i % 1000), sourceIPAddress: `10.0.${i % 7}.${i % 5}`, userAgent: name(i) }),
    );
    const bytes = gz(Buffer.from(JSON.stringify({ Records: events })));
    const fast = decodeToBatch(bytes, LIMITS);
    assertSameResult(fast, slowDecodeToBatch(bytes), 'colliding values');
    assert.equal(fast.kind === 'batch' && listValues(fast.batch, 0).length, 1000, 'each distinct value once');
  });

  test('sameBytes: equal ranges at any offsets and lengths, and a difference in any one byte', () => {
    const b = Buffer.alloc(64);
    const dv = new DataView(b.buffer, b.byteOffset, b.length);
    for (let len = 0; len <= 13; len++) {
      for (let p = 0; p < 4; p++) {
        for (let q = 20; q < 24; q++) {
          for (let i = 0; i < len; i++) b[p + i] = b[q + i] = 0x41 + ((i * 7 + len) % 26);
          assert.ok(sameBytes(dv, b, p, q, len), `len ${len} at ${p}, ${q}`);
          for (let i = 0; i < len; i++) {
            b[q + i] ^= 0x80;
            assert.ok(!sameBytes(dv, b, p, q, len), `len ${len} at ${p}, ${q}: byte ${i} differs`);
            b[q + i] ^= 0x80;
          }
          b[p + len] = 1; // a byte past the range does not count
          b[q + len] = 2;
          assert.ok(sameBytes(dv, b, p, q, len));
        }
      }
    }
  });

  test('a buffer that does not start on a 4-byte boundary is read the same', () => {
    const text = `{"Records":[${JSON.stringify(anEvent({ requestParameters: { bucketName: 'b'.repeat(40) } }))}]}`;
    for (let shift = 0; shift < 4; shift++) {
      const big = Buffer.alloc(text.length + 8);
      big.write(text, shift);
      const view = big.subarray(shift, shift + Buffer.byteLength(text));
      assertSameResult(decodeToBatch(view, LIMITS), slowDecodeToBatch(view), `shift ${shift}`);
      assert.ok(scanLogFile(view, 'strings'));
    }
  });
});
