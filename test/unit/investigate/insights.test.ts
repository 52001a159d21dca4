import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { decodeLogBytes } from '../../../src/core/ingest/decode';
import { findInsights, hourlySeries } from '../../../src/core/investigate/insights';
import { type CtRecord, normalizeEvent } from '../../../src/core/model/records';
import { SearchEngine } from '../../../src/core/query/search';
import { EventStore } from '../../../src/core/store/store';
import { anEvent, samplesDir } from '../../builders/events';
import { hostileEvent, INJECTION_PAYLOADS } from '../../builders/injection';

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 2, 1);
const all = (store: EventStore): Uint32Array => Uint32Array.from({ length: store.size }, (_, i) => i);
const iso = (ms: number): string => new Date(ms).toISOString();

/** `count` calls of one API spread over hour `h` after T0. */
function calls(h: number, count: number, fields: Record<string, unknown> = {}): Array<Record<string, unknown>> {
  return Array.from({ length: count }, (_, i) =>
    anEvent({ eventTime: iso(T0 + h * HOUR + Math.floor((i * HOUR) / count)), ...fields }),
  );
}

function storeOf(events: Array<Record<string, unknown>>): EventStore {
  const store = new EventStore();
  for (const e of events) store.add(normalizeEvent(e), 0);
  return store;
}

