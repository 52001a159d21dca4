import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { decodeLogBytes } from '../../../src/core/ingest/decode';
import { normalizeEvent } from '../../../src/core/model/records';
import { SearchEngine } from '../../../src/core/query/search';
import { sessionOf, sessionQuery, sessionsFor } from '../../../src/core/investigate/sessions';
import { EventStore } from '../../../src/core/store/store';
import { anEvent, samplesDir } from '../../builders/events';
import { hostileEvent, INJECTION_PAYLOADS } from '../../builders/injection';

function storeOf(events: Array<Record<string, unknown>>): EventStore {
  const store = new EventStore();
  for (const e of events) store.add(normalizeEvent(e), 0);
  return store;
}

function invictus(): EventStore {
  const store = new EventStore();
  const dir = join(samplesDir(), 'invictus-ir_aws_dataset/CloudTrail');
  readdirSync(dir)
    .sort()
    .forEach((f, i) => {
      const r = decodeLogBytes(readFileSync(join(dir, f)));
      assert.equal(r.kind, 'events', f);
      if (r.kind === 'events') for (const rec of r.records) store.add(rec, i);
    });
  return store;
}

const all = (store: EventStore): Uint32Array => Uint32Array.from({ length: store.size }, (_, i) => i);
const sorted = (rows: Iterable<number>): number[] => [...rows].sort((a, b) => a - b);
const at = (iso: string): string => iso;

const bob = {
  type: 'IAMUser',
  principalId: 'AIDABOB',
  arn: 'arn:aws:iam::111122223333:user/bob',
  accountId: '111122223333',
  accessKeyId: 'AKIABOB0000000000001',
  userName: 'bob',
};

/** alice: 3 events, a 31-minute pause, 2 events (the first 0.9 s after a whole second); bob: 1. */
function twoSessions(): EventStore {
  return storeOf([
    anEvent({ eventTime: at('2024-03-01T10:00:00Z'), eventName: 'ListBuckets' }),
    anEvent({ eventTime: at('2024-03-01T10:10:00.250Z'), eventName: 'ListBuckets', errorCode: 'AccessDenied' }),
    anEvent({ eventTime: at('2024-03-01T10:29:59.999Z'), eventName: 'GetObject' }),
    anEvent({ eventTime: at('2024-03-01T11:01:00.900Z'), eventName: 'PutObject' }),
    anEvent({ eventTime: at('2024-03-01T11:20:00Z'), eventName: 'PutObject' }),
    anEvent({ eventTime: at('2024-03-01T10:15:00Z'), userIdentity: bob }),
    anEvent({ eventTime: 'not a time' }),
  ]);
}

