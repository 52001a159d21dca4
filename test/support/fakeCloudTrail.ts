/**
 * A local fake of the AWS CloudTrail API (AWS JSON 1.1 protocol) so tests can drive the real
 * AWS SDK v3 `CloudTrailClient` (`endpoint: fake.url`) without ever reaching AWS. Signatures are
 * not checked; the region is read from the SigV4 credential scope, because that is the only place
 * a request to a custom endpoint still names it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { AwsError, bodyText, InjectedFailures, listenLocal, outcome, sendJson } from './jsonProtocol';

/** The SDK sends `CloudTrail_20131101.<Operation>`; AWS's API reference shows the namespaced form. Both are accepted. */
const TARGET = /^(?:com\.amazonaws\.cloudtrail\.v20131101\.)?CloudTrail_20131101\.(\w+)$/;
const LOOKUP_KEYS = [
  'EventId',
  'EventName',
  'ReadOnly',
  'Username',
  'ResourceType',
  'ResourceName',
  'EventSource',
  'AccessKeyId',
] as const;
type LookupKey = (typeof LOOKUP_KEYS)[number];
type Body = Record<string, unknown>;

/** One entry of DescribeTrails' `trailList`. */
export interface FakeTrail {
  Name: string;
  TrailARN: string;
  HomeRegion: string;
  IsMultiRegionTrail: boolean;
  IsOrganizationTrail: boolean;
  S3BucketName: string;
  S3KeyPrefix?: string;
  LogFileValidationEnabled: boolean;
  KmsKeyId?: string;
  CloudWatchLogsLogGroupArn?: string;
  SnsTopicARN?: string;
  HasCustomEventSelectors: boolean;
  HasInsightSelectors: boolean;
  IncludeGlobalServiceEvents: boolean;
}

/** What the fake serves. Events are indexed when the server starts; later changes to `events` are not seen. */
export interface FakeCloudTrailOptions {
  /** Events as CloudTrail event objects (what goes in LookupEvents' CloudTrailEvent string). */
  events: Array<Record<string, unknown>>;
  /** Per region: trails visible there (a multi-region trail appears in other regions as a shadow trail: same TrailARN, HomeRegion differs from the region asked). */
  trails?: Record<string, FakeTrail[]>;
  /** GetTrailStatus response per TrailARN or Name (Date values are sent as epoch seconds). Default: logging, delivered 5 minutes ago. */
  status?: Record<string, Record<string, unknown>>;
  /** GetEventSelectors response per TrailARN or Name. Default: one selector for all management events. */
  eventSelectors?: Record<string, Record<string, unknown>>;
  /** GetInsightSelectors response per TrailARN or Name; a trail without one answers InsightNotEnabledException. */
  insightSelectors?: Record<string, Record<string, unknown>>;
  /** Largest LookupEvents page, default 50 (AWS's MaxResults cap); smaller values force paging in tests. */
  pageSize?: number;
  /** When true, LookupEvents in region R only returns events whose awsRegion is R, as CloudTrail's event history does. Default false: every region sees every event. */
  regionalEvents?: boolean;
  /** ListPublicKeys' keys (any region): Value is base64 DER PKCS#1, as the JSON protocol sends blobs. */
  publicKeys?: Array<{ Value: string; Fingerprint: string; ValidityStartTime: Date; ValidityEndTime: Date }>;
}

/** One request as received, recorded before any injected failure, delay or throttling applies. */
export interface RecordedRequest {
  operation: string;
  /** From the SigV4 credential scope; '' when the request was not signed. */
  region: string;
  time: number;
  body: Record<string, unknown>;
  /** Raw Authorization header value, so tests can check the access key id used. */
  authorization: string;
}

