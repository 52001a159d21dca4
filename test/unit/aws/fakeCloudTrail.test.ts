/**
 * The fake CloudTrail endpoint answers the real AWS SDK v3 client the way AWS does: trails,
 * selectors, LookupEvents paging and filters over real sample events, and injected errors, delays
 * and throttling surfacing as the SDK's own exceptions.
 */
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloudTrailClient,
  CloudTrailServiceException,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetInsightSelectorsCommand,
  GetTrailStatusCommand,
  ListTrailsCommand,
  LookupEventsCommand,
  ThrottlingException,
  paginateLookupEvents,
  type LookupAttribute,
  type LookupEventsCommandInput,
  type Event as LookupEvent,
} from '@aws-sdk/client-cloudtrail';
import { startFakeCloudTrail, type FakeCloudTrail, type FakeTrail } from '../../support/fakeCloudTrail';
import { samplesDir } from '../../builders/events';

type Rec = Record<string, unknown>;
const ACCOUNT = '123837392027';
const ORG_TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-trail`;
const LOCAL_TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/local-trail`;

function trail(name: string, arn: string, multiRegion: boolean): FakeTrail {
  return {
    Name: name,
    TrailARN: arn,
    HomeRegion: 'us-east-1',
    IsMultiRegionTrail: multiRegion,
    IsOrganizationTrail: false,
    S3BucketName: `${name}-logs`,
    LogFileValidationEnabled: true,
    HasCustomEventSelectors: false,
    HasInsightSelectors: name === 'org-trail',
    IncludeGlobalServiceEvents: true,
  };
}

/** The first 300 real events of the invictus-ir dataset, in file order. */
function sampleEvents(): Rec[] {
  const dir = join(samplesDir(), 'invictus-ir_aws_dataset', 'CloudTrail');
  const records: Rec[] = [];
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    records.push(...(JSON.parse(readFileSync(join(dir, f), 'utf8')) as { Records: Rec[] }).Records);
  }
  assert.equal(records.length, 2900);
  return records.slice(0, 300);
}

/** Insights events carry no identity; the dataset has none, so two are made here. */
function insightEvent(n: number): Rec {
  return {
    eventVersion: '1.08',
    eventTime: `2023-07-10T12:0${n}:00Z`,
    awsRegion: 'us-east-1',
    eventID: `insight-${n}`,
    eventType: 'AwsCloudTrailInsight',
    eventCategory: 'Insight',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'RunInstances',
    recipientAccountId: ACCOUNT,
    sharedEventID: `shared-${n}`,
    insightDetails: { state: n === 1 ? 'Start' : 'End' },
  };
}

const ident = (e: Rec): Rec => (e.userIdentity ?? {}) as Rec;
const epoch = (e: Rec): number => Date.parse(String(e.eventTime)) / 1000;
const idsOf = (events: Rec[]): string[] => events.map((e) => String(e.eventID)).sort();
const returnedIds = (events: LookupEvent[]): string[] => events.map((e) => String(e.EventId)).sort();

