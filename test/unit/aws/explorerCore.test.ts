import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainAwsError } from '../../../src/core/aws/awsErrors';
import { eventRowLabel } from '../../../src/core/ui/explorerLabels';
import { relativeTime } from '../../../src/core/model/time';
import {
  attributeProblem,
  customRange,
  describeFilter,
  isFiltered,
  lookupValueFor,
  NO_FILTER,
  parseWhen,
  resolveRange,
} from '../../../src/core/query/lookupFilter';
import { PagedList, type Page } from '../../../src/core/aws/paging';
import { normalizeEvent } from '../../../src/core/model/records';
import { type Clock, RateLimiter, Spacer } from '../../../src/core/aws/throttle';
import { describeSelectors, describeTrail } from '../../../src/core/aws/trailHealth';
import { anEvent } from '../../builders/events';

/** A clock that only moves when someone sleeps. */
function fakeClock(): Clock & { t: number } {
  const c = { t: 1_000_000, now: () => c.t, sleep: async (ms: number) => void (c.t += ms) };
  return c;
}

describe('throttle', () => {
  test('never more than 2 starts in any one-second window, however fast the calls come', async () => {
    const clock = fakeClock();
    const spacer = new Spacer(2, clock);
    const starts: number[] = [];
    // Sleeps resolve in call order with this clock, so sequential awaits model concurrent callers.
    for (let i = 0; i < 9; i++) {
      await spacer.take();
      starts.push(clock.t);
    }
    for (let i = 2; i < starts.length; i++)
      assert.ok(starts[i] - starts[i - 2] >= 1000, `starts ${i - 2} and ${i} are a second apart`);
    assert.equal(starts[0], 1_000_000, 'the first call does not wait');
  });

  test('keys (account + region) are limited independently', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(2, clock);
    await limiter.take('a|us-east-1');
    await limiter.take('b|us-east-1');
    assert.equal(clock.t, 1_000_000, 'a different key does not wait');
    await limiter.take('a|us-east-1');
    assert.equal(clock.t, 1_000_550, '1000/2 ms, plus a tenth for jitter');
  });
});

describe('paging', () => {
  function source(pages: number, failAt?: number) {
    const calls: Array<string | undefined> = [];
    let failed = false;
    const make = (token: string | undefined): AsyncIterator<Page<number>> => {
      calls.push(token);
      let i = token ? Number(token) : 0;
      return {
        async next() {
          await new Promise((r) => setTimeout(r, 5));
          if (i === failAt && !failed) {
            failed = true;
            throw new Error('ThrottlingException');
          }
          if (i >= pages) return { done: true, value: undefined };
          const page = { items: [i * 10, i * 10 + 1], nextToken: i + 1 < pages ? String(i + 1) : undefined };
          i++;
          return { done: false, value: page };
        },
      };
    };
    return { make, calls };
  }

  test('concurrent loads are single-flight: one page per round, none skipped or doubled', async () => {
    const s = source(3);
    const list = new PagedList(s.make);
    await Promise.all([list.loadMore(), list.loadMore(), list.loadMore()]);
    assert.deepEqual(list.items, [0, 1]);
    await list.loadMore();
    await list.loadMore();
    assert.deepEqual(list.items, [0, 1, 10, 11, 20, 21]);
    assert.equal(list.done, true);
    await list.loadMore();
    assert.equal(list.items.length, 6);
  });

  test('a failed page keeps what was loaded, reports the error, and resumes from the last token', async () => {
    const s = source(3, 1);
    const list = new PagedList(s.make);
    await list.loadMore();
    await list.loadMore();
    assert.match(String(list.error), /Throttling/);
    assert.deepEqual(list.items, [0, 1]);
    await list.loadMore();
    assert.equal(list.error, undefined);
    assert.deepEqual(list.items, [0, 1, 10, 11]);
    assert.deepEqual(s.calls, [undefined, '1'], 'the second generator starts at the failed page');
  });
});

