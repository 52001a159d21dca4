/**
 * Least privilege from observed activity: an IAM policy allowing exactly the actions a set of
 * events (a principal's, a session's, the current results) called, on the resources the events
 * name (`resources[].ARN`), else "*". One statement per service and resource set, actions sorted.
 * Calls that were denied (AccessDenied, UnauthorizedOperation, …) are listed apart and granted
 * nothing; events that are no IAM action (sign-in, service events, GetCallerIdentity, …) are
 * listed with the reason. A draft: review before use — conditions, `iam:PassRole` implied by
 * launching things, and resources that events do not name are beyond what logs can show.
 *
 * Cost: rows are grouped by action through the columns; a raw event is parsed only for each
 * distinct (action, resource list) pair — a row whose resource column is empty names no
 * resource, and rows with the same resource values as one already read add nothing.
 */
import { isObject, str } from '../../model/json';
import { parseRaw } from '../../query/eventPath';
import type { EventStore } from '../../store/store';
import { iamActionOf, S3_OBJECT_ACTIONS } from './iamActions';

/** Error codes meaning "not authorized": the call never ran. */
export const DENIED_CODES: ReadonlySet<string> = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'Client.UnauthorizedOperation',
  'UnauthorizedAccess',
  'Unauthorized',
]);
/** Resources listed per action before they become "*" (S3 objects first fold to `bucket/*`). */
export const MAX_RESOURCES = 50;

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[] | '*';
}

export interface IamPolicy {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export interface DeniedCall {
  action: string;
  eventSource: string;
  eventName: string;
  count: number;
  errorCodes: string[];
}

export interface UnmappedCall {
  eventSource: string;
  eventName: string;
  count: number;
  reason: string;
}

export interface PolicyDraft {
  policy: IamPolicy;
  /** The policy as a JSON document (two-space indent), for opening in an editor. */
  json: string;
  denied: DeniedCall[];
  unmapped: UnmappedCall[];
  /** Why the draft is what it is (folded resources, second permissions, approximations). */
  notes: string[];
  /** Events the draft was made from, and how many raw events were read. */
  events: number;
  parsed: number;
}

interface ActionUse {
  action: string;
  /** Resource ARNs, or undefined once some call named none ("*"). */
  resources: Set<string> | undefined;
  /** Resource-column signatures already read. */
  seen: Set<string>;
}

/** The draft for `rows` (any order). */
export function draftPolicy(store: EventStore, rows: ArrayLike<number>): PolicyDraft {
  const sources = store.dictionary('eventSource').values;
  const names = store.dictionary('eventName').values;
  const errorValues = store.dictionary('errorCode').values;
  const apiCall = store.dictionary('eventType').idOf('AwsApiCall');
  const untyped = store.dictionary('eventType').idOf('');
  const notes = new Set<string>();
  const uses = new Map<string, ActionUse>();
  const denied = new Map<string, DeniedCall>();
  const unmapped = new Map<string, UnmappedCall>();
  const mapping = new Map<number, ReturnType<typeof iamActionOf>>();
  const nameCount = store.dictionary('eventName').size;
  let parsed = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const src = store.valueId('eventSource', r);
    const name = store.valueId('eventName', r);
    const type = store.valueId('eventType', r);
    if (type !== apiCall && type !== untyped) {
      tally(unmapped, `type:${store.value('eventType', r)}`, {
        eventSource: sources[src],
        eventName: `(${store.value('eventType', r)})`,
        count: 0,
        reason: 'not an API call made by the principal',
      });
      continue;
    }
    const key = src * nameCount + name;
    let m = mapping.get(key);
    if (!m) mapping.set(key, (m = iamActionOf(sources[src], names[name])));
    if (m.action === undefined) {
      tally(unmapped, `${key}`, { eventSource: sources[src], eventName: names[name], count: 0, reason: m.reason });
      continue;
    }
    if (m.note) notes.add(m.note);
    const code = errorValues[store.valueId('errorCode', r)];
    if (DENIED_CODES.has(code)) {
      const d = tally(denied, m.action, {
        action: m.action,
        eventSource: sources[src],
        eventName: names[name],
        count: 0,
        errorCodes: [],
      });
      if (!d.errorCodes.includes(code)) d.errorCodes.push(code);
      continue;
    }
    let use = uses.get(m.action);
    if (!use) uses.set(m.action, (use = { action: m.action, resources: new Set(), seen: new Set() }));
    if (!use.resources) continue;
    const ids = store.resourceValueIds(r);
    if (ids.length === 0) {
      use.resources = undefined;
      continue;
    }
    const signature = ids.join(',');
    if (use.seen.has(signature)) continue;
    use.seen.add(signature);
    parsed++;
    const arns = resourceArns(parseRaw(store.raw(r)), m.action);
    if (arns.length === 0) use.resources = undefined;
    else for (const a of arns) use.resources.add(a);
  }
  const statements = statementsOf([...uses.values()], notes);
  const policy: IamPolicy = { Version: '2012-10-17', Statement: statements };
  return {
    policy,
    json: JSON.stringify(policy, null, 2),
    denied: [...denied.values()].sort((a, b) => b.count - a.count || (a.action < b.action ? -1 : 1)),
    unmapped: [...unmapped.values()].sort(
      (a, b) => b.count - a.count || (a.eventSource + a.eventName < b.eventSource + b.eventName ? -1 : 1),
    ),
    notes: [...notes].sort(),
    events: rows.length,
    parsed,
  };
}

