/**
 * Polling a started query until it ends (Athena's GetQueryExecution, Logs Insights'
 * GetQueryResults): a poll every `pollMs`, growing by half up to `maxPollMs`, the wait cut short
 * by an abort; on an abort or past `timeoutMs` the query is stopped first, then the wait fails.
 */
import type { Clock } from '../core/aws/throttle';

export interface PollOptions {
  signal?: AbortSignal;
  /** Stop the query past this (default 10 minutes). */
  timeoutMs?: number;
  /** First poll interval; it grows by half each poll up to maxPollMs. */
  pollMs?: number;
  maxPollMs?: number;
}

/** PollOptions with a progress callback for what each poll learned (`P`: the service's progress). */
export interface ProgressPollOptions<P> extends PollOptions {
  onProgress?: (p: P) => void;
}

export interface PollSteps<T> {
  /** One poll: the outcome once the query has ended (or throws for a failed one), else undefined. */
  check(): Promise<T | undefined>;
  /** Stops the query (its errors are ignored: the wait fails anyway). */
  stop(): Promise<void>;
  /** The error the wait fails with when cancelled or timed out; `message` says which. */
  ended(kind: 'cancelled' | 'timeout', message: string): Error;
}

/**
 * Sleeps `ms`, waking early when `signal` aborts. The abort listener goes when the sleep ends: a
 * long query polls hundreds of times on one signal, and each poll's listener would stay otherwise.
 */
async function pause(clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return clock.sleep(ms);
  let wake = (): void => undefined;
  const aborted = new Promise<void>((resolve) => {
    wake = resolve;
    signal.addEventListener('abort', wake, { once: true });
  });
  try {
    await Promise.race([clock.sleep(ms), aborted]);
  } finally {
    signal.removeEventListener('abort', wake);
  }
}

export async function pollUntilEnded<T>(clock: Clock, o: PollOptions, steps: PollSteps<T>): Promise<T> {
  const started = clock.now();
  const timeout = o.timeoutMs ?? 600_000;
  let interval = o.pollMs ?? 250;
  for (;;) {
    if (o.signal?.aborted || clock.now() - started > timeout) {
      const kind = o.signal?.aborted ? 'cancelled' : 'timeout';
      await steps.stop().catch(() => undefined);
      throw steps.ended(kind, kind === 'cancelled' ? 'Cancelled.' : `Stopped after ${Math.round(timeout / 1000)} s.`);
    }
    const done = await steps.check();
    if (done !== undefined) return done;
    await pause(clock, interval, o.signal);
    interval = Math.min(o.maxPollMs ?? 2000, Math.ceil(interval * 1.5));
  }
}