describe('lookup filters', () => {
  const now = Date.UTC(2026, 10, 21, 12);
  test('presets, custom ranges clamped to 90 days, descriptions', () => {
    assert.deepEqual(resolveRange({ kind: 'preset', preset: '24h' }, now), { start: now - 86_400_000, end: now });
    const r = resolveRange({ kind: 'custom', start: now - 200 * 86_400_000, end: now + 10_000 }, now);
    assert.deepEqual(r, { start: now - 90 * 86_400_000, end: now });
    assert.equal(describeFilter(NO_FILTER), 'last 90 days');
    assert.equal(isFiltered(NO_FILTER), false);
    assert.equal(
      describeFilter({
        attribute: { key: 'EventName', value: 'StopLogging' },
        range: { kind: 'preset', preset: '90d' },
      }),
      'EventName = StopLogging',
    );
    assert.equal(
      describeFilter({ attribute: { key: 'Username', value: 'bob' }, range: { kind: 'preset', preset: '1h' } }),
      'Username = bob · last hour',
    );
  });

  test('custom ranges are validated with reasons', () => {
    assert.equal(parseWhen('2026-11-01'), Date.UTC(2026, 10, 1));
    assert.equal(parseWhen('2026-11-01T10:30Z'), Date.UTC(2026, 10, 1, 10, 30));
    assert.match(customRange('yesterday', '', now) as string, /not a date/);
    assert.match(customRange('2026-11-02', '2026-11-01', now) as string, /after the start/);
    assert.match(customRange('2020-01-01', '2020-02-01', now) as string, /90 days/);
    assert.deepEqual(customRange('2026-11-01', '', now), { kind: 'custom', start: Date.UTC(2026, 10, 1), end: now });
  });

  test('attribute values are checked before they are sent', () => {
    assert.match(attributeProblem('ReadOnly', 'yes')!, /true or false/);
    assert.match(attributeProblem('AccessKeyId', 'akia-lower')!, /AKIA/);
    assert.match(attributeProblem('EventName', '  ')!, /Enter a value/);
    assert.equal(attributeProblem('EventName', 'StopLogging'), undefined);
  });

  test('event-view pivots map to LookupEvents attributes, or say they cannot', () => {
    assert.deepEqual(
      lookupValueFor('principal', 'Admin/alice', { identityType: 'AssumedRole', principal: 'Admin/alice' }),
      { key: 'Username', value: 'alice' },
    );
    assert.deepEqual(lookupValueFor('principal', 'bert-jan', { identityType: 'IAMUser', principal: 'bert-jan' }), {
      key: 'Username',
      value: 'bert-jan',
    });
    assert.deepEqual(lookupValueFor('accessKey', 'AKIA1', { identityType: 'IAMUser', principal: 'x' }), {
      key: 'AccessKeyId',
      value: 'AKIA1',
    });
    assert.deepEqual(lookupValueFor('resource', 'arn:aws:s3:::b', { identityType: '', principal: '' }), {
      key: 'ResourceName',
      value: 'arn:aws:s3:::b',
    });
    assert.equal(lookupValueFor('ip', '1.2.3.4', { identityType: '', principal: '' }), undefined);
  });
});

describe('trail health', () => {
  const now = Date.UTC(2026, 10, 21, 12);
  const trail = {
    Name: 'org-trail',
    TrailARN: 'arn:aws:cloudtrail:us-east-1:1:trail/org-trail',
    HomeRegion: 'us-east-1',
    IsMultiRegionTrail: true,
    IsOrganizationTrail: true,
    S3BucketName: 'logs',
    LogFileValidationEnabled: true,
  };

  test('a healthy trail in its home region', () => {
    const v = describeTrail(trail, 'us-east-1', now, { IsLogging: true, LatestDeliveryTime: new Date(now - 300_000) });
    assert.equal(v.shadow, false);
    assert.deepEqual(v.problems, []);
    assert.equal(v.description, 'logging · multi-region · organization');
    assert.match(v.details.find((d) => d.label === 'Latest delivery')!.value, /5 min ago/);
  });

  test('shadow trails, logging off, delivery errors and validation off are flagged', () => {
    const v = describeTrail({ ...trail, LogFileValidationEnabled: false }, 'eu-west-1', now, {
      IsLogging: false,
      LatestDeliveryError: 'AccessDenied',
      StopLoggingTime: now - 1000,
    });
    assert.equal(v.shadow, true);
    assert.match(v.description, /NOT LOGGING.*shadow of us-east-1/);
    assert.deepEqual(v.problems, ['Logging is off', 'Delivery error: AccessDenied', 'Log file validation is off']);
  });

  test('selectors are summarized: basic, data, advanced, insights', () => {
    const rows = describeSelectors(
      {
        EventSelectors: [
          {
            ReadWriteType: 'WriteOnly',
            IncludeManagementEvents: true,
            DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::a/', 'arn:aws:s3:::b/'] }],
          },
        ],
        AdvancedEventSelectors: [
          {
            Name: 'S3 writes',
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Data'] },
              { Field: 'readOnly', Equals: ['false'] },
            ],
          },
        ],
      },
      { InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }] },
    );
    assert.deepEqual(
      rows.map((r) => `${r.label}: ${r.value}`),
      [
        'Event selector: management events: write only; data events: AWS::S3::Object (2 values)',
        'Advanced selector "S3 writes": eventCategory = Data AND readOnly = false',
        'Insights: ApiCallRateInsight',
      ],
    );
    assert.equal(describeSelectors({}, undefined)[0].problem, true, 'a trail with no selectors records nothing');
  });
});

