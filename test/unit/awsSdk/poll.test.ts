/**
 * The poll loop the Athena and Logs Insights adapters share: it polls until the query ends, stops
 * it on an abort (waking from its sleep at once) or past its timeout, and leaves no abort
 * listener behind on a signal that outlives many polls.
 */
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { test } from 'node:test';
import { pollUntilEnded } from '../../../src/awsSdk/poll';
import type { Clock } from '../../../src/core/aws/throttle';

/** A clock whose sleeps pass at once (recorded), or never when `hang`. */
function fakeClock(o: { hang?: boolean } = {}): Clock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: (ms) => {
      slept.push(ms);
      if (o.hang) return new Promise<void>(() => undefined);
      now += ms;
      return Promise.resolve();
    },
  };
}

const ended = (kind: string, message: string): Error => Object.assign(new Error(message), { kind });

test('polls until the check has an outcome, the interval growing by half up to its cap; no abort listener stays', async () => {
  const clock = fakeClock();
  const ac = new AbortController();
  let polls = 0;
  let stopped = 0;
  const out = await pollUntilEnded(
    clock,
    { signal: ac.signal, pollMs: 100, maxPollMs: 300 },
    {
      check: async () => (++polls === 40 ? 'done' : undefined),
      stop: async () => void stopped++,
      ended,
    },
  );
  assert.equal(out, 'done');
  assert.equal(polls, 40);
  assert.equal(stopped, 0);
  assert.deepEqual(clock.slept.slice(0, 5), [100, 150, 225, 300, 300]);
  assert.equal(getEventListeners(ac.signal, 'abort').length, 0, 'every sleep took its listener away');
});

test('an abort wakes the sleep at once, stops the query and fails as cancelled', async () => {
  const clock = fakeClock({ hang: true });
  const ac = new AbortController();
  let stopped = 0;
  const waiting = pollUntilEnded(
    clock,
    { signal: ac.signal },
    { check: async () => undefined, stop: async () => void stopped++, ended },
  );
  await new Promise((r) => setImmediate(r));
  ac.abort();
  const err = (await waiting.catch((e: unknown) => e)) as Error & { kind: string };
  assert.equal(err.kind, 'cancelled');
  assert.equal(err.message, 'Cancelled.');
  assert.equal(stopped, 1);
});

test('past its timeout the query is stopped (a failing stop is ignored) and the wait fails as timed out', async () => {
  const clock = fakeClock();
  const err = (await pollUntilEnded(
    clock,
    { timeoutMs: 5000, pollMs: 1000, maxPollMs: 1000 },
    {
      check: async () => undefined,
      stop: () => Promise.reject(new Error('StopQueryExecution failed')),
      ended,
    },
  ).catch((e: unknown) => e)) as Error & { kind: string };
  assert.equal(err.kind, 'timeout');
  assert.equal(err.message, 'Stopped after 5 s.');
});
