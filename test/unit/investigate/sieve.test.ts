/**
 * The repeat sieve of first-seen and correlation rules (keyTable.ts certainlyOnce): it never calls
 * a repeated key "once", and with it the rules fire on exactly the events they fire on without it,
 * over a store large and varied enough that the sieve is taken (≥ 65,536 candidates, most keys
 * distinct, some repeated often).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { normalizeEvent } from '../../../src/core/model/records';
import { EventStore } from '../../../src/core/store/store';
import { firstSeen } from '../../../src/core/investigate/detections/firstSeen';
import { keyReader, oldestOf } from '../../../src/core/investigate/detections/groupKeys';
import { certainlyOnce, numericKeys } from '../../../src/core/investigate/detections/keyTable';
import type { Correlation } from '../../../src/core/investigate/detections/ruleKinds';
import { correlate } from '../../../src/core/investigate/detections/sequence';
import { anEvent } from '../../builders/events';

/** A seeded generator (mulberry32): the same data every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('the repeat sieve', () => {
  test('a key it calls "once" occurs once; most keys that occur once are called so', () => {
    const random = rng(7);
    const n = 100_000;
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = Math.floor(random() * 2 ** 45);
    // Some keys repeated: a hot few, and pairs far apart.
    for (let i = 0; i < 3000; i++) keys[Math.floor(random() * n)] = 42 + (i % 7);
    for (let i = 0; i < 2000; i++) keys[Math.floor(random() * n)] = keys[Math.floor(random() * n)];
    keys[5] = NaN;
    const counts = new Map<number, number>();
    for (const k of keys) if (k === k) counts.set(k, (counts.get(k) ?? 0) + 1);
    const once = certainlyOnce(keys);
    assert.ok(once, 'taken: most keys are distinct');
    let singles = 0;
    let called = 0;
    for (let i = 0; i < n; i++) {
      if (keys[i] !== keys[i]) {
        assert.equal(once[i], 0, 'no key is not a key once');
        continue;
      }
      const c = counts.get(keys[i])!;
      if (once[i]) assert.equal(c, 1, `key ${keys[i]} occurs ${c} times`);
      if (c === 1) singles++;
      if (once[i]) called++;
    }
    assert.ok(called > singles * 0.85, `${called} of ${singles} singles sorted out`);
  });

  test('not taken where it would not pay: few candidates, or keys mostly repeated', () => {
    assert.equal(certainlyOnce(Float64Array.from({ length: 1000 }, (_, i) => i)), undefined);
    assert.equal(certainlyOnce(Float64Array.from({ length: 100_000 }, (_, i) => i % 500)), undefined);
  });
});

describe('first-seen and correlation rules fire the same with and without the sieve', () => {
  // 70,000 events over 30 days: 40,000 principals × 40,000 addresses, so most (principal,
  // address) pairs are seen once; 60 busy pairs take a third of the events.
  const random = rng(11);
  const store = new EventStore();
  const start = Date.UTC(2024, 0, 1);
  const names = ['GetObject', 'PutObject', 'CreateUser', 'CreateAccessKey', 'AttachUserPolicy'];
  for (let i = 0; i < 70_000; i++) {
    const busy = random() < 0.33;
    const who = busy ? Math.floor(random() * 60) : Math.floor(random() * 40_000);
    const ip = busy ? who : Math.floor(random() * 40_000);
    const t = start + Math.floor(random() * 30 * 86_400_000);
    store.add(
      normalizeEvent(
        anEvent({
          eventID: `e${i}`,
          eventTime: new Date(t).toISOString().replace(/\.\d+Z$/, 'Z'),
          eventName: names[Math.floor(random() * names.length)],
          sourceIPAddress: `10.${(ip >> 16) & 255}.${(ip >> 8) & 255}.${ip & 255}`,
          userIdentity: {
            type: 'IAMUser',
            arn: `arn:aws:iam::111122223333:user/u${who}`,
            accountId: '111122223333',
            userName: `u${who}`,
            accessKeyId: `AKIA${String(who).padStart(16, '0')}`,
          },
        }),
      ),
      0,
    );
  }
  const ordered = oldestOf(store, () => true);
  const count = (m: Uint8Array): number => m.reduce((n, v) => n + v, 0);

  test('the sieve is taken on these keys', () => {
    const keys = numericKeys(ordered, keyReader(store, ['principal', 'ip']))!;
    assert.ok(certainlyOnce(keys));
  });

  test('first-seen (principal + address, 3-day baseline)', () => {
    const rule = { fields: ['principal', 'ip'], baselineDays: 3 };
    const fast = firstSeen(store, ordered, rule);
    const plain = firstSeen(store, ordered, rule, { sieve: false });
    assert.ok(count(plain) > 1000 && count(plain) < ordered.length, `${count(plain)} fired`);
    assert.deepEqual(fast, plain);
  });

  const name = store.column('eventName');
  const ids = names.map((n) => store.dictionary('eventName').idOf(n));
  const step = (row: number): number => {
    const i = ids.indexOf(name[row]);
    return i < 0 ? 0 : 1 << Math.min(i, 2);
  };
  const cases: Array<[string, Correlation]> = [
    ['event_count ≥ 3 in 60 min', { type: 'event_count', groupBy: ['principal', 'ip'], withinMinutes: 60, min: 3 }],
    [
      'value_count ≥ 2 event names in 30 min',
      { type: 'value_count', groupBy: ['principal', 'ip'], withinMinutes: 30, min: 2, field: 'eventName' },
    ],
    [
      'temporal_ordered of three steps in 120 min',
      {
        type: 'temporal_ordered',
        groupBy: ['principal', 'ip'],
        withinMinutes: 120,
        min: 3,
        steps: [['eventName:GetObject'], ['eventName:PutObject'], ['eventName:CreateUser']],
      },
    ],
  ];
  for (const [label, c] of cases)
    test(label, () => {
      const fast = correlate(store, ordered, c, step);
      const plain = correlate(store, ordered, c, step, { sieve: false });
      assert.ok(count(plain) > 100, `${count(plain)} fired`);
      assert.deepEqual(fast, plain);
    });
});