describe('AWS errors are explained', () => {
  const ctx = { profile: 'prod', region: 'eu-west-1' };
  const named = (name: string, message = '', status?: number) =>
    Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
  const cases: Array<[unknown, RegExp, string | undefined]> = [
    [
      named(
        'CredentialsProviderError',
        'The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login with the corresponding profile.',
      ),
      /SSO session expired/,
      'ssoLogin',
    ],
    [
      named('ExpiredTokenException', 'The security token included in the request is expired', 400),
      /Credentials expired/,
      'retry',
    ],
    [
      named('AccessDeniedException', 'User: x is not authorized to perform: cloudtrail:LookupEvents', 400),
      /Access denied/,
      undefined,
    ],
    [
      named('UnrecognizedClientException', 'The security token included in the request is invalid.', 400),
      /Credentials rejected/,
      undefined,
    ],
    [named('ThrottlingException', 'Rate exceeded', 400), /Throttled/, 'retry'],
    [named('TimeoutError', 'Connection timed out after 20000 ms'), /Timed out/, 'retry'],
    [
      Object.assign(new Error('getaddrinfo ENOTFOUND cloudtrail.xx-nowhere-1.amazonaws.com'), { code: 'ENOTFOUND' }),
      /Cannot reach AWS/,
      'checkRegion',
    ],
    [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
      /Connection failed/,
      'retry',
    ],
    [named('InternalFailure', 'oops', 500), /AWS service error/, 'retry'],
  ];
  for (const [err, title, action] of cases) {
    test(`${(err as Error).name}: ${(err as Error).message.slice(0, 40)}`, () => {
      const e = explainAwsError(err, ctx);
      assert.match(e.title, title);
      assert.equal(e.action, action);
      assert.ok(e.detail.length > 10);
    });
  }
  test('with an endpoint override, network failures point at the setting', () => {
    const e = explainAwsError(Object.assign(new Error('getaddrinfo ENOTFOUND fake'), { code: 'ENOTFOUND' }), {
      ...ctx,
      endpoint: 'http://fake:4566',
    });
    assert.equal(e.action, 'checkEndpoint');
    assert.match(e.detail, /cloudtrailLens\.endpoint/);
  });
  test('a failed credential_process never shows its command line or output', () => {
    const err = Object.assign(
      new Error(
        'Command failed: /usr/local/bin/vault-creds --token s.SECRETTOKEN123\nerror: token expired s.SECRETTOKEN123',
      ),
      { name: 'CredentialsProviderError' },
    );
    const e = explainAwsError(err, ctx);
    assert.doesNotMatch(`${e.title} ${e.detail}`, /SECRETTOKEN|vault-creds/);
    assert.match(e.detail, /credential_process command failed/);
  });
  test('expired credentials of an SSO profile offer the SSO sign-in', () => {
    assert.equal(explainAwsError(named('ExpiredTokenException', 'expired'), { ...ctx, sso: true }).action, 'ssoLogin');
  });
});

describe('event row labels', () => {
  const now = Date.UTC(2026, 10, 21, 12);
  test('relative times', () => {
    assert.equal(relativeTime(now - 10_000, now), 'just now');
    assert.equal(relativeTime(now - 5 * 60_000, now), '5 min ago');
    assert.equal(relativeTime(now - 3 * 3_600_000, now), '3 h ago');
    assert.equal(relativeTime(now - 12 * 86_400_000, now), '12 days ago');
  });
  test('name, principal, time, error; hostile text revealed and cut', () => {
    const rec = normalizeEvent(
      anEvent({
        eventName: 'Stop\u202ELogging',
        eventTime: new Date(now - 120_000).toISOString(),
        errorCode: 'AccessDenied',
        errorMessage: 'nope',
      }),
    );
    const l = eventRowLabel(rec, now);
    assert.equal(l.label, 'Stop⟦U+202E⟧Logging');
    assert.equal(l.description, 'alice · 2 min ago · AccessDenied');
    assert.equal(l.failed, true);
    assert.match(l.tooltip, /AccessDenied: nope/);
    assert.ok(eventRowLabel(normalizeEvent(anEvent({ eventName: 'x'.repeat(5000) })), now).label.length <= 80);
  });
});
