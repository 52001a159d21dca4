/**
 * The one record shape every source is normalized into (docs/architecture.md, "Records, store and search"). The columns people filter on
 * are lifted out as plain strings; everything else stays in `raw`, the event's own JSON text,
 * so unknown fields are never dropped.
 */
import { isObject, parseObject, str } from './json';
import { describePrincipal } from './principal';
import { parseEventTime } from './time';

export interface CtRecord {
  /** Event time in epoch milliseconds; NaN when the event carries no parseable time. */
  time: number;
  /** The time exactly as written in the event (kept for display when it is not ISO). */
  timeText: string;
  eventName: string;
  eventSource: string;
  awsRegion: string;
  sourceIp: string;
  userAgent: string;
  errorCode: string;
  errorMessage: string;
  eventId: string;
  eventType: string;
  eventCategory: string;
  /** 'true' | 'false' | '' (unknown: not every event says). */
  readOnly: string;
  account: string;
  /** `userIdentity.type`, or '' when the event has none. */
  identityType: string;
  /** A short readable principal name (see principal.ts). */
  principal: string;
  principalArn: string;
  accessKeyId: string;
  /** Resource ARNs and names the event touched (from `resources` and request parameters). */
  resources: string[];
  /** The original event as compact JSON text. */
  raw: string;
}

/** True when an object is shaped like a CloudTrail event record (not a wrapper around one). */
export function looksLikeEvent(o: Record<string, unknown>): boolean {
  return (
    typeof o.eventName === 'string' ||
    (typeof o.eventSource === 'string' && typeof o.eventVersion === 'string') ||
    (typeof o.eventVersion === 'string' && isObject(o.userIdentity))
  );
}

const RESOURCE_KEY = /(name|arn|id|ids|key|bucket)$/i;
const MAX_RESOURCES = 16;
const MAX_RESOURCE_LEN = 512;

/**
 * Collects the names of what an event acted on: `resources[].ARN` and the string values of
 * request-parameter keys that name things (bucketName, instanceId, roleArn, …), a few levels deep.
 */
function collectResources(ev: Record<string, unknown>): string[] {
  return resourcesOf(ev.resources, ev.requestParameters);
}

/** collectResources from an event's `resources` and `requestParameters` values (the scanner parses only these). */
export function resourcesOf(resources: unknown, requestParameters: unknown): string[] {
  const out = new Set<string>();
  const add = (v: unknown): void => {
    if (typeof v === 'string' && v.length > 0 && v.length <= MAX_RESOURCE_LEN && out.size < MAX_RESOURCES) out.add(v);
  };
  if (Array.isArray(resources)) {
    for (const r of resources) if (isObject(r)) add(r.ARN ?? r.arn ?? r.resourceName);
  }
  const walk = (node: unknown, depth: number): void => {
    if (out.size >= MAX_RESOURCES || depth > 4) return;
    if (Array.isArray(node)) {
      for (const item of node.slice(0, 20)) walk(item, depth + 1);
      return;
    }
    if (!isObject(node)) return;
    for (const [k, v] of Object.entries(node)) {
      if (typeof v === 'string') {
        if (RESOURCE_KEY.test(k) && k !== 'accessKeyId' && k !== 'requestId') add(v);
      } else if (Array.isArray(v) && RESOURCE_KEY.test(k)) {
        for (const item of v.slice(0, 20)) {
          if (typeof item === 'string') add(item);
          else walk(item, depth + 1);
        }
      } else {
        walk(v, depth + 1);
      }
    }
  };
  walk(requestParameters, 0);
  return [...out];
}

/**
 * Normalizes one CloudTrail event object. `raw` defaults to the object's JSON; pass the source
 * text when it is at hand (LookupEvents' `CloudTrailEvent` string) to keep it byte for byte.
 * Logstash-processed events carry their time in `@timestamp` instead of `eventTime`.
 */