describe('sessions', () => {
  test("a pause longer than the gap splits a principal's events; counts, errors and top names", () => {
    const store = twoSessions();
    const list = sessionsFor(store, all(store), 'principal');
    assert.equal(list.total, 3);
    assert.equal(list.skipped, 1, 'the event without a time');
    const alice = list.sessions.filter((s) => s.key === 'arn:aws:iam::111122223333:user/alice');
    assert.deepEqual(
      alice.map((s) => [new Date(s.start).toISOString(), new Date(s.end).toISOString(), s.count, s.errors]),
      [
        ['2024-03-01T11:01:00.900Z', '2024-03-01T11:20:00.000Z', 2, 0],
        ['2024-03-01T10:00:00.000Z', '2024-03-01T10:29:59.999Z', 3, 1],
      ],
    );
    assert.deepEqual(alice[1].topEventNames, [
      { name: 'ListBuckets', count: 2 },
      { name: 'GetObject', count: 1 },
    ]);
    assert.equal(
      alice[1].query,
      'principal:arn:aws:iam::111122223333:user/alice after:2024-03-01T10:00:00Z before:2024-03-01T10:30:00Z',
    );
    // A 40-minute gap joins them.
    assert.equal(
      sessionsFor(store, all(store), 'principal', { gapMs: 40 * 60_000 }).sessions.filter(
        (s) => s.by === 'principal' && s.key.endsWith('alice'),
      ).length,
      1,
    );
  });

  test('sessionOf finds the session around a row, by principal or by access key', () => {
    const store = twoSessions();
    const s = sessionOf(store, 3, 'principal')!;
    assert.equal(s.count, 2);
    assert.equal(
      s.query,
      'principal:arn:aws:iam::111122223333:user/alice after:2024-03-01T11:01:00Z before:2024-03-01T11:20:01Z',
    );
    const k = sessionOf(store, 1, 'accessKey')!;
    assert.equal(k.key, 'AKIAEXAMPLE0000000001');
    assert.equal(k.count, 3);
    assert.equal(sessionOf(store, 6, 'principal'), undefined, 'no time, no session');
    assert.throws(() => sessionOf(store, 0, 'principal', 500), /at least 1000/);
  });

  test('a session seen once is recomputed when events join the store (the group cache follows its version)', () => {
    const store = twoSessions();
    assert.equal(sessionOf(store, 3, 'principal')!.count, 2);
    // An event in the pause joins the two sessions into one of six.
    store.add(normalizeEvent(anEvent({ eventTime: at('2024-03-01T10:45:00Z') })), 0);
    const joined = sessionOf(store, 3, 'principal')!;
    assert.equal(joined.count, 6);
    assert.equal(joined.start, Date.parse('2024-03-01T10:00:00Z'));
    // Rows at the same time are told apart by row number, not confused.
    const tie = storeOf([
      anEvent({ eventTime: at('2024-03-01T10:00:00Z') }),
      anEvent({ eventTime: at('2024-03-01T10:00:00Z') }),
      anEvent({ eventTime: at('2024-03-01T12:00:00Z') }),
    ]);
    assert.equal(sessionOf(tie, 1, 'principal')!.count, 2);
    assert.equal(sessionOf(tie, 2, 'principal')!.count, 1);
  });

  test('each session query selects exactly the session through the real SearchEngine', () => {
    const store = twoSessions();
    const engine = new SearchEngine(store);
    assert.deepEqual(sorted(engine.search(sessionOf(store, 3, 'principal')!.query!).rows), [3, 4]);
    assert.deepEqual(sorted(engine.search(sessionOf(store, 0, 'principal')!.query!).rows), [0, 1, 2]);
    assert.deepEqual(sorted(engine.search(sessionOf(store, 5, 'accessKey')!.query!).rows), [5]);
  });

  test('within a result set: the current query plus the session query selects the session', () => {
    const store = twoSessions();
    const engine = new SearchEngine(store);
    const current = 'eventName:ListBuckets,PutObject';
    const list = sessionsFor(store, engine.search(current).rows, 'principal');
    assert.deepEqual(
      list.sessions.map((s) => s.count),
      [2, 2],
    );
    for (const s of list.sessions) assert.equal(engine.search(`${current} ${s.query}`).rows.length, s.count);
  });

  test('real sample: every principal and access-key session query returns exactly its events', () => {
    const store = invictus();
    const engine = new SearchEngine(store);
    for (const by of ['principal', 'accessKey'] as const) {
      const list = sessionsFor(store, all(store), by, { gapMs: 5 * 60_000, limit: 100_000 });
      assert.ok(list.total > 5, `${by}: ${list.total} sessions`);
      let covered = 0;
      for (const s of list.sessions) {
        const rows = engine.search(s.query!).rows;
        assert.equal(rows.length, s.count, s.query);
        for (const r of rows) assert.ok(store.time(r) >= s.start && store.time(r) <= s.end, s.query);
        covered += s.count;
      }
      assert.equal(covered + list.skipped, store.size, `${by}: every row is in one session or skipped`);
      const one = list.sessions.find((s) => s.count > 10)!;
      const row = engine.search(one.query!).rows[0];
      assert.deepEqual(sessionOf(store, row, by, 5 * 60_000), one);
    }
  });

  test('hostile keys still make exact queries, or none', () => {
    const odd = ['AKIA\\x,"y"*z', 'AKIA x', 'akia-LOWER', 'AKIA:after:2024'].map((key, i) =>
      anEvent({
        eventTime: `2024-05-01T11:00:0${i}Z`,
        userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::1:user/${key}`, accessKeyId: key },
      }),
    );
    const store = storeOf([...INJECTION_PAYLOADS.map((p, i) => hostileEvent(p, i)), ...odd]);
    const engine = new SearchEngine(store);
    for (let row = 0; row < store.size; row++) {
      for (const by of ['principal', 'accessKey'] as const) {
        const s = sessionOf(store, row, by)!;
        if (s.key !== s.key.trim()) {
          assert.equal(s.query, undefined, 'the parser would trim the key (a trailing U+FEFF)');
          continue;
        }
        assert.ok(s.query, `${by} ${row}`);
        const rows = engine.search(s.query).rows;
        assert.equal(rows.length, s.count, s.query.slice(0, 200));
        assert.ok(rows.includes(row));
      }
    }
    assert.equal(sessionQuery('accessKey', ' AKIA', 0, 0), undefined);
    assert.equal(sessionQuery('accessKey', 'AKIA', Date.UTC(10000, 0), Date.UTC(10000, 0)), undefined);
  });

  test('events without an ARN group by name, apart from the ARN events of the same name', () => {
    const store = twoSessions();
    // A console event with no ARN, named like alice, during her first session; and a forged name.
    store.add(
      normalizeEvent(
        anEvent({
          eventTime: '2024-03-01T10:05:00Z',
          userIdentity: { type: 'IAMUser', userName: 'alice', accountId: '111122223333' },
        }),
      ),
      0,
    );
    const byName = sessionOf(store, store.size - 1, 'principal')!;
    assert.equal(byName.count, 1);
    assert.equal(byName.query, 'principal:alice after:2024-03-01T10:05:00Z before:2024-03-01T10:05:01Z principal:""');
    const engine = new SearchEngine(store);
    assert.deepEqual([...engine.search(byName.query).rows], [store.size - 1]);
    assert.equal(sessionOf(store, 0, 'principal')!.count, 3, 'the ARN session is unchanged');
    store.add(
      normalizeEvent(
        anEvent({
          userIdentity: {
            type: 'IAMUser',
            userName: 'arn:aws:iam::111122223333:user/alice',
            arn: 'arn:aws:iam::1:user/x',
          },
        }),
      ),
      0,
    );
    assert.equal(
      sessionOf(store, 0, 'principal')!.query,
      undefined,
      'a forged name equal to the ARN: no exact query exists',
    );
    assert.equal(
      sessionsFor(store, all(store), 'principal').sessions.find((s) => s.key.endsWith('user/alice'))!.query,
      undefined,
    );
  });
});