/** A running fake; see {@link startFakeCloudTrail}. */
export interface FakeCloudTrail {
  /** http://127.0.0.1:PORT, for the client's `endpoint`. */
  url: string;
  /** Every request so far, oldest first (the same array for the server's lifetime). */
  requests: RecordedRequest[];
  /** Next `times` (default 1) calls of `operation` (or '*') answer with this AWS error; status defaults to 500 for InternalFailure, 503 for ServiceUnavailable, else 400. */
  failNext(operation: string, error: { code: string; message: string; status?: number }, times?: number): void;
  /** Delay every response of `operation` (or '*') by ms (to test timeouts / hangs); 0 removes the delay. */
  delay(operation: string, ms: number): void;
  /** Enforce a rate limit like AWS: more than `perSecond` LookupEvents calls in any 1 s window per region answer ThrottlingException. Off by default; undefined turns it off. */
  rateLimit(perSecond: number | undefined): void;
  /** Back to as started: clears failures, delays, the rate limit and the recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

/** An event with everything LookupEvents filters on worked out once. */
interface IndexedEvent {
  time: number;
  region: unknown;
  insight: boolean;
  attrs: Record<LookupKey, string[]>;
  summary: Body;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const obj = (v: unknown): Body => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Body) : {});
const lastSegment = (arn: string | undefined): string | undefined => arn?.slice(arn.lastIndexOf('/') + 1) || undefined;

/**
 * LookupEvents' Username: the IAM user name, 'root', or for roles and federated users the
 * session name (the last ARN segment), which is what the console's event history shows.
 */
function usernameOf(identity: Body): string | undefined {
  const arn = str(identity.arn);
  if (str(identity.userName)) return str(identity.userName);
  if (identity.type === 'Root') return 'root';
  if (identity.type === 'AssumedRole' || identity.type === 'FederatedUser') return lastSegment(arn);
  return str(obj(obj(identity.sessionContext).sessionIssuer).userName) ?? lastSegment(arn);
}

/** Request parameters that name a resource; CloudTrail derives its Resources list in a similar (richer) way. */
const PARAM_RESOURCES: Array<[param: string, type: string, onlySource?: string]> = [
  ['bucketName', 'AWS::S3::Bucket'],
  ['instanceId', 'AWS::EC2::Instance'],
  ['volumeId', 'AWS::EC2::Volume'],
  ['vpcId', 'AWS::EC2::VPC'],
  ['groupId', 'AWS::EC2::SecurityGroup', 'ec2.amazonaws.com'],
  ['userName', 'AWS::IAM::User', 'iam.amazonaws.com'],
  ['roleName', 'AWS::IAM::Role', 'iam.amazonaws.com'],
  ['groupName', 'AWS::IAM::Group', 'iam.amazonaws.com'],
  ['policyArn', 'AWS::IAM::Policy'],
  ['functionName', 'AWS::Lambda::Function'],
  ['dBInstanceIdentifier', 'AWS::RDS::DBInstance'],
  ['secretId', 'AWS::SecretsManager::Secret'],
  ['keyId', 'AWS::KMS::Key'],
  ['name', 'AWS::SSM::Parameter', 'ssm.amazonaws.com'],
  ['name', 'AWS::CloudTrail::Trail', 'cloudtrail.amazonaws.com'],
  ['trailName', 'AWS::CloudTrail::Trail'],
  ['logGroupName', 'AWS::Logs::LogGroup'],
];

function resourcesOf(e: Body): Array<{ ResourceType: string; ResourceName: string }> {
  const found = new Map<string, { ResourceType: string; ResourceName: string }>();
  const add = (type: unknown, name: unknown): void => {
    const t = str(type);
    const n = str(name);
    if (t && n) found.set(`${t}\n${n}`, { ResourceType: t, ResourceName: n });
  };
  for (const r of Array.isArray(e.resources) ? e.resources : []) add(obj(r).type, obj(r).ARN);
  const params = obj(e.requestParameters);
  for (const [param, type, onlySource] of PARAM_RESOURCES)
    if (!onlySource || onlySource === e.eventSource) add(type, params[param]);
  // EC2 names instances in instancesSet.items, in the request (Stop/Terminate) or response (RunInstances).
  for (const holder of [params, obj(e.responseElements)]) {
    const items = obj(holder.instancesSet).items;
    for (const item of Array.isArray(items) ? items : []) add('AWS::EC2::Instance', obj(item).instanceId);
  }
  return [...found.values()];
}