describe('fake CloudTrail endpoint with the real AWS SDK', () => {
  let fake: FakeCloudTrail;
  let samples: Rec[];
  const clients: CloudTrailClient[] = [];
  /** A client that never retries (unless asked) and signs with a fake key, as the extension's tests should. */
  const client = (region = 'us-east-1', extra: { maxAttempts?: number } = { maxAttempts: 1 }): CloudTrailClient => {
    const c = new CloudTrailClient({
      endpoint: fake.url,
      region,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
      ...extra,
    });
    clients.push(c);
    return c;
  };
  /** Every event LookupEvents returns for this input, following NextToken by hand. */
  async function lookupAll(input: LookupEventsCommandInput, region = 'us-east-1'): Promise<LookupEvent[]> {
    const c = client(region);
    const out: LookupEvent[] = [];
    let token: string | undefined;
    do {
      const page = await c.send(new LookupEventsCommand({ ...input, NextToken: token }));
      out.push(...(page.Events ?? []));
      token = page.NextToken;
    } while (token);
    return out;
  }
  const lookupBy = (AttributeKey: LookupAttribute['AttributeKey'], AttributeValue: string): Promise<LookupEvent[]> =>
    lookupAll({ LookupAttributes: [{ AttributeKey, AttributeValue }] });

  before(async () => {
    samples = sampleEvents();
    fake = await startFakeCloudTrail({
      events: [...samples, insightEvent(1), insightEvent(2)],
      trails: {
        'us-east-1': [trail('org-trail', ORG_TRAIL_ARN, true), trail('local-trail', LOCAL_TRAIL_ARN, false)],
        'eu-west-1': [trail('org-trail', ORG_TRAIL_ARN, true)], // the shadow of the multi-region trail
      },
      status: {
        'local-trail': {
          IsLogging: false,
          LatestDeliveryTime: new Date('2024-01-02T03:04:05Z'),
          LatestDeliveryError: 'AccessDenied',
        },
      },
      eventSelectors: {
        [LOCAL_TRAIL_ARN]: {
          TrailARN: LOCAL_TRAIL_ARN,
          AdvancedEventSelectors: [
            { Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
          ],
        },
      },
      insightSelectors: {
        [ORG_TRAIL_ARN]: { TrailARN: ORG_TRAIL_ARN, InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }] },
      },
    });
  });
  beforeEach(() => fake.reset());
  after(async () => {
    for (const c of clients) c.destroy();
    await fake.close();
  });

  test('DescribeTrails lists home trails and, by default, shadow trails of multi-region trails', async () => {
    const home = await client('us-east-1').send(new DescribeTrailsCommand({}));
    assert.deepEqual(
      home.trailList?.map((t) => t.Name),
      ['org-trail', 'local-trail'],
    );
    const shadow = await client('eu-west-1').send(new DescribeTrailsCommand({}));
    assert.equal(shadow.trailList?.length, 1);
    assert.equal(shadow.trailList?.[0].TrailARN, ORG_TRAIL_ARN);
    assert.equal(shadow.trailList?.[0].HomeRegion, 'us-east-1');
    const noShadows = await client('eu-west-1').send(new DescribeTrailsCommand({ includeShadowTrails: false }));
    assert.deepEqual(noShadows.trailList, []);
    const named = await client('us-east-1').send(new DescribeTrailsCommand({ trailNameList: [LOCAL_TRAIL_ARN] }));
    assert.deepEqual(
      named.trailList?.map((t) => t.Name),
      ['local-trail'],
    );
  });

  test('ListTrails lists every trail once, with its home region', async () => {
    const r = await client('eu-west-1').send(new ListTrailsCommand({}));
    assert.deepEqual(r.Trails, [
      { TrailARN: ORG_TRAIL_ARN, Name: 'org-trail', HomeRegion: 'us-east-1' },
      { TrailARN: LOCAL_TRAIL_ARN, Name: 'local-trail', HomeRegion: 'us-east-1' },
    ]);
  });

  test('GetTrailStatus: default and configured status, timestamps as Dates, shadow trails only by ARN', async () => {
    const c = client('us-east-1');
    const def = await c.send(new GetTrailStatusCommand({ Name: 'org-trail' }));
    assert.equal(def.IsLogging, true);
    assert.ok(def.LatestDeliveryTime instanceof Date && Date.now() - def.LatestDeliveryTime.getTime() < 3600_000);
    const set = await c.send(new GetTrailStatusCommand({ Name: LOCAL_TRAIL_ARN }));
    assert.equal(set.IsLogging, false);
    assert.equal(set.LatestDeliveryTime?.toISOString(), '2024-01-02T03:04:05.000Z');
    assert.equal(set.LatestDeliveryError, 'AccessDenied');

    const eu = client('eu-west-1');
    assert.equal((await eu.send(new GetTrailStatusCommand({ Name: ORG_TRAIL_ARN }))).IsLogging, true);
    await assert.rejects(eu.send(new GetTrailStatusCommand({ Name: 'org-trail' })), { name: 'TrailNotFoundException' });
    await assert.rejects(c.send(new GetTrailStatusCommand({ Name: 'nope' })), { name: 'TrailNotFoundException' });
  });

  test('GetEventSelectors and GetInsightSelectors, InsightNotEnabledException without insights', async () => {
    const c = client('us-east-1');
    const def = await c.send(new GetEventSelectorsCommand({ TrailName: 'org-trail' }));
    assert.equal(def.TrailARN, ORG_TRAIL_ARN);
    assert.deepEqual(def.EventSelectors?.[0], {
      ReadWriteType: 'All',
      IncludeManagementEvents: true,
      DataResources: [],
      ExcludeManagementEventSources: [],
    });
    const adv = await c.send(new GetEventSelectorsCommand({ TrailName: 'local-trail' }));
    assert.equal(adv.AdvancedEventSelectors?.[0].FieldSelectors?.[0].Equals?.[0], 'Management');

    const insights = await c.send(new GetInsightSelectorsCommand({ TrailName: ORG_TRAIL_ARN }));
    assert.deepEqual(insights.InsightSelectors, [{ InsightType: 'ApiCallRateInsight' }]);
    await assert.rejects(c.send(new GetInsightSelectorsCommand({ TrailName: 'local-trail' })), (err: Error) => {
      assert.equal(err.name, 'InsightNotEnabledException');
      assert.ok(err instanceof CloudTrailServiceException);
      return true;
    });
  });

  test('LookupEvents pages through all management events, newest first, with NextToken', async () => {
    const all = await lookupAll({});
    assert.equal(fake.requests.length, 6, '300 events in pages of 50');
    assert.deepEqual(returnedIds(all), idsOf(samples));
    for (let i = 1; i < all.length; i++)
      assert.ok(all[i - 1].EventTime!.getTime() >= all[i].EventTime!.getTime(), 'newest first');
    const first = all[0];
    const original = samples.find((e) => e.eventID === first.EventId)!;
    assert.deepEqual(JSON.parse(first.CloudTrailEvent!), original);
    assert.equal(first.EventTime?.getTime(), Date.parse(String(original.eventTime)));
    assert.equal(first.ReadOnly, String(original.readOnly));
    assert.equal(first.EventName, original.eventName);

    // The SDK's own paginator follows the same tokens; MaxResults caps the page.
    let pages = 0;
    for await (const page of paginateLookupEvents({ client: client(), pageSize: 40 }, {})) {
      pages++;
      assert.ok((page.Events?.length ?? 0) <= 40);
    }
    assert.equal(pages, 8);
  });

  test('LookupEvents filters by each lookup attribute', async () => {
    const expectBy = async (key: LookupAttribute['AttributeKey'], value: string, expected: Rec[]): Promise<void> => {
      assert.ok(expected.length > 0, `${key}=${value} matches some sample events`);
      assert.deepEqual(returnedIds(await lookupBy(key, value)), idsOf(expected), `${key}=${value}`);
    };
    const s = samples;
    await expectBy('EventId', String(s[10].eventID), [s[10]]);
    await expectBy(
      'EventName',
      String(s[0].eventName),
      s.filter((e) => e.eventName === s[0].eventName),
    );
    await expectBy(
      'ReadOnly',
      'false',
      s.filter((e) => e.readOnly === false),
    );
    await expectBy(
      'EventSource',
      's3.amazonaws.com',
      s.filter((e) => e.eventSource === 's3.amazonaws.com'),
    );
    const key = String(ident(s[0]).accessKeyId);
    await expectBy(
      'AccessKeyId',
      key,
      s.filter((e) => ident(e).accessKeyId === key),
    );
    await expectBy(
      'Username',
      'benjamin',
      s.filter((e) => ident(e).userName === 'benjamin'),
    );
    // An assumed role's Username is its session name (the last part of the assumed-role ARN).
    const role = s.find((e) => ident(e).type === 'AssumedRole')!;
    const session = String(ident(role).arn).split('/').pop()!;
    await expectBy(
      'Username',
      session,
      s.filter((e) => ident(e).type === 'AssumedRole' && String(ident(e).arn).endsWith(`/${session}`)),
    );
    // Resources come from the event's resources[] and from parameters such as bucketName.
    const kmsKey = String(
      (s.find((e) => JSON.stringify(e.resources ?? []).includes('AWS::KMS::Key'))!.resources as Rec[])[0].ARN,
    );
    await expectBy(
      'ResourceName',
      kmsKey,
      s.filter((e) => ((e.resources ?? []) as Rec[]).some((r) => r.ARN === kmsKey)),
    );
    const bucketEvents = s.filter(
      (e) =>
        ((e.resources ?? []) as Rec[]).some((r) => r.type === 'AWS::S3::Bucket') ||
        (e.requestParameters as Rec | null)?.bucketName,
    );
    await expectBy('ResourceType', 'AWS::S3::Bucket', bucketEvents);
    const bucket = 'config-bucket-123837392027';
    assert.ok(
      (await lookupBy('ResourceName', bucket)).every((e) =>
        e.Resources?.some((r) => r.ResourceType === 'AWS::S3::Bucket' && r.ResourceName === bucket),
      ),
    );

    assert.deepEqual(await lookupBy('EventName', 'NoSuchEvent'), []);
    await assert.rejects(
      client().send(
        new LookupEventsCommand({
          LookupAttributes: [
            { AttributeKey: 'EventName', AttributeValue: 'a' },
            { AttributeKey: 'Username', AttributeValue: 'b' },
          ],
        }),
      ),
      { name: 'InvalidLookupAttributesException' },
    );
  });

  test('LookupEvents time range is inclusive; the SDK sends Dates as epoch seconds', async () => {
    const times = [...new Set(samples.map(epoch))].sort((a, b) => a - b);
    const [start, end] = [times[5], times[20]];
    const got = await lookupAll({ StartTime: new Date(start * 1000), EndTime: new Date(end * 1000) });
    assert.deepEqual(returnedIds(got), idsOf(samples.filter((e) => epoch(e) >= start && epoch(e) <= end)));
    assert.equal(fake.requests[0].body.StartTime, start, 'epoch seconds, as a JSON number');
    await assert.rejects(
      client().send(new LookupEventsCommand({ StartTime: new Date(end * 1000), EndTime: new Date(start * 1000) })),
      { name: 'InvalidTimeRangeException' },
    );
  });

  test("LookupEvents EventCategory 'insight' returns only Insights events", async () => {
    const got = await lookupAll({ EventCategory: 'insight' });
    assert.deepEqual(
      got.map((e) => e.EventId),
      ['insight-2', 'insight-1'],
    );
    assert.ok(!(await lookupBy('EventName', 'RunInstances')).some((e) => e.EventId?.startsWith('insight-')));
  });

  test('a NextToken from another query is refused with InvalidNextTokenException', async () => {
    const c = client();
    const page = await c.send(new LookupEventsCommand({ MaxResults: 5 }));
    assert.ok(page.NextToken);
    await assert.rejects(
      c.send(
        new LookupEventsCommand({
          MaxResults: 5,
          NextToken: page.NextToken,
          LookupAttributes: [{ AttributeKey: 'ReadOnly', AttributeValue: 'true' }],
        }),
      ),
      { name: 'InvalidNextTokenException' },
    );
    await assert.rejects(c.send(new LookupEventsCommand({ NextToken: 'garbage' })), {
      name: 'InvalidNextTokenException',
    });
    await assert.rejects(
      client('eu-west-1').send(new LookupEventsCommand({ NextToken: page.NextToken })),
      { name: 'InvalidNextTokenException' },
      'tokens are per region',
    );
  });

  test('failNext surfaces as the SDK exception with its name and HTTP status', async () => {
    const c = client();
    fake.failNext('LookupEvents', { code: 'ThrottlingException', message: 'Rate exceeded' });
    await assert.rejects(c.send(new LookupEventsCommand({})), (err: ThrottlingException) => {
      assert.equal(err.name, 'ThrottlingException');
      assert.ok(err instanceof ThrottlingException);
      assert.equal(err.message, 'Rate exceeded');
      assert.equal(err.$metadata.httpStatusCode, 400);
      return true;
    });
    await c.send(new LookupEventsCommand({ MaxResults: 1 })); // only the next call failed

    fake.failNext('*', { code: 'InternalFailure', message: 'boom' }, 2);
    for (const call of [() => c.send(new ListTrailsCommand({})), () => c.send(new DescribeTrailsCommand({}))]) {
      await assert.rejects(
        call(),
        (err: CloudTrailServiceException) =>
          err.name === 'InternalFailure' && err.$metadata.httpStatusCode === 500 && err.$fault === 'server',
      );
    }
    // Codes CloudTrail's model does not list still arrive as err.name.
    for (const code of ['AccessDeniedException', 'UnrecognizedClientException', 'ExpiredTokenException']) {
      fake.failNext('ListTrails', { code, message: code });
      await assert.rejects(
        c.send(new ListTrailsCommand({})),
        (err: CloudTrailServiceException) => err.name === code && err.$metadata.httpStatusCode === 400,
      );
    }
    await c.send(new ListTrailsCommand({}));
  });

  test('with default maxAttempts (3) the SDK retries ThrottlingException itself', async () => {
    fake.failNext('ListTrails', { code: 'ThrottlingException', message: 'Rate exceeded' }, 2);
    const r = await client('us-east-1', {}).send(new ListTrailsCommand({}));
    assert.equal(r.$metadata.attempts, 3);
    assert.equal(fake.requests.length, 3);
  });

  test('delay holds responses of one operation; an aborted request leaves the server working', async () => {
    const c = client();
    fake.delay('ListTrails', 300);
    let t0 = Date.now();
    await c.send(new ListTrailsCommand({}));
    assert.ok(Date.now() - t0 >= 280, 'delayed');
    t0 = Date.now();
    await c.send(new DescribeTrailsCommand({}));
    assert.ok(Date.now() - t0 < 250, 'other operations are not delayed');
    await assert.rejects(c.send(new ListTrailsCommand({}), { abortSignal: AbortSignal.timeout(50) }), {
      name: 'AbortError',
    });
    fake.delay('ListTrails', 0);
    t0 = Date.now();
    await c.send(new ListTrailsCommand({}));
    assert.ok(Date.now() - t0 < 250, 'delay removed');
  });

  test('rateLimit throttles LookupEvents per region per second', async () => {
    fake.rateLimit(2);
    const east = client('us-east-1');
    await east.send(new LookupEventsCommand({ MaxResults: 1 }));
    await east.send(new LookupEventsCommand({ MaxResults: 1 }));
    await assert.rejects(east.send(new LookupEventsCommand({ MaxResults: 1 })), { name: 'ThrottlingException' });
    await east.send(new ListTrailsCommand({})); // other operations are not limited
    await client('eu-west-1').send(new LookupEventsCommand({ MaxResults: 1 })); // nor other regions
    await new Promise((r) => setTimeout(r, 1050));
    await east.send(new LookupEventsCommand({ MaxResults: 1 }));
    fake.rateLimit(undefined);
    for (let i = 0; i < 5; i++) await east.send(new LookupEventsCommand({ MaxResults: 1 }));
  });

  test('requests are recorded with the region and access key from the SigV4 signature', async () => {
    await client('ap-southeast-2').send(new DescribeTrailsCommand({ includeShadowTrails: false }));
    assert.equal(fake.requests.length, 1);
    const [r] = fake.requests;
    assert.equal(r.operation, 'DescribeTrails');
    assert.equal(r.region, 'ap-southeast-2');
    assert.match(
      r.authorization,
      /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/ap-southeast-2\/cloudtrail\/aws4_request/,
    );
    assert.deepEqual(r.body, { includeShadowTrails: false });
    fake.reset();
    assert.equal(fake.requests.length, 0);
  });

  test('an unknown operation answers 400 UnknownOperationException', async () => {
    const res = await fetch(fake.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'CloudTrail_20131101.StartLoggingEverywhere',
        authorization: 'AWS4-HMAC-SHA256 Credential=AKIDTEST/20240101/us-east-1/cloudtrail/aws4_request',
      },
      body: '{}',
    });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('x-amzn-errortype'), 'UnknownOperationException');
    assert.equal(((await res.json()) as Rec).__type, 'UnknownOperationException');
  });
});