export function normalizeEvent(ev: Record<string, unknown>, raw?: string): CtRecord {
  const ui = isObject(ev.userIdentity) ? ev.userIdentity : undefined;
  const who = describePrincipal(ui);
  const timeText = str(ev.eventTime) || str(ev['@timestamp']);
  const ro = ev.readOnly;
  return {
    time: parseEventTime(timeText),
    timeText,
    eventName: str(ev.eventName),
    eventSource: str(ev.eventSource),
    awsRegion: str(ev.awsRegion),
    sourceIp: str(ev.sourceIPAddress),
    userAgent: str(ev.userAgent),
    errorCode: str(ev.errorCode),
    errorMessage: str(ev.errorMessage),
    eventId: str(ev.eventID),
    eventType: str(ev.eventType),
    eventCategory: str(ev.eventCategory),
    readOnly: ro === true || ro === 'true' ? 'true' : ro === false || ro === 'false' ? 'false' : '',
    account: str(ev.recipientAccountId) || who.account,
    identityType: who.type,
    principal: who.name,
    principalArn: who.arn,
    accessKeyId: who.accessKeyId,
    resources: collectResources(ev),
    raw: raw ?? JSON.stringify(ev),
  };
}

/**
 * Turns any one element of a log source into a record, or undefined when it is not an event:
 * a plain event, an EventBridge envelope (`detail`), or a LookupEvents / Event-history row whose
 * `CloudTrailEvent` is a JSON string.
 */
export function normalizeAny(el: unknown, unwrap = true): CtRecord | undefined {
  if (!isObject(el)) return undefined;
  if (typeof el.CloudTrailEvent === 'string') return fromLookupRow(el);
  if (isObject(el.detail) && (typeof el['detail-type'] === 'string' || typeof el.source === 'string')) {
    return looksLikeEvent(el.detail) ? normalizeEvent(el.detail) : undefined;
  }
  if (looksLikeEvent(el)) return normalizeEvent(el);
  // SIEM and rule-test exports wrap the event: {"event": {...}, ...their own fields}.
  if (unwrap && isObject(el.event)) return normalizeAny(el.event, false);
  // Athena / Glue table exports lower-case every column name.
  if (typeof el.eventname === 'string') return normalizeEvent(recase(el), JSON.stringify(el));
  return undefined;
}

const CANONICAL = new Map(
  [
    'eventVersion',
    'userIdentity',
    'eventTime',
    'eventSource',
    'eventName',
    'awsRegion',
    'sourceIPAddress',
    'userAgent',
    'errorCode',
    'errorMessage',
    'requestParameters',
    'responseElements',
    'requestID',
    'eventID',
    'readOnly',
    'resources',
    'eventType',
    'recipientAccountId',
    'eventCategory',
    'managementEvent',
    'principalId',
    'accountId',
    'accessKeyId',
    'userName',
    'sessionContext',
    'sessionIssuer',
    'invokedBy',
    'attributes',
    'mfaAuthenticated',
    'creationDate',
    'webIdFederationData',
    'sourceIdentity',
    'onBehalfOf',
    'userId',
    'credentialId',
    'additionalEventData',
    'tlsDetails',
    'sharedEventID',
    'vpcEndpointId',
  ].map((k) => [k.toLowerCase(), k]),
);

/** Restores CloudTrail's camelCase names on an object whose keys were lower-cased (identity too). */
function recase(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    const name = CANONICAL.get(k) ?? k;
    // Only the identity objects are walked: request parameters keep the service's own names.
    out[name] =
      isObject(v) && (name === 'userIdentity' || name === 'sessionContext' || name === 'sessionIssuer') ? recase(v) : v;
  }
  return out;
}

function fromLookupRow(row: Record<string, unknown>): CtRecord | undefined {
  const text = row.CloudTrailEvent as string;
  const inner = parseObject(String(text));
  if (inner && looksLikeEvent(inner)) {
    const rec = normalizeEvent(inner, text);
    // The outer row's time has a zone offset even where the inner one is missing.
    if (Number.isNaN(rec.time)) {
      rec.timeText = str(row.EventTime);
      rec.time = parseEventTime(rec.timeText);
    }
    return rec;
  }
  // The inner JSON is unreadable: keep what the row itself says.
  if (typeof row.EventName !== 'string') return undefined;
  const rec = normalizeEvent({
    eventName: row.EventName,
    eventSource: row.EventSource,
    eventTime: row.EventTime,
    eventID: row.EventId,
    readOnly: row.ReadOnly,
    userIdentity: { userName: row.Username, accessKeyId: row.AccessKeyId },
  });
  rec.raw = JSON.stringify(row);
  return rec;
}