function indexEvent(e: Body): IndexedEvent {
  const identity = obj(e.userIdentity);
  const resources = resourcesOf(e);
  const summary: Body = {
    EventId: str(e.eventID),
    EventName: str(e.eventName),
    ReadOnly: typeof e.readOnly === 'boolean' || typeof e.readOnly === 'string' ? String(e.readOnly) : undefined,
    AccessKeyId: str(identity.accessKeyId),
    EventTime: (Date.parse(String(e.eventTime)) || 0) / 1000, // 0 keeps the sort sane for an event with no time
    EventSource: str(e.eventSource),
    Username: usernameOf(identity),
    Resources: resources,
    CloudTrailEvent: JSON.stringify(e),
  };
  const one = (k: string): string[] => (typeof summary[k] === 'string' ? [summary[k]] : []);
  return {
    time: summary.EventTime as number,
    region: e.awsRegion,
    insight: e.eventCategory === 'Insight' || e.eventType === 'AwsCloudTrailInsight',
    summary,
    attrs: {
      EventId: one('EventId'),
      EventName: one('EventName'),
      ReadOnly: one('ReadOnly'),
      Username: one('Username'),
      EventSource: one('EventSource'),
      AccessKeyId: one('AccessKeyId'),
      ResourceType: resources.map((r) => r.ResourceType),
      ResourceName: resources.map((r) => r.ResourceName),
    },
  };
}

/** Epoch seconds from what the SDK sends (a number), or an ISO string from hand-made requests. */
function epochSeconds(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : Date.parse(String(v)) / 1000;
  if (Number.isNaN(n)) throw new AwsError('SerializationException', `${field} is not a timestamp`);
  return n;
}

