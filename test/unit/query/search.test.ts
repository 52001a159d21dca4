import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { decodeLogBytes } from '../../../src/core/ingest/decode';
import { normalizeEvent } from '../../../src/core/model/records';
import { roleSessionsGlob } from '../../../src/core/model/principal';
import { SearchEngine } from '../../../src/core/query/search';
import { EventStore } from '../../../src/core/store/store';
import { parseQuery } from '../../../src/core/query/query';
import { anEvent, samplesDir } from '../../builders/events';

function storeOf(events: Array<Record<string, unknown>>): EventStore {
  const store = new EventStore();
  for (const e of events) store.add(normalizeEvent(e), 0);
  return store;
}

describe('query parsing', () => {
  test('terms split on whitespace; quoted phrases stay whole', () => {
    assert.deepEqual(
      parseQuery('  StopLogging  "bert jan" x ').terms.map((t) => t.kind === 'text' && t.text),
      ['StopLogging', 'bert jan', 'x'],
    );
  });
  test('negation, OR, wildcards, empty values, time ranges', () => {
    const now = Date.UTC(2026, 10, 21, 12);
    const q = parseQuery(
      '-eventName:Describe*,List* error:* type:"" after:2026-11-01 before:2026-11-02T10:00Z last:24h -noise',
      now,
    );
    assert.deepEqual(q.errors, []);
    assert.deepEqual(q.terms, [
      { kind: 'field', name: 'eventName', fields: ['eventName'], values: ['Describe*', 'List*'], negate: true },
      { kind: 'field', name: 'error', fields: ['errorCode'], values: ['*'], negate: false },
      { kind: 'field', name: 'type', fields: ['identityType'], values: [''], negate: false, literal: true },
      { kind: 'time', after: Date.UTC(2026, 10, 1) },
      { kind: 'time', before: Date.UTC(2026, 10, 2, 10) },
      { kind: 'time', after: now - 86_400_000 },
      { kind: 'text', text: 'noise', negate: true },
    ]);
  });
  test('field names are completed from two letters on', async () => {
    const { completeField } = await import('../../../src/core/query/query');
    assert.deepEqual(completeField('StopLogging even'), ['eventName', 'eventSource', 'eventType', 'eventCategory']);
    assert.deepEqual(completeField('-acc'), ['accessKey', 'account']);
    assert.deepEqual(completeField('x e'), []);
    assert.deepEqual(completeField('eventName'), []);
  });
  test('invalid queries say what is wrong', () => {
    const errs = (q: string): string => parseQuery(q).errors.join(' | ');
    assert.match(errs('evntName:StopLogging'), /Unknown field "evntName": did you mean eventName:\?/);
    assert.match(errs('last:yesterday'), /not a duration/);
    assert.match(errs('after:03/01/2024'), /not a time/);
    assert.match(errs('readOnly:maybe'), /true or false/);
    assert.match(errs('-after:2024-01-01'), /cannot be negated/);
    assert.equal(parseQuery('evntName:x').terms.length, 0, 'an unknown field is not searched as text');
    assert.deepEqual(parseQuery('').terms, []);
  });
  test('field:value terms, quoted values, and words that only look like fields', () => {
    const q = parseQuery(
      'eventName:StopLogging principal:"Admin/alice smith" arn:aws:iam::1:user/x 2001:db8::1 10:42 https://x ip:',
    );
    assert.deepEqual(
      q.terms.map((t) =>
        t.kind === 'field'
          ? `${t.name}=${t.values.join('|')}→${t.fields.join('|')}`
          : t.kind === 'text'
            ? `text:${t.text}`
            : 'time',
      ),
      [
        'eventName=StopLogging→eventName',
        'principal=Admin/alice smith→principal|principalArn',
        'text:arn:aws:iam::1:user/x',
        'text:2001:db8::1',
        'text:10:42',
        'text:https://x',
      ],
    );
    assert.match(q.errors[0], /"ip:" needs a value/);
  });
  test('fieldTerm quotes values that need it; quoted values are literal and round-trip', async () => {
    const { fieldTerm } = await import('../../../src/core/query/query');
    assert.equal(fieldTerm('ip', '1.2.3.4'), 'ip:1.2.3.4');
    assert.equal(fieldTerm('principal', 'a b'), 'principal:"a b"');
    for (const v of ['arn:aws:s3:::bucket/*', 'say "hi"', 'back\\slash', 'a,b']) {
      const t = parseQuery(fieldTerm('resource', v)).terms[0];
      assert.deepEqual(t.kind === 'field' && [t.values, t.literal], [[v], true], v);
    }
  });
  test('wildcards are matched in linear time, even for hostile patterns and values', async () => {
    const { globMatch } = await import('../../../src/core/query/search');
    const split = (p: string) => p.split('*');
    assert.equal(globMatch(split('delete*'), 'deletetrail'), true);
    assert.equal(globMatch(split('*trail'), 'deletetrail'), true);
    assert.equal(globMatch(split('d*e*l'), 'deletetrail'), true);
    assert.equal(globMatch(split('d*x*l'), 'deletetrail'), false);
    assert.equal(globMatch(split('ab*ba'), 'aba'), false, 'prefix and suffix may not overlap');
    const started = Date.now();
    assert.equal(globMatch(split(`${'a*'.repeat(2000)}c`), 'a'.repeat(100_000)), false);
    assert.ok(Date.now() - started < 500, 'no catastrophic backtracking');
  });
  test('an unclosed quote is reported, and the phrase still runs', () => {
    const q = parseQuery('"access denied');
    assert.deepEqual(q.terms[0], { kind: 'text', text: 'access denied' });
    assert.match(q.errors[0], /quote is not closed/);
  });
});

