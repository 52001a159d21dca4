/**
 * A thin adapter over the CloudTrail API for one profile and region: trails, their status and
 * selectors, and LookupEvents as an async generator of pages. The client is injected (tests pass
 * one pointed at a local fake); LookupEvents calls are spaced by a shared rate limiter so the
 * 2-requests-per-second quota is never exceeded, and the SDK retries throttling with backoff.
 */
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetInsightSelectorsCommand,
  GetTrailStatusCommand,
  ListPublicKeysCommand,
  LookupEventsCommand,
  type LookupEventsCommandInput,
} from '@aws-sdk/client-cloudtrail';
import { type ClientTarget, clientBase } from './clientConfig';
import { type LookupFilter, resolveRange } from '../core/query/lookupFilter';
import type { Page } from '../core/aws/paging';
import { type CtRecord, normalizeAny } from '../core/model/records';
import type { RateLimiter } from '../core/aws/throttle';
import type { PublicKey } from '../core/integrity/digest';
import type { EventSelectors, InsightSelectors, Trail, TrailStatus } from '../core/aws/trailHealth';

/** A CloudTrail client's profile, region, endpoint override (AWS_ENDPOINT_URL_CLOUDTRAIL too) and request bound. */
export type CloudTrailTarget = ClientTarget;

/** LookupEvents' page size limit. */
export const PAGE_SIZE = 50;

export function createClient(t: CloudTrailTarget): CloudTrailClient {
  return new CloudTrailClient({ ...clientBase(t), maxAttempts: 6, retryMode: 'standard' });
}

export class CloudTrailApi {
  constructor(
    readonly target: CloudTrailTarget,
    private readonly limiter: RateLimiter,
    private readonly client: CloudTrailClient = createClient(target),
    private readonly now: () => number = Date.now,
  ) {}

  /** Every call is bounded as a whole too: retries included, it cannot hang a tree node forever. */
  private signal(): AbortSignal {
    return AbortSignal.timeout(this.target.timeoutMs * 4);
  }

  async describeTrails(): Promise<Trail[]> {
    const out = await this.client.send(new DescribeTrailsCommand({ includeShadowTrails: true }), {
      abortSignal: this.signal(),
    });
    return out.trailList ?? [];
  }

  async trailStatus(trailArn: string): Promise<TrailStatus> {
    return await this.client.send(new GetTrailStatusCommand({ Name: trailArn }), { abortSignal: this.signal() });
  }

  async eventSelectors(trailArn: string): Promise<EventSelectors> {
    return await this.client.send(new GetEventSelectorsCommand({ TrailName: trailArn }), {
      abortSignal: this.signal(),
    });
  }

  /** Undefined when the trail has no insight selectors (the API answers with an error then). */
  async insightSelectors(trailArn: string): Promise<InsightSelectors | undefined> {
    try {
      return await this.client.send(new GetInsightSelectorsCommand({ TrailName: trailArn }), {
        abortSignal: this.signal(),
      });
    } catch (e) {
      if ((e as Error).name === 'InsightNotEnabledException') return undefined;
      throw e;
    }
  }

  /**
   * LookupEvents pages (newest first) from `token` on; insight events when `insights`. `window`
   * is the range resolved once for the whole list: a NextToken is only valid with the very
   * parameters of the call that returned it.
   */
  async *lookupPages(
    filter: LookupFilter,
    insights: boolean,
    token?: string,
    window = resolveRange(filter.range, this.now()),
  ): AsyncGenerator<Page<CtRecord>> {
    const { start, end } = window;
    const input: LookupEventsCommandInput = {
      StartTime: new Date(start),
      EndTime: new Date(end),
      MaxResults: PAGE_SIZE,
      LookupAttributes: filter.attribute
        ? [{ AttributeKey: filter.attribute.key, AttributeValue: filter.attribute.value }]
        : undefined,
      EventCategory: insights ? 'insight' : undefined,
    };
    let next = token;
    do {
      await this.limiter.take(`${this.target.profile}|${this.target.region}`);
      const out = await this.client.send(new LookupEventsCommand({ ...input, NextToken: next }), {
        abortSignal: this.signal(),
      });
      next = out.NextToken || undefined;
      const items = (out.Events ?? []).map((row) => normalizeAny(row)).filter((r): r is CtRecord => !!r);
      yield { items, nextToken: next };
    } while (next);
  }

  /** The public keys whose validity overlaps [start, end] (epoch ms), to verify digest signatures. */
  async listPublicKeys(start: number, end: number): Promise<PublicKey[]> {
    const keys: PublicKey[] = [];
    let next: string | undefined;
    do {
      const out = await this.client.send(
        new ListPublicKeysCommand({ StartTime: new Date(start), EndTime: new Date(end), NextToken: next }),
        { abortSignal: this.signal() },
      );
      for (const k of out.PublicKeyList ?? []) {
        if (k.Fingerprint && k.Value)
          keys.push({
            fingerprint: k.Fingerprint,
            value: k.Value,
            validityStart: k.ValidityStartTime?.getTime(),
            validityEnd: k.ValidityEndTime?.getTime(),
          });
      }
      next = out.NextToken || undefined;
    } while (next);
    return keys;
  }

  dispose(): void {
    this.client.destroy();
  }
}
