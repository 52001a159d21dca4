/**
 * The CloudTrail adapter with the real AWS SDK against a local fake endpoint (never real AWS):
 * paging, filters, the LookupEvents rate limit under fast "Load more", hung endpoints, errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CloudTrailApi, createClient, type CloudTrailTarget } from '../../../src/awsSdk/cloudTrail';
import { explainAwsError } from '../../../src/core/aws/awsErrors';
import { NO_FILTER } from '../../../src/core/query/lookupFilter';
import { PagedList } from '../../../src/core/aws/paging';
import type { CtRecord } from '../../../src/core/model/records';
import { RateLimiter } from '../../../src/core/aws/throttle';
import { recentSampleEvents } from '../../builders/events';
import { type FakeCloudTrail, startFakeCloudTrail } from '../../support/fakeCloudTrail';

const credentials = async () => ({ accessKeyId: 'AKIDUNITTEST', secretAccessKey: 'not-a-secret' });
let fake: FakeCloudTrail;
const events = recentSampleEvents(Date.now());
const apis: CloudTrailApi[] = [];

function api(region = 'us-east-1', timeoutMs = 5000, limiter = new RateLimiter(2)): CloudTrailApi {
  const target: CloudTrailTarget = { profile: 'unit', region, credentials, endpoint: fake.url, timeoutMs };
  const a = new CloudTrailApi(target, limiter, createClient(target));
  apis.push(a);
  return a;
}

describe('CloudTrail adapter against a local fake endpoint', () => {
  before(async () => {
    fake = await startFakeCloudTrail({
      events,
      trails: {
        'us-east-1': [
          {
            Name: 'main',
            TrailARN: 'arn:aws:cloudtrail:us-east-1:123837392027:trail/main',
            HomeRegion: 'us-east-1',
            IsMultiRegionTrail: true,
            IsOrganizationTrail: false,
            S3BucketName: 'logs',
            LogFileValidationEnabled: true,
            HasCustomEventSelectors: false,
            HasInsightSelectors: false,
            IncludeGlobalServiceEvents: true,
          },
        ],
        'eu-west-1': [
          {
            Name: 'main',
            TrailARN: 'arn:aws:cloudtrail:us-east-1:123837392027:trail/main',
            HomeRegion: 'us-east-1',
            IsMultiRegionTrail: true,
            IsOrganizationTrail: false,
            S3BucketName: 'logs',
            LogFileValidationEnabled: true,
            HasCustomEventSelectors: false,
            HasInsightSelectors: false,
            IncludeGlobalServiceEvents: true,
          },
        ],
      },
    });
  });
  after(async () => {
    for (const a of apis) a.dispose();
    await fake.close();
  });

  test('trails (shadow trails included) and status', async () => {
    const a = api('eu-west-1');
    const trails = await a.describeTrails();
    assert.equal(trails[0].HomeRegion, 'us-east-1');
    const status = await api('us-east-1').trailStatus(trails[0].TrailARN!);
    assert.equal(status.IsLogging, true);
    assert.ok(status.LatestDeliveryTime instanceof Date);
  });

  test('LookupEvents pages become records, newest first, 50 a page', async () => {
    const list = new PagedList<CtRecord>((token) => api().lookupPages(NO_FILTER, false, token));
    await list.loadMore();
    assert.equal(list.items.length, 50);
    assert.ok(list.items[0].time >= list.items[49].time);
    assert.ok(list.items.every((r) => r.eventName && r.raw.startsWith('{')));
  });

  test('a filter is sent as a lookup attribute', async () => {
    const a = api();
    const it = a.lookupPages({ attribute: { key: 'EventName', value: 'StopLogging' }, range: NO_FILTER.range }, false);
    const page = await it.next();
    assert.ok(!page.done && page.value.items.length > 0);
    assert.ok(!page.done && page.value.items.every((r) => r.eventName === 'StopLogging'));
    const sent = fake.requests.filter((r) => r.operation === 'LookupEvents').pop()!;
    assert.deepEqual(sent.body.LookupAttributes, [{ AttributeKey: 'EventName', AttributeValue: 'StopLogging' }]);
  });

  test('clicking "Load more" fast never meets the 2-per-second quota: no throttling error', async () => {
    fake.reset();
    fake.rateLimit(2);
    const list = new PagedList<CtRecord>((token) => api().lookupPages(NO_FILTER, false, token));
    // Eight rapid clicks, some while a load is under way.
    for (let i = 0; i < 8; i++) {
      const p = list.loadMore();
      if (i % 2) await p;
    }
    while (list.loading) await new Promise((r) => setTimeout(r, 20));
    while (list.items.length < 8 * 50 && !list.done && !list.error) await list.loadMore();
    assert.equal(list.error, undefined, String(list.error));
    const times = fake.requests.filter((r) => r.operation === 'LookupEvents').map((r) => r.time);
    for (let i = 2; i < times.length; i++)
      assert.ok(times[i] - times[i - 2] >= 1000, `calls ${i - 2} and ${i} within a second`);
    assert.equal(
      fake.requests.filter((r) => r.operation === 'LookupEvents').length,
      times.length,
      'no call was throttled and retried',
    );
    assert.ok(times.length >= 8);
    fake.rateLimit(undefined);
  });

  test('throttling from AWS itself is retried with backoff by the SDK', async () => {
    fake.reset();
    fake.failNext('DescribeTrails', { code: 'ThrottlingException', message: 'Rate exceeded' }, 2);
    const trails = await api().describeTrails();
    assert.equal(trails.length, 1);
    assert.equal(fake.requests.filter((r) => r.operation === 'DescribeTrails').length, 3);
  });

  test('a hung endpoint times out instead of hanging the tree', async () => {
    fake.reset();
    fake.delay('DescribeTrails', 10_000);
    const started = Date.now();
    const err = await api('us-east-1', 300)
      .describeTrails()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(err, 'the call fails');
    assert.ok(Date.now() - started < 8000, `gave up after ${Date.now() - started} ms`);
    assert.equal(explainAwsError(err, { profile: 'unit', region: 'us-east-1', endpoint: fake.url }).title, 'Timed out');
    fake.reset();
  });

  test('AccessDenied and expired credentials are explained; the access key never appears in messages', async () => {
    fake.failNext('LookupEvents', {
      code: 'AccessDeniedException',
      message: 'User: arn:aws:iam::1:user/x is not authorized to perform: cloudtrail:LookupEvents',
    });
    const err = await api()
      .lookupPages(NO_FILTER, false)
      .next()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    const e = explainAwsError(err, { profile: 'unit', region: 'us-east-1' });
    assert.equal(e.title, 'Access denied');
    assert.doesNotMatch(`${e.title} ${e.detail}`, /not-a-secret|AKIDUNITTEST/);
    fake.failNext('DescribeTrails', {
      code: 'ExpiredTokenException',
      message: 'The security token included in the request is expired',
    });
    const expired = await api()
      .describeTrails()
      .then(
        () => undefined,
        (x: unknown) => x,
      );
    assert.equal(explainAwsError(expired, { profile: 'unit', region: 'us-east-1', sso: true }).action, 'ssoLogin');
  });

  test('insight events are asked for with the insight category', async () => {
    const it = api().lookupPages(NO_FILTER, true);
    await it.next();
    assert.equal(fake.requests.filter((r) => r.operation === 'LookupEvents').pop()!.body.EventCategory, 'insight');
  });

  test('requests are signed with the profile\u2019s key for the region asked', async () => {
    await api('eu-west-1').describeTrails();
    const r = fake.requests.filter((x) => x.operation === 'DescribeTrails').pop()!;
    assert.equal(r.region, 'eu-west-1');
    assert.match(r.authorization, /Credential=AKIDUNITTEST\//);
  });
});