describe('search ranking', () => {
  const store = storeOf([
    anEvent({ eventName: 'StopLogging', eventSource: 'cloudtrail.amazonaws.com', eventTime: '2024-01-01T00:00:01Z' }),
    anEvent({
      eventName: 'GetTrailStatus',
      eventSource: 'cloudtrail.amazonaws.com',
      eventTime: '2024-01-01T00:00:02Z',
    }),
    anEvent({ eventName: 'StartLogging', eventTime: '2024-01-01T00:00:03Z' }),
    anEvent({ eventName: 'DescribeLoggingStatus', eventTime: '2024-01-01T00:00:04Z' }),
    anEvent({ eventName: 'ListBuckets', eventTime: '2024-01-01T00:00:05Z', errorCode: 'AccessDenied' }),
  ]);
  const engine = new SearchEngine(store);
  const names = (q: string): string[] => Array.from(engine.search(q).rows, (r) => store.value('eventName', r));

  test('exact beats prefix beats word beats substring', () => {
    const got = names('logging');
    // No value equals "logging"; the camel-case word matches (StopLogging, StartLogging) and the
    // substring inside DescribeLoggingStatus all match, newest first within a band.
    assert.deepEqual(got.slice(0, 3).sort(), ['DescribeLoggingStatus', 'StartLogging', 'StopLogging']);
    assert.equal(names('StopLogging')[0], 'StopLogging');
    assert.equal(names('stop')[0], 'StopLogging');
  });

  test('typos still find the event, after exact matches', () => {
    assert.equal(names('StopLoging')[0], 'StopLogging');
    assert.ok(names('AcessDenied').includes('ListBuckets'));
  });

  test('every term must match (AND)', () => {
    assert.deepEqual(names('cloudtrail status'), ['GetTrailStatus']);
    assert.deepEqual(names('zzzzqqqq'), []);
  });

  test('field terms match one field exactly, ignoring case', () => {
    assert.deepEqual(names('eventname:stoplogging'), ['StopLogging']);
    assert.deepEqual(names('eventName:Stop'), [], 'exact, not prefix');
    assert.deepEqual(names('error:AccessDenied'), ['ListBuckets']);
    assert.equal(names('error:""').length, store.size - 1, 'error:"" = events without an error');
    assert.deepEqual(names('source:cloudtrail.amazonaws.com status'), ['GetTrailStatus']);
    assert.equal(names('principal:alice').length, store.size);
    assert.equal(
      names('principal:arn:aws:iam::111122223333:user/alice').length,
      store.size,
      'principal matches the ARN too',
    );
    assert.deepEqual(names('eventName:Stop*,Start*').sort(), ['StartLogging', 'StopLogging']);
    assert.deepEqual(names('-eventName:*Logging* error:""').sort(), ['GetTrailStatus']);
    assert.deepEqual(names('error:*'), ['ListBuckets']);
    assert.deepEqual(names('after:2024-01-01T00:00:04Z').sort(), ['DescribeLoggingStatus', 'ListBuckets']);
    assert.deepEqual(names('before:2024-01-01T00:00:02Z'), ['StopLogging']);
    assert.deepEqual(names('-logging').sort(), ['GetTrailStatus', 'ListBuckets']);
  });

  test("an IAM role's ARN finds what its sessions did, as a field value or pasted as text, and excludes it negated", () => {
    const session = (arn: string, eventName: string): Record<string, unknown> =>
      anEvent({
        eventName,
        userIdentity: {
          type: 'AssumedRole',
          arn,
          accountId: arn.split(':')[4],
          sessionContext: { sessionIssuer: { type: 'Role', userName: arn.split('/')[1] } },
        },
      });
    const roles = storeOf([
      session('arn:aws:sts::111122223333:assumed-role/Admin/alice', 'A1'),
      session('arn:aws:sts::111122223333:assumed-role/Admin/bob@example.com', 'A2'),
      session('arn:aws:sts::111122223333:assumed-role/AdminX/carol', 'X1'),
      session('arn:aws:sts::111122223333:assumed-role/Admi/dan', 'S1'),
      session('arn:aws:sts::444455556666:assumed-role/Admin/dave', 'O1'),
      session('arn:aws-cn:sts::111122223333:assumed-role/Admin/erin', 'C1'),
      anEvent({
        eventName: 'U1',
        userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/Admin', userName: 'Admin' },
      }),
    ]);
    const search = new SearchEngine(roles);
    const got = (q: string): string[] => Array.from(search.search(q).rows, (r) => roles.value('eventName', r)).sort();
    const admin = 'arn:aws:iam::111122223333:role/Admin';
    assert.deepEqual(got(`principal:${admin}`), ['A1', 'A2']);
    assert.deepEqual(
      got(`user:${admin.replace('role/', 'role/ops/team/')}`),
      ['A1', 'A2'],
      'a role with a path: sessions name it without',
    );
    assert.deepEqual(got(`"${admin}"`), ['A1', 'A2'], 'pasted as free text');
    assert.deepEqual(got(admin), ['A1', 'A2']);
    assert.deepEqual(got(`principal:${admin},arn:aws:iam::111122223333:role/AdminX`), ['A1', 'A2', 'X1']);
    assert.deepEqual(got(`-principal:${admin}`), ['C1', 'O1', 'S1', 'U1', 'X1']);
    assert.deepEqual(got(`-"${admin}"`), ['C1', 'O1', 'S1', 'U1', 'X1']);
    assert.deepEqual(got('principal:arn:aws-cn:iam::111122223333:role/Admin'), ['C1']);
    assert.deepEqual(got('principal:arn:aws:iam::111122223333:user/Admin'), ['U1'], 'a user ARN is itself only');
    assert.deepEqual(got('principal:arn:aws:iam::111122223333:role/Admin/'), [], 'no role name');
    assert.equal(roleSessionsGlob('arn:aws:iam::111122223333:role/*'), undefined, 'a pattern is not a role');
    assert.equal(roleSessionsGlob('arn:aws:iam::1111:role/Admin'), undefined, 'an account is 12 digits');
  });

  test('empty query: every event, newest first; oldest-first reverses', () => {
    assert.equal(names('')[0], 'ListBuckets');
    assert.equal(Array.from(engine.search('', 'oldest').rows, (r) => store.value('eventName', r))[0], 'StopLogging');
  });

  test('matches carry highlight ranges in the matched value', () => {
    const res = engine.search('logging');
    const dict = store.dictionary('eventName');
    const m = res.matches.get('eventName')!.get(dict.idOf('StopLogging')!)!;
    assert.deepEqual(m.ranges, [[4, 11]]);
  });

  test('typo matching covers vocabularies of any size; remote filtering turns it off', () => {
    const s = storeOf(
      Array.from({ length: 30 }, (_, i) =>
        anEvent({ eventName: 'GetObject', requestParameters: { bucketName: `finance-bucket-${i}` } }),
      ),
    );
    const off = new SearchEngine(s, false);
    assert.equal(off.search('finance-bucket-7').rows.length, 1, 'literal');
    assert.equal(off.search('finanse-bucket-7').rows.length, 0, 'no typo matching when turned off');
    const on = new SearchEngine(s);
    const rows = on.search('finanse-bucket-7').rows;
    assert.ok(rows.length >= 1);
    assert.equal(s.value('eventName', rows[0]), 'GetObject');
  });

  test('field:~value forgives a typo in that field only; the exact value still matches', () => {
    const s = storeOf([
      anEvent({
        eventName: 'GetObject',
        userIdentity: { type: 'IAMUser', userName: 'breakglass-admin', arn: 'arn:aws:iam::1:user/breakglass-admin' },
      }),
      anEvent({
        eventName: 'PutObject',
        userIdentity: { type: 'IAMUser', userName: 'alice', arn: 'arn:aws:iam::1:user/alice' },
      }),
    ]);
    const e = new SearchEngine(s);
    const one = e.search('principal:~breakglas-admin');
    assert.deepEqual(one.errors, []);
    assert.equal(one.rows.length, 1);
    assert.equal(s.value('eventName', one.rows[0]), 'GetObject');
    const m = [...one.matches.get('principal')!.values()][0];
    assert.equal(m.distance, 1);
    assert.equal(e.search('principal:~alice').rows.length, 1, 'the exact value');
    assert.equal(e.search('principal:~bobby').rows.length, 0);
    assert.equal(e.search('eventName:~breakglas-admin').rows.length, 0, 'only in the field named');
    assert.match(e.search('-principal:~alice').errors[0], /cannot be negated/);
  });

  test('the vocabulary grows with the store', () => {
    store.add(normalizeEvent(anEvent({ eventName: 'DeleteTrail' })), 1);
    assert.deepEqual(names('DeleteTrail'), ['DeleteTrail']);
  });

  test('access keys, IPs, ARNs, user agents and resource names are searchable', () => {
    const s = storeOf([
      anEvent({ eventName: 'A', userIdentity: { type: 'IAMUser', userName: 'x', accessKeyId: 'AKIALEAKED00000001' } }),
      anEvent({ eventName: 'B', sourceIPAddress: '203.0.113.99' }),
      anEvent({ eventName: 'C', userAgent: 'Boto3/1.28.0 md/Botocore#1.31.0 exfil-tool' }),
      anEvent({ eventName: 'D', requestParameters: { bucketName: 'secret-finance-bucket' } }),
      anEvent({
        eventName: 'E',
        requestParameters: { instancesSet: { items: [{ instanceId: 'i-0123456789abcdef0' }] } },
      }),
    ]);
    const e = new SearchEngine(s);
    const find = (q: string): string[] => Array.from(e.search(q).rows, (r) => s.value('eventName', r));
    assert.deepEqual(find('AKIALEAKED'), ['A']);
    assert.deepEqual(find('203.0.113.99'), ['B']);
    assert.deepEqual(find('exfil-tool'), ['C']);
    assert.deepEqual(find('secret-finance'), ['D']);
    assert.deepEqual(find('i-0123456789abcdef0'), ['E']);
  });
});

