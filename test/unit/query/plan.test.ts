/**
 * The sparse evaluation (plan.ts, driven by the inverted indexes) against the dense one (a score
 * array over all rows per term) on random stores and queries: same rows, same order for every
 * sort, same highlights. The brute-force property test checks the dense results' membership.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rng } from '../../../bench/corpus';
import { normalizeEvent } from '../../../src/core/model/records';
import { radixSort } from '../../../src/core/query/order';
import { SearchEngine } from '../../../src/core/query/search';
import { EventStore } from '../../../src/core/store/store';
import { anEvent } from '../../builders/events';

const NAMES = [
  'StopLogging',
  'DeleteTrail',
  'GetObject',
  'PutObject',
  'DescribeInstances',
  'ListBuckets',
  'AssumeRole',
  'GetSecretValue',
];
const USERS = ['alice', 'bob', 'Carol', 'dave', 'mallory', 'role/Admin'];
const ERRORS = ['', '', '', 'AccessDenied', 'ThrottlingException'];
const BUCKETS = ['logs', 'prod-data', 'Secret-Stuff', 'x'];
const T0 = Date.UTC(2024, 0, 1);

const CLAUSES = [
  (v: string) => v.slice(0, 4),
  (v: string) => `-${v.slice(1, 4)}`,
  (v: string) => `eventName:${v.slice(0, 3)}*`,
  () => 'error:*',
  () => '-error:*',
  (v: string) => `principal:${v}`,
  (v: string) => `resource:*${v.slice(1, 3)}*`,
  () => `after:2024-01-01T02:00Z`,
  () => `before:2024-01-01T05:00Z`,
  () => 'Describ',
  () => 'Stoplogin',
  () => 'readOnly:true',
  () => 'error:""',
  // Terms whose matches score differently per row (prefix, word, substring): relevance bands differ.
  () => 'log',
  () => 'secret',
  () => 'data',
  () => 'ject',
];

test('sparse and dense evaluation agree on rows, order and highlights (3 seeds × 120 queries)', () => {
  for (const seed of [3, 11, 2024]) {
    const next = rng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
    const store = new EventStore();
    for (let i = 0; i < 700; i++) {
      const user = pick(USERS);
      store.add(
        normalizeEvent(
          anEvent({
            eventName: pick(NAMES),
            // Some events share a time and some have none: ties and NaN must order the same way.
            eventTime: next() < 0.05 ? undefined : new Date(T0 + Math.floor(next() * 40) * 600_000).toISOString(),
            errorCode: pick(ERRORS) || undefined,
            readOnly: next() < 0.5,
            requestParameters: next() < 0.7 ? { bucketName: pick(BUCKETS), key: `k${Math.floor(next() * 5)}` } : null,
            userIdentity: { type: 'IAMUser', userName: user, arn: `arn:aws:iam::111122223333:user/${user}` },
          }),
        ),
        0,
      );
    }
    const sparse = new SearchEngine(store);
    const dense = new SearchEngine(store);
    dense.usePlan = false;
    for (let q = 0; q < 120; q++) {
      const query = Array.from({ length: 1 + Math.floor(next() * 3) }, () =>
        pick(CLAUSES)(pick([...NAMES, ...USERS, ...BUCKETS])),
      ).join(' ');
      for (const sort of ['relevance', 'newest', 'oldest'] as const) {
        const a = sparse.search(query, sort);
        const b = dense.search(query, sort);
        assert.deepEqual(Array.from(a.rows), Array.from(b.rows), `seed ${seed}, ${sort}: ${query}`);
        assert.deepEqual(a.matches, b.matches, `highlights, seed ${seed}: ${query}`);
      }
    }
  }
});

test('radixSort sorts like a numeric sort, at every size and key width', () => {
  const next = rng(5);
  for (const [k, max] of [
    [0, 1],
    [5, 10],
    [3000, 2 ** 11],
    [5000, 2 ** 22 + 17],
    [20_000, 2 ** 32 - 1],
    [4096, 0],
  ] as const) {
    const keys = Uint32Array.from({ length: k }, () => Math.floor(next() * (max + 1)));
    const want = Array.from(keys).sort((a, b) => a - b);
    assert.deepEqual(Array.from(radixSort(keys.slice())), want, `${k} keys up to ${max}`);
  }
});

test('sparse and dense agree when thousands of rows match (radix-sorted order), as rows are added', () => {
  const next = rng(8);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const store = new EventStore();
  const sparse = new SearchEngine(store);
  const dense = new SearchEngine(store);
  dense.usePlan = false;
  // Up to 30,000 rows: matches of 2,048 rows or more and under an eighth of the store are
  // radix-sorted, more than an eighth ordered by marking positions.
  for (let round = 0; round < 10; round++) {
    for (let i = 0; i < 3000; i++) {
      const user = pick(USERS);
      store.add(
        normalizeEvent(
          anEvent({
            eventName: pick(NAMES),
            eventTime: next() < 0.05 ? undefined : new Date(T0 + Math.floor(next() * 400) * 60_000).toISOString(),
            errorCode: pick(ERRORS) || undefined,
            requestParameters: next() < 0.7 ? { bucketName: pick(BUCKETS) } : null,
            userIdentity: { type: 'IAMUser', userName: user, arn: `arn:aws:iam::111122223333:user/${user}` },
          }),
        ),
        0,
      );
    }
    if (round !== 0 && round !== 2 && round !== 9) continue;
    for (const query of [
      '-error:*',
      'log',
      'ject',
      'o',
      'secret -error:*',
      'after:2024-01-01T02:00Z',
      'data log',
      'eventName:StopLogging -error:*',
      'eventName:GetObject ject',
    ]) {
      for (const sort of ['relevance', 'newest', 'oldest'] as const) {
        assert.deepEqual(
          Array.from(sparse.search(query, sort).rows),
          Array.from(dense.search(query, sort).rows),
          `round ${round}, ${sort}: ${query}`,
        );
      }
    }
  }
});

test('a lone prefix* or *infix* pattern (an id set, not a Map) matches, ranks and highlights exactly as the general pattern path', () => {
  const next = rng(21);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const store = new EventStore();
  for (let i = 0; i < 800; i++) {
    const user = `${pick(USERS)}-${Math.floor(next() * 50)}`;
    store.add(
      normalizeEvent(
        anEvent({
          eventName: pick(NAMES),
          eventTime: new Date(T0 + Math.floor(next() * 40) * 600_000).toISOString(),
          userIdentity: { type: 'IAMUser', userName: user, arn: `arn:aws:iam::111122223333:user/${user}` },
        }),
      ),
      0,
    );
  }
  const engine = new SearchEngine(store);
  const plain = (m: ReadonlyMap<number, unknown> | undefined) => new Map(m ?? []);
  for (const prefix of ['a', 'Ali', 'bob-1', 'role/', 'carol', 'nobody', 'arn:aws:iam::111122223333:user/d']) {
    for (const [extra, star] of [
      ['', ''],
      [' eventName:Get*', ''],
      [' principal:alice*,bob*', ''],
      [' -principal:bob-1*', ''],
      ['', '*'],
      [' eventName:*Object*', '*'],
    ]) {
      // ",zz-none" matches nothing, but makes two alternatives: the general path through a Map.
      const a = engine.search(`principal:${star}${prefix}*${extra}`);
      const b = engine.search(`principal:${star}${prefix}*,zz-none${extra}`);
      assert.deepEqual(Array.from(a.rows), Array.from(b.rows), `${prefix}${extra}`);
      for (const field of ['principal', 'principalArn', 'eventName'] as const) {
        assert.deepEqual(
          plain(a.matches.get(field)),
          plain(b.matches.get(field)),
          `highlights of ${field}: ${prefix}${extra}`,
        );
        for (const id of b.matches.get(field)?.keys() ?? [])
          assert.deepEqual(a.matches.get(field)?.get(id), b.matches.get(field)?.get(id));
      }
    }
  }
  // The first term's matches are shared with the highlights, never changed by a later term.
  const first = engine.search('principal:alice*');
  const before = plain(first.matches.get('principal'));
  engine.search('principal:alice* principal:bob*');
  assert.deepEqual(plain(engine.search('principal:alice*').matches.get('principal')), before);
});