function tally<T extends { count: number }>(map: Map<string, T>, key: string, fresh: T): T {
  let t = map.get(key);
  if (!t) map.set(key, (t = fresh));
  t.count++;
  return t;
}

/**
 * The ARNs in an event's `resources` that the action applies to. S3 events list the object and
 * its bucket: object actions take the objects, bucket actions the buckets.
 */
function resourceArns(event: unknown, action: string): string[] {
  if (!isObject(event) || !Array.isArray(event.resources)) return [];
  const found: Array<{ arn: string; type: string }> = [];
  for (const r of event.resources.slice(0, 50)) {
    if (!isObject(r)) continue;
    const arn = str(r.ARN) || str(r.arn);
    // Only ARNs belong in a policy's Resource; a wildcard written by an attacker would widen it.
    if (/^arn:[a-z-]+:[a-z0-9-]+:/.test(arn) && !arn.includes('*') && !arn.includes('?') && arn.length <= 2048)
      found.push({ arn, type: str(r.type) });
  }
  if (action.startsWith('s3:')) {
    const wantObject = S3_OBJECT_ACTIONS.has(action.slice(3));
    const fit = found.filter((f) => (f.type === 'AWS::S3::Object') === wantObject);
    if (fit.length > 0) return fit.map((f) => f.arn);
  }
  return found.map((f) => f.arn);
}

/** Statements: per service, actions sharing a resource list together. */
function statementsOf(uses: ActionUse[], notes: Set<string>): PolicyStatement[] {
  const groups = new Map<string, { service: string; actions: string[]; resources: string[] | '*' }>();
  for (const u of uses) {
    const resources = foldResources(u, notes);
    const service = u.action.slice(0, u.action.indexOf(':'));
    const key = `${service}\u0000${resources === '*' ? '*' : resources.join('\u0000')}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { service, actions: [], resources }));
    g.actions.push(u.action);
  }
  const sorted = [...groups.values()].sort((a, b) =>
    a.service < b.service
      ? -1
      : a.service > b.service
        ? 1
        : a.resources === '*'
          ? -1
          : b.resources === '*'
            ? 1
            : a.actions[0] < b.actions[0]
              ? -1
              : 1,
  );
  const perService = new Map<string, number>();
  return sorted.map((g) => {
    const n = (perService.get(g.service) ?? 0) + 1;
    perService.set(g.service, n);
    const base = g.service
      .split(/[^A-Za-z0-9]+/)
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join('');
    return {
      Sid: `${base}${n > 1 ? `Set${n}` : ''}`,
      Effect: 'Allow' as const,
      Action: g.actions.sort(),
      Resource: g.resources,
    };
  });
}

/** An action's resources, sorted; folded to `bucket/*`, then "*", past MAX_RESOURCES. */
function foldResources(u: ActionUse, notes: Set<string>): string[] | '*' {
  if (!u.resources || u.resources.size === 0) return '*';
  let list = [...u.resources].sort();
  if (list.length > MAX_RESOURCES && u.action.startsWith('s3:')) {
    list = [
      ...new Set(list.map((a) => (/^arn:[^:]+:s3:::[^/]+\//.test(a) ? `${a.slice(0, a.indexOf('/'))}/*` : a))),
    ].sort();
    notes.add(`${u.action}: more than ${MAX_RESOURCES} objects, folded to their buckets (bucket/*).`);
  }
  if (list.length > MAX_RESOURCES) {
    notes.add(
      `${u.action}: called on ${list.length} resources, more than ${MAX_RESOURCES}: "*" instead (narrow by hand).`,
    );
    return '*';
  }
  return list;
}

/** The service prefixes of a policy, for a summary line. */
export function policyServices(p: IamPolicy): string[] {
  return [...new Set(p.Statement.flatMap((s) => s.Action.map((a) => a.slice(0, a.indexOf(':')))))].sort();
}