describe('search over the real attack-simulation sample', () => {
  const store = new EventStore();
  let engine: SearchEngine;
  before(() => {
    const dir = join(samplesDir(), 'invictus-ir_aws_dataset/CloudTrail');
    readdirSync(dir).forEach((f, i) => {
      const r = decodeLogBytes(readFileSync(join(dir, f)));
      if (r.kind === 'events') for (const rec of r.records) store.add(rec, i);
    });
    engine = new SearchEngine(store);
  });

  test('all 2,900 events load', () => assert.equal(store.size, 2900));

  test('"who stopped the trail?" — StopLogging finds exactly those events', () => {
    const rows = engine.search('StopLogging').rows;
    assert.ok(rows.length > 0);
    for (const r of Array.from(rows).filter((r) => store.value('eventName', r) === 'StopLogging'))
      assert.equal(store.value('principal', r), 'bert-jan');
    assert.equal(store.value('eventName', rows[0]), 'StopLogging');
  });

  test('a misspelt principal finds the attacker', () => {
    const rows = engine.search('bert-jn').rows;
    assert.ok(rows.length > 2000);
    assert.equal(store.value('principal', rows[0]), 'bert-jan');
  });

  test('AccessDenied errors are found by error code', () => {
    const rows = Array.from(engine.search('AccessDenied').rows);
    assert.ok(rows.filter((r) => store.value('errorCode', r) === 'AccessDenied').length === 16);
  });
});