/** Two days: steady DescribeInstances (10/h) with a 200-call hour; steady busier ListBuckets; one odd call. */
function twoDays(): EventStore {
  const events: Array<Record<string, unknown>> = [];
  for (let h = 0; h < 48; h++) {
    events.push(...calls(h, h === 30 ? 200 : 10));
    events.push(...calls(h, 50 + (h % 7) * 3, { eventSource: 's3.amazonaws.com', eventName: 'ListBuckets' }));
    events.push(
      ...calls(h, h % 2, { eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', errorCode: 'AccessDenied' }),
    );
  }
  events.push(
    ...calls(40, 40, { eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', errorCode: 'AccessDenied' }),
  );
  events.push(...calls(12, 1, { eventSource: 'iam.amazonaws.com', eventName: 'CreateUser' }));
  return storeOf(events);
}

describe('insights', () => {
  test('a burst against a steady hourly baseline is a call-rate anomaly; steady and rare APIs are not', () => {
    const store = twoDays();
    const r = findInsights(store, all(store));
    assert.equal(r.hours, 48);
    assert.equal(r.apis, 4);
    const burst = r.anomalies.find((a) => a.kind === 'callRate' && a.eventName === 'DescribeInstances')!;
    assert.deepEqual(
      { hour: burst.hour, observed: burst.observed, baseline: burst.baseline, calls: burst.calls },
      { hour: T0 + 30 * HOUR, observed: 200, baseline: 10, calls: 200 },
    );
    assert.ok(Math.abs(burst.score - 190 / Math.sqrt(10)) < 1e-9, 'MAD is 0, so the spread is the Poisson floor √10');
    assert.ok(!r.anomalies.some((a) => a.eventName === 'ListBuckets' || a.eventName === 'CreateUser'));
  });

  test('an hour of failures is an error-rate anomaly whose query selects exactly those errors', () => {
    const store = twoDays();
    const r = findInsights(store, all(store));
    const err = r.anomalies.filter((a) => a.kind === 'errorRate');
    assert.equal(err.length, 1);
    assert.equal(err[0].eventName, 'AssumeRole');
    assert.equal(err[0].observed, 40);
    assert.equal(err[0].baseline, 1, 'the median of 23 zeros, 24 ones and the 40');
    assert.equal(
      err[0].query,
      'eventSource:sts.amazonaws.com eventName:AssumeRole after:2024-03-02T16:00:00Z before:2024-03-02T17:00:00Z error:*',
    );
    const engine = new SearchEngine(store);
    assert.equal(engine.search(err[0].query).rows.length, 40);
    const burst = r.anomalies.find((a) => a.kind === 'callRate' && a.eventName === 'DescribeInstances')!;
    assert.equal(engine.search(burst.query!).rows.length, 200);
    assert.deepEqual(
      r.anomalies.map((a) => a.score),
      r.anomalies.map((a) => a.score).sort((a, b) => b - a),
      'most severe first',
    );
  });

  test('thresholds, minimum volume and the output bound are options', () => {
    const store = twoDays();
    assert.equal(
      findInsights(store, all(store), { minCalls: 201 }).anomalies.filter((a) => a.kind === 'callRate').length,
      0,
    );
    assert.equal(
      findInsights(store, all(store), { minErrors: 41 }).anomalies.filter((a) => a.kind === 'errorRate').length,
      0,
    );
    const one = findInsights(store, all(store), { limit: 1 });
    assert.equal(one.anomalies.length, 1);
    assert.equal(one.total, 3, 'the burst, and the failing hour as both a call-rate and an error-rate anomaly');
    assert.equal(one.anomalies[0].eventName, 'DescribeInstances', 'the highest score is kept');
  });

  test('writeOnly counts only write calls for the call rate, as CloudTrail does', () => {
    const store = twoDays();
    for (let h = 0; h < 48; h++)
      for (const e of calls(h, h === 45 ? 60 : 2, { eventName: 'RunInstances', readOnly: false }))
        store.add(normalizeEvent(e), 0);
    const r = findInsights(store, all(store), { writeOnly: true });
    assert.deepEqual(
      r.anomalies.map((a) => `${a.kind} ${a.eventName} ${a.observed}`),
      ['callRate RunInstances 60', 'errorRate AssumeRole 40'],
    );
    const run = r.anomalies[0];
    assert.match(run.query!, / -readOnly:true$/);
    assert.equal(new SearchEngine(store).search(run.query!).rows.length, 60);
    assert.ok(
      findInsights(store, all(store)).anomalies.some((a) => a.eventName === 'DescribeInstances'),
      'reads count by default',
    );
  });

  test('two periods months apart, or one event with a bogus time, do not turn every busy hour into an anomaly', () => {
    const events: Array<Record<string, unknown>> = [];
    // 30 steady hours in March, 30 in June: the 90 days between hold no logs at all.
    for (let h = 0; h < 30; h++) events.push(...calls(h, 25 + (h % 3)), ...calls(h + 24 * 92, 25 + (h % 3)));
    const store = storeOf(events);
    const r = findInsights(store, all(store));
    assert.deepEqual(r.anomalies, []);
    assert.equal(r.hours, 60, 'hours that hold logs');
    // A planted event dated years away adds one covered hour, not thousands of empty ones.
    store.add(
      normalizeEvent(
        anEvent({ eventTime: '2031-01-01T00:00:00Z', eventName: 'ListBuckets', eventSource: 's3.amazonaws.com' }),
      ),
      0,
    );
    assert.deepEqual(findInsights(store, all(store)).anomalies, []);
    // A real spike in that data is still found.
    store.add(normalizeEvent(anEvent({ eventTime: iso(T0 + 10 * HOUR) })), 0);
    for (const e of calls(10, 150)) store.add(normalizeEvent(e), 0);
    assert.deepEqual(
      findInsights(store, all(store)).anomalies.map((a) => [a.eventName, a.hour]),
      [['DescribeInstances', T0 + 10 * HOUR]],
    );
  });

  test('too short a range says why instead of guessing', () => {
    const store = storeOf(calls(0, 500));
    const r = findInsights(store, all(store));
    assert.deepEqual(r.anomalies, []);
    assert.match(r.note!, /at least 24 hours \(these cover 1 hour\)/);
    assert.match(findInsights(store, new Uint32Array()).note!, /no events with a time/);
  });

  test('real sample: the attack hour stands out against days of the same routine without it', () => {
    const dir = join(samplesDir(), 'invictus-ir_aws_dataset/CloudTrail');
    const sample: CtRecord[] = [];
    for (const f of readdirSync(dir).sort()) {
      const d = decodeLogBytes(readFileSync(join(dir, f)));
      if (d.kind === 'events') sample.push(...d.records);
    }
    // 47 earlier copies of the sample hour hold the routine, but not the secret and parameter theft.
    const stolen = new Set(['secretsmanager.amazonaws.com', 'ssm.amazonaws.com']);
    const store = new EventStore();
    for (const rec of sample) store.add(rec, 0);
    for (let k = 1; k <= 47; k++) {
      for (const rec of sample)
        if (!stolen.has(rec.eventSource)) store.add({ ...rec, time: rec.time - k * HOUR, eventId: '' }, k);
    }
    const r = findInsights(store, all(store), { limit: 1000 });
    assert.equal(r.hours, 49);
    // Expected, counted plainly: stolen-service APIs with at least 20 calls (10 errors) in an hour.
    const expected = new Set<string>();
    const perHour = new Map<string, [number, number]>();
    for (const rec of sample) {
      if (!stolen.has(rec.eventSource)) continue;
      const key = `${rec.eventSource} ${rec.eventName} ${Math.floor(rec.time / HOUR) * HOUR}`;
      const c = perHour.get(key) ?? [0, 0];
      perHour.set(key, [c[0] + 1, c[1] + (rec.errorCode ? 1 : 0)]);
    }
    for (const [key, [n, e]] of perHour) {
      if (n >= 20) expected.add(`callRate ${key}`);
      if (e >= 10) expected.add(`errorRate ${key}`);
    }
    assert.ok(expected.size >= 2, `${[...expected].join('; ')}`);
    assert.deepEqual(new Set(r.anomalies.map((a) => `${a.kind} ${a.eventSource} ${a.eventName} ${a.hour}`)), expected);
    const engine = new SearchEngine(store);
    for (const a of r.anomalies)
      assert.equal(engine.search(a.query!).rows.length, a.kind === 'callRate' ? a.calls : a.observed);
  });

  test('an hourly series for drawing one API', () => {
    const store = twoDays();
    const s = hourlySeries(store, all(store), 'sts.amazonaws.com', 'AssumeRole');
    assert.equal(s.start, T0);
    assert.equal(s.calls.length, 48);
    assert.equal(s.calls[40], 40);
    assert.equal(s.errors[41], 1);
    assert.equal(s.clipped, false);
    const clipped = hourlySeries(store, all(store), 'ec2.amazonaws.com', 'DescribeInstances', 10);
    assert.deepEqual(
      [clipped.start, clipped.calls.length, clipped.clipped, clipped.calls[0]],
      [T0 + 38 * HOUR, 10, true, 10],
    );
    assert.equal(
      hourlySeries(store, all(store), 'nope', 'nope').calls.reduce((a, b) => a + b, 0),
      0,
    );
  });

  test('hostile names and times do not break it', () => {
    const events: Array<Record<string, unknown>> = INJECTION_PAYLOADS.flatMap((p, i) =>
      Array.from({ length: 30 }, (_, j) => ({ ...hostileEvent(p, i), eventID: `h-${i}-${j}` })),
    );
    events.push(anEvent({ eventTime: '+275760-09-13T00:00:00.000Z' }), anEvent({ eventTime: '1970-01-01T00:00:00Z' }));
    for (let h = 0; h < 30; h++) events.push(...calls(h, 5));
    const store = storeOf(events);
    // The span is hundreds of millennia; the hours holding events are counted, not allocated.
    const r = findInsights(store, all(store));
    assert.ok(r.hours >= 30 && r.hours <= 34, `${r.hours} hours`);
    for (const a of r.anomalies) assert.ok(a.query === undefined || a.query.startsWith('eventSource:'));
  });
});
