/**
 * Client-side rate limiting for AWS APIs with tight quotas. LookupEvents allows 2 requests per
 * second per account and region: spacing calls 1/rate apart keeps any one-second window at or
 * under the quota however fast a user clicks "Load more", so throttling errors are prevented,
 * not retried away.
 */

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Requests spaced exactly 1000/rate ms apart sit on the quota's edge: network jitter can land
 * three in one of the server's one-second windows. A tenth more spacing keeps them inside.
 */
const MARGIN = 1.1;

/** Hands out one start slot per `1000 / perSecond` ms (plus the margin), in call order. */
export class Spacer {
  private nextFree = 0;

  constructor(
    private readonly perSecond: number,
    private readonly clock: Clock = realClock,
  ) {}

  /** Resolves when the caller may start its request. */
  async take(): Promise<void> {
    const now = this.clock.now();
    const start = Math.max(now, this.nextFree);
    this.nextFree = start + (1000 / this.perSecond) * MARGIN;
    if (start > now) await this.clock.sleep(start - now);
  }
}

/** One Spacer per key (account + region), created on first use. */
export class RateLimiter {
  private readonly spacers = new Map<string, Spacer>();

  constructor(
    private readonly perSecond: number,
    private readonly clock: Clock = realClock,
  ) {}

  take(key: string): Promise<void> {
    let s = this.spacers.get(key);
    if (!s) this.spacers.set(key, (s = new Spacer(this.perSecond, this.clock)));
    return s.take();
  }
}