describe('named row sets (detection:<id>)', () => {
  const store = storeOf([
    anEvent({ eventName: 'A' }),
    anEvent({ eventName: 'B' }),
    anEvent({ eventName: 'C' }),
    anEvent({ eventName: 'D' }),
  ]);
  const engine = new SearchEngine(store);
  engine.setRowSets(
    'detection',
    new Map([
      ['cis-4.3', Uint32Array.of(0)],
      ['cis-4.10', Uint32Array.of(1, 2)],
      ['ami-shared', Uint32Array.of(2, 99)],
    ]),
  );
  const rows = (q: string): number[] => Array.from(engine.search(q, 'newest').rows).sort((a, b) => a - b);

  test('ids select their rows: exact ignoring case, wildcards, commas, negation, with other terms', () => {
    assert.deepEqual(rows('detection:cis-4.3'), [0]);
    assert.deepEqual(rows('detection:CIS-4.3'), [0]);
    assert.deepEqual(rows('detection:cis-*'), [0, 1, 2]);
    assert.deepEqual(rows('detection:cis-4.3,ami-shared'), [0, 2], 'a row past the store is ignored');
    assert.deepEqual(rows('-detection:cis-*'), [3]);
    assert.deepEqual(rows('detection:cis-* -eventName:B'), [0, 2]);
    assert.match(
      engine.search('detection:"cis-*"').errors[0],
      /Unknown detection "cis-\*"/,
      'a quoted star is literal',
    );
  });

  test('an unknown id is an error naming the known ones; the term is left out', () => {
    const r = engine.search('detection:cis-9.9 eventName:D');
    assert.deepEqual(Array.from(r.rows), [3]);
    assert.deepEqual(r.errors, ['Unknown detection "cis-9.9". Known: cis-4.3, cis-4.10, ami-shared.']);
    assert.match(engine.search('detection:cis-4.3,nope').errors[0], /Unknown detection "nope"/);
    assert.deepEqual(rows('detection:cis-4.3,nope'), [0], 'the known id still counts');
    const fresh = new SearchEngine(store);
    assert.deepEqual(fresh.search('detection:x').errors, ['Unknown detection "x". No detection has run yet.']);
  });

  test('a long list of known ids is shortened', () => {
    const many = new SearchEngine(store);
    many.setRowSets('detection', new Map(Array.from({ length: 30 }, (_, i) => [`r${i}`, new Uint32Array()])));
    assert.match(many.search('detection:zz').errors[0], /Known: r0, r1, .*, r11, and 18 more\.$/);
  });

  test('row sets given lazily are computed by the first query naming their family, once', () => {
    const lazy = new SearchEngine(store);
    let computed = 0;
    lazy.setRowSetsLazily('origin', () => (computed++, new Map([['bert-jan', Uint32Array.of(1, 3)]])));
    lazy.search('eventName:A detection:x', 'newest');
    assert.equal(computed, 0, 'a query without origin: does not compute them');
    assert.deepEqual(Array.from(lazy.search('origin:BERT-JAN', 'newest').rows).sort(), [1, 3]);
    assert.deepEqual(Array.from(lazy.search('-origin:bert-jan', 'newest').rows).sort(), [0, 2]);
    assert.equal(computed, 1);
    lazy.setRowSets('origin', new Map([['alice', Uint32Array.of(0)]]));
    assert.deepEqual(Array.from(lazy.search('origin:alice', 'newest').rows), [0], 'setRowSets replaces them');
    lazy.setRowSetsLazily('origin', () => (computed++, new Map()));
    assert.match(
      lazy.search('origin:alice').errors[0] ?? '',
      /Unknown origin "alice"/,
      'a new provider replaces the computed sets',
    );
    assert.equal(computed, 2);
  });

  test('completion offers detection: and the path roots', async () => {
    const { completeField } = await import('../../../src/core/query/query');
    assert.deepEqual(completeField('eventName:X det'), ['detection']);
    assert.deepEqual(completeField('reque'), ['requestParameters']);
    assert.deepEqual(completeField('-additional'), ['additionalEventData']);
  });
});