/** Start the fake on 127.0.0.1 on a free port. Close it with `close()`. */
export async function startFakeCloudTrail(opts: FakeCloudTrailOptions): Promise<FakeCloudTrail> {
  // Newest first, as LookupEvents answers; sort is stable, so ties keep the given order.
  const events = opts.events.map(indexEvent).sort((a, b) => b.time - a.time);
  const pageCap = Math.max(1, Math.min(50, opts.pageSize ?? 50));
  const requests: RecordedRequest[] = [];
  const failures = new InjectedFailures((code) =>
    code === 'InternalFailure' ? 500 : code === 'ServiceUnavailable' ? 503 : 400,
  );
  const delays = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  let perSecond: number | undefined;
  const lookupTimes = new Map<string, number[]>(); // region → times of accepted LookupEvents calls

  const trailsIn = (region: string): FakeTrail[] => opts.trails?.[region] ?? [];
  const byTrail = <T>(map: Record<string, T> | undefined, t: FakeTrail): T | undefined =>
    map?.[t.TrailARN] ?? map?.[t.Name];
  /** AWS only finds a shadow trail by its ARN (documented for GetTrailStatus); by name it finds home trails. */
  const findTrail = (region: string, id: unknown, shadowByArnOnly: boolean): FakeTrail => {
    if (!str(id)) throw new AwsError('InvalidTrailNameException', 'Trail name or ARN can not be empty.');
    const t = trailsIn(region).find(
      (x) => x.TrailARN === id || (x.Name === id && (x.HomeRegion === region || !shadowByArnOnly)),
    );
    if (!t) throw new AwsError('TrailNotFoundException', `Unknown trail: ${String(id)} for the user: 111122223333`);
    return t;
  };

  function lookupEvents(body: Body, region: string): Body {
    const attrs = Array.isArray(body.LookupAttributes) ? (body.LookupAttributes as Body[]) : [];
    if (attrs.length > 1)
      throw new AwsError('InvalidLookupAttributesException', 'You cannot specify more than one lookup attribute.');
    const attr = attrs[0];
    if (attr && !LOOKUP_KEYS.includes(attr.AttributeKey as LookupKey))
      throw new AwsError('InvalidLookupAttributesException', `Invalid attribute key: ${String(attr.AttributeKey)}`);
    const start = epochSeconds(body.StartTime, 'StartTime');
    const end = epochSeconds(body.EndTime, 'EndTime');
    if (start !== undefined && end !== undefined && start > end)
      throw new AwsError('InvalidTimeRangeException', 'Start time must be before end time.');
    if (body.EventCategory !== undefined && body.EventCategory !== 'insight')
      throw new AwsError('InvalidEventCategoryException', 'Event category must be insight.');
    const max = body.MaxResults ?? 50;
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 50)
      throw new AwsError('InvalidMaxResultsException', 'MaxResults must be between 1 and 50.');

    // The token carries a hash of the filter so a token from another query is refused, as AWS does.
    const filterHash = createHash('sha256')
      .update(JSON.stringify([attr?.AttributeKey, attr?.AttributeValue, start, end, body.EventCategory, region]))
      .digest('hex')
      .slice(0, 16);
    let offset = 0;
    if (body.NextToken !== undefined) {
      let parsed: { o?: unknown; f?: unknown } = {};
      try {
        parsed = obj(JSON.parse(Buffer.from(String(body.NextToken), 'base64url').toString('utf8')));
      } catch {
        /* refused below */
      }
      if (parsed.f !== filterHash || typeof parsed.o !== 'number')
        throw new AwsError('InvalidNextTokenException', 'Invalid NextToken.');
      offset = parsed.o;
    }
    const wantInsight = body.EventCategory === 'insight';
    const matching = events.filter(
      (e) =>
        e.insight === wantInsight &&
        (!opts.regionalEvents || e.region === region) &&
        (start === undefined || e.time >= start) &&
        (end === undefined || e.time <= end) &&
        (!attr || e.attrs[attr.AttributeKey as LookupKey].includes(String(attr.AttributeValue))),
    );
    const size = Math.min(max, pageCap);
    const next =
      offset + size < matching.length
        ? Buffer.from(JSON.stringify({ o: offset + size, f: filterHash })).toString('base64url')
        : undefined;
    return { Events: matching.slice(offset, offset + size).map((e) => e.summary), NextToken: next };
  }

  const handlers: Record<string, (body: Body, region: string) => unknown> = {
    DescribeTrails: (body, region) => {
      const names = Array.isArray(body.trailNameList) ? (body.trailNameList as unknown[]) : [];
      return {
        trailList: trailsIn(region).filter(
          (t) =>
            (names.length === 0 || names.includes(t.Name) || names.includes(t.TrailARN)) &&
            (body.includeShadowTrails !== false || t.HomeRegion === region),
        ),
      };
    },
    // ListTrails lists the account's trails in every region, once each.
    ListTrails: () => {
      const all = new Map<string, Body>();
      for (const list of Object.values(opts.trails ?? {}))
        for (const t of list) all.set(t.TrailARN, { TrailARN: t.TrailARN, Name: t.Name, HomeRegion: t.HomeRegion });
      return { Trails: [...all.values()] };
    },
    GetTrailStatus: (body, region) => {
      const t = findTrail(region, body.Name, true);
      const now = Math.floor(Date.now() / 1000);
      const iso = (s: number): string => new Date(s * 1000).toISOString().replace('.000Z', 'Z');
      return (
        byTrail(opts.status, t) ?? {
          IsLogging: true,
          LatestDeliveryTime: now - 300,
          LatestDigestDeliveryTime: now - 3600,
          StartLoggingTime: now - 30 * 86400,
          LatestDeliveryAttemptTime: iso(now - 300),
          LatestDeliveryAttemptSucceeded: iso(now - 300),
          TimeLoggingStarted: iso(now - 30 * 86400),
        }
      );
    },
    GetEventSelectors: (body, region) => {
      const t = findTrail(region, body.TrailName, false);
      return (
        byTrail(opts.eventSelectors, t) ?? {
          TrailARN: t.TrailARN,
          EventSelectors: [
            {
              ReadWriteType: 'All',
              IncludeManagementEvents: true,
              DataResources: [],
              ExcludeManagementEventSources: [],
            },
          ],
        }
      );
    },
    GetInsightSelectors: (body, region) => {
      const t = findTrail(region, body.TrailName, false);
      const found = byTrail(opts.insightSelectors, t);
      if (!found)
        throw new AwsError(
          'InsightNotEnabledException',
          `Trail ${t.TrailARN} does not have Insights enabled. Enable Insights on the trail, and then try again.`,
        );
      return found;
    },
    LookupEvents: lookupEvents,
    // Keys whose validity overlaps [StartTime, EndTime], as AWS filters them.
    ListPublicKeys: (body) => {
      const start = epochSeconds(body.StartTime, 'StartTime') ?? 0;
      const end = epochSeconds(body.EndTime, 'EndTime') ?? Date.now() / 1000;
      return {
        PublicKeyList: (opts.publicKeys ?? []).filter(
          (k) => k.ValidityStartTime.getTime() / 1000 <= end && k.ValidityEndTime.getTime() / 1000 >= start,
        ),
      };
    },
  };

  /** The outcome is decided when the request arrives (as AWS throttles on arrival); only sending waits for a delay. */
  function answer(
    operation: string,
    region: string,
    body: Body | undefined,
  ): { status: number; payload: unknown; code?: string } {
    return outcome(
      () => {
        failures.throwFor(operation);
        const handler = handlers[operation];
        if (!handler) throw new AwsError('UnknownOperationException', `Unknown operation ${operation}`);
        if (!region) throw new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token');
        if (!body) throw new AwsError('SerializationException', 'The request body is not valid JSON.');
        if (operation === 'LookupEvents' && perSecond !== undefined) {
          const now = Date.now();
          const recent = (lookupTimes.get(region) ?? []).filter((t) => now - t < 1000);
          lookupTimes.set(region, recent);
          if (recent.length >= perSecond) throw new AwsError('ThrottlingException', 'Rate exceeded');
          recent.push(now);
        }
        return handler(body, region);
      },
      (e) => new AwsError('InternalFailure', String(e), 500),
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await bodyText(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = TARGET.exec(target)?.[1] ?? target;
    const authorization = String(req.headers.authorization ?? '');
    const region = /Credential=[^/,]+\/\d{8}\/([^/,]+)\//.exec(authorization)?.[1] ?? '';
    let body: Body | undefined;
    try {
      body = text.trim() === '' ? {} : obj(JSON.parse(text));
    } catch {
      /* answered with SerializationException */
    }
    requests.push({ operation, region, time: Date.now(), body: body ?? {}, authorization });

    const reply = answer(operation, region, body);
    const wait = delays.get(operation) ?? delays.get('*') ?? 0;
    if (wait > 0)
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          timers.delete(t);
          resolve();
        }, wait);
        timers.add(t);
      });
    if (res.destroyed) return; // the client gave up (timeout / abort) while we waited
    // Dates in canned responses go out as epoch seconds, the JSON protocol's timestamp format.
    const json = JSON.stringify(reply.payload, function (this: Body, key, value: unknown) {
      return this[key] instanceof Date ? this[key].getTime() / 1000 : value;
    });
    sendJson(res, reply, json);
  }

  const server = await listenLocal(handle);

  return {
    url: server.url,
    requests,
    failNext(operation, error, times = 1) {
      failures.add(operation, error, times);
    },
    delay(operation, ms) {
      if (ms > 0) delays.set(operation, ms);
      else delays.delete(operation);
    },
    rateLimit(limit) {
      perSecond = limit;
      lookupTimes.clear();
    },
    reset() {
      failures.clear();
      delays.clear();
      perSecond = undefined;
      lookupTimes.clear();
      requests.length = 0; // keep the array: tests may hold `fake.requests`
    },
    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      return server.close();
    },
  };
}
