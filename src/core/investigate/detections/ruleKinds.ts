/**
 * The rule kinds beyond single events (README "Detections", "First-seen and correlation rules"):
 * first-seen ("new terms") rules and correlations (counts, distinct counts, and sequences of
 * steps, Sigma's event_count, value_count, temporal and temporal_ordered). Here: their model and
 * the checks shared by the JSON and Sigma readers. firstSeen.ts and sequence.ts run them.
 *
 * A rule of these kinds still has `query`: the events it considers (for a sequence, the union of
 * its steps). Whatever reads `query` alone (Athena) gets the candidates, never the verdict.
 */
import { parsePath } from '../../query/eventPath';
import { QUERY_FIELDS } from '../../query/query';
import { isIpKeyName } from './places';

/**
 * Fires on an event whose combination of `fields` was not seen in the `baselineDays` before it
 * (among the events the rule's query selects). Events in the first `baselineDays` of the loaded
 * data have no full baseline and never fire: that span is the learning period.
 */
export interface FirstSeen {
  fields: string[];
  baselineDays: number;
}

export const CORRELATION_TYPES = ['event_count', 'value_count', 'temporal', 'temporal_ordered'] as const;
export type CorrelationType = (typeof CORRELATION_TYPES)[number];

export interface Correlation {
  type: CorrelationType;
  /** temporal types: one step per entry, each a union of queries; the rule's `query` is all of them. */
  steps?: string[][];
  /** Events are correlated only with events of equal values here; empty: all events together. */
  groupBy: string[];
  withinMinutes: number;
  /**
   * event_count: events; value_count: distinct values of `field`; temporal: distinct steps.
   * The window fires at `min` or more (Sigma's gte, or gt + 1).
   */
  min: number;
  /** value_count: whose distinct values count. */
  field?: string;
}

/**
 * Fires on an event that is an impossible trip from the event before it of the same `by`
 * (travel.ts): at least `minKm` apart, faster than `maxKmh`.
 */
export interface Travel {
  by: string[];
  minKm: number;
  maxKmh: number;
}

/** A rule's word on each row it fired on, written when asked (a rule may fire on many rows; few are shown). */
export interface RowNotes {
  readonly size: number;
  get(row: number): string | undefined;
}

/** A derived name: the user agent's product (`aws-cli`, `boto3`, `console.amazonaws.com`), lower case. */
export const USER_AGENT_FAMILY = 'userAgentFamily';
/** Longest window a correlation or baseline may have: longer ones are a typo (minutes for days). */
export const MAX_WINDOW_DAYS = 90;
export const MAX_GROUP_BY = 4;
export const MAX_STEPS = 8;
export const MAX_FIRST_SEEN_FIELDS = 4;

/** Whether `name` names one value of an event: a single-valued query field, a JSON path, or userAgentFamily. */
export function isKeyName(name: string): boolean {
  // The source IP's country and ASN, from the IP data (places.ts).
  if (name === USER_AGENT_FAMILY || isIpKeyName(name)) return true;
  const fields = QUERY_FIELDS.get(name.toLowerCase());
  if (fields) return !fields.includes('resources');
  return parsePath(name, true) !== undefined;
}

/** Checks a list of names to group or key by; pushes problems naming `key`. */
export function checkNames(names: unknown, key: string, max: number, min: number, problems: string[]): string[] {
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) {
    problems.push(
      `"${key}" is a list of field names (principal, accessKey, ip, region, eventName, userAgentFamily, country, asn) or paths (requestParameters.secretId).`,
    );
    return [];
  }
  const list = names;
  if (list.length < min || list.length > max)
    problems.push(`"${key}" names ${min === max ? min : `${min} to ${max}`} fields; it has ${list.length}.`);
  for (const n of list.slice(0, 20))
    if (!isKeyName(n))
      problems.push(
        `"${key}": "${n.slice(0, 80)}" is not a single-valued field or path (resources has many values; fields: principal, accessKey, ip, region, eventName, userAgent, userAgentFamily, country, asn; paths: requestParameters.x).`,
      );
  const lower = list.map((n) => n.toLowerCase());
  if (new Set(lower).size !== lower.length) problems.push(`"${key}" names a field twice.`);
  return list;
}

/** Checks a window length in minutes: more than zero, at most MAX_WINDOW_DAYS. */
export function checkWindow(minutes: unknown, key: string, problems: string[]): number {
  if (typeof minutes !== 'number' || !Number.isFinite(minutes) || minutes <= 0) {
    problems.push(`"${key}" must be more than zero (a window of no time holds nothing).`);
    return 0;
  }
  if (minutes > MAX_WINDOW_DAYS * 1440)
    problems.push(
      `"${key}" is ${Math.round(minutes / 1440)} days; at most ${MAX_WINDOW_DAYS} days are read (a longer window is usually a unit mix-up, and keeps every group alive).`,
    );
  return minutes;
}

const FIRST_SEEN_KEYS = new Set(['fields', 'baselineDays']);

/** Reads a JSON rule's `firstSeen`: {"fields": [1 to 4 names], "baselineDays": more than 0, at most 90}. */
export function parseFirstSeen(v: unknown, problems: string[]): FirstSeen | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    problems.push('"firstSeen" is {"fields": [names], "baselineDays": days}.');
    return undefined;
  }
  const o = v as Record<string, unknown>;
  const before = problems.length;
  for (const k of Object.keys(o))
    if (!FIRST_SEEN_KEYS.has(k))
      problems.push(`"firstSeen": unknown key "${k.slice(0, 60)}" (known: fields, baselineDays).`);
  const fields = checkNames(o.fields, 'firstSeen.fields', MAX_FIRST_SEEN_FIELDS, 1, problems);
  const minutes = checkWindow(
    typeof o.baselineDays === 'number' ? o.baselineDays * 1440 : o.baselineDays,
    'firstSeen.baselineDays',
    problems,
  );
  return problems.length > before ? undefined : { fields, baselineDays: minutes / 1440 };
}

const CORRELATION_KEYS = new Set(['type', 'steps', 'groupBy', 'withinMinutes', 'condition']);

/**
 * Reads a JSON rule's `correlation`: {"type", "groupBy": [names], "withinMinutes", "condition":
 * {"gte": n, "field": name for value_count}, "steps": [queries] for the temporal types}.
 * `hasQuery` says whether the rule has its own `query` (counts need one; sequences have steps).
 */
export function parseCorrelation(v: unknown, hasQuery: boolean, problems: string[]): Correlation | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    problems.push(
      '"correlation" is {"type": "event_count" | "value_count" | "temporal" | "temporal_ordered", "groupBy": [...], "withinMinutes": n, ...}.',
    );
    return undefined;
  }
  const o = v as Record<string, unknown>;
  const before = problems.length;
  for (const k of Object.keys(o))
    if (!CORRELATION_KEYS.has(k))
      problems.push(`"correlation": unknown key "${k.slice(0, 60)}" (known: ${[...CORRELATION_KEYS].join(', ')}).`);
  const type = o.type;
  if (typeof type !== 'string' || !(CORRELATION_TYPES as readonly string[]).includes(type)) {
    problems.push(
      `"correlation.type" ${JSON.stringify(String(type).slice(0, 40))} is unknown: one of ${CORRELATION_TYPES.join(', ')}.`,
    );
    return undefined;
  }
  const t = type as CorrelationType;
  const temporal = t === 'temporal' || t === 'temporal_ordered';
  const groupBy =
    o.groupBy === undefined ? [] : checkNames(o.groupBy, 'correlation.groupBy', MAX_GROUP_BY, 0, problems);
  const withinMinutes = checkWindow(o.withinMinutes, 'correlation.withinMinutes', problems);
  let steps: string[][] | undefined;
  if (temporal) {
    if (hasQuery) problems.push(`A ${t} rule has "correlation.steps" instead of "query".`);
    const s = o.steps;
    if (
      !Array.isArray(s) ||
      s.length < 2 ||
      s.length > MAX_STEPS ||
      !s.every(
        (q) => typeof q === 'string' || (Array.isArray(q) && q.length > 0 && q.every((x) => typeof x === 'string')),
      )
    ) {
      problems.push(
        `"correlation.steps" is a list of 2 to ${MAX_STEPS} steps, each a query or a list of queries (any may match).`,
      );
    } else steps = s.map((q) => (typeof q === 'string' ? [q] : (q as string[])));
  } else {
    if (o.steps !== undefined)
      problems.push(
        `"correlation.steps" belongs to temporal and temporal_ordered rules; a ${t} rule counts the events of its "query".`,
      );
    if (!hasQuery) problems.push(`A ${t} rule needs "query": the events it counts.`);
  }
  const cond = readCondition(o.condition, t, steps?.length ?? 0, 'correlation.condition', problems);
  if (problems.length > before || !cond) return undefined;
  const c: Correlation = { type: t, groupBy, withinMinutes, min: cond.min };
  if (steps) c.steps = steps;
  if (cond.field) c.field = cond.field;
  return c;
}

/**
 * A count condition ({gte: n} or {gt: n}, and `field` for value_count), shared with Sigma.
 * Temporal types may leave it out (all steps). Bounds below (lt, lte, eq) are refused: a
 * sliding window that fires on few events fires on every quiet group, which no rule means.
 */
export function readCondition(
  v: unknown,
  type: CorrelationType,
  steps: number,
  key: string,
  problems: string[],
): { min: number; field?: string } | undefined {
  const temporal = type === 'temporal' || type === 'temporal_ordered';
  if (v === undefined && temporal) return { min: steps };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    problems.push(
      `"${key}" is a map such as {gte: 10}${type === 'value_count' ? ' with "field": the field whose distinct values count' : ''}.`,
    );
    return undefined;
  }
  const o = v as Record<string, unknown>;
  const ops = Object.keys(o).filter((k) => k !== 'field');
  for (const k of ops) {
    if (k === 'lt' || k === 'lte' || k === 'eq')
      problems.push(
        `"${key}.${k}": upper bounds and exact counts are not read (a sliding window "fewer than n" fires on every quiet group); use gte or gt.`,
      );
    else if (k !== 'gte' && k !== 'gt') problems.push(`"${key}": unknown criterion "${k.slice(0, 40)}" (gte, gt).`);
  }
  const op = ops.find((k) => k === 'gte' || k === 'gt');
  const n = op ? o[op] : undefined;
  if (!op || typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 1_000_000) {
    problems.push(`"${key}" needs gte or gt with a whole number from 0 to 1000000.`);
    return undefined;
  }
  const min = op === 'gt' ? n + 1 : n;
  if (min < 1) problems.push(`"${key}": a count of ${op} ${n} holds for every window, even an empty one.`);
  if (type === 'event_count' && min < 2)
    problems.push(`"${key}": a count of 1 is a single-event rule; write it without "correlation".`);
  if (temporal && (min < 2 || min > steps))
    problems.push(`"${key}": a ${type} rule counts distinct steps, from 2 to its ${steps}.`);
  if (type === 'temporal_ordered' && min !== steps)
    problems.push(`"${key}": a temporal_ordered rule needs all ${steps} steps in order.`);
  let field: string | undefined;
  if (type === 'value_count') {
    if (typeof o.field !== 'string' || !isKeyName(o.field))
      problems.push(
        `"${key}.field" names the single-valued field or path whose distinct values count (requestParameters.secretId).`,
      );
    else field = o.field;
  } else if (o.field !== undefined) problems.push(`"${key}.field" belongs to value_count rules.`);
  return { min, field };
}

/** The kind's requirements as sentences, for the rule's details. */
export function kindConditions(rule: { firstSeen?: FirstSeen; correlation?: Correlation; travel?: Travel }): string[] {
  const out: string[] = [];
  const tr = rule.travel;
  if (tr)
    out.push(
      `impossible travel: at least ${tr.minKm} km from the event before it of the same ${tr.by.join(' + ')}, faster than ${tr.maxKmh} km/h (places: your City MMDB's coordinates, else the country's point)`,
    );
  const f = rule.firstSeen;
  if (f)
    out.push(
      `first seen: the combination of ${f.fields.join(' + ')} was not seen in the ${days(f.baselineDays)} before the event (the first ${days(f.baselineDays)} of the loaded events are the baseline and never fire)`,
    );
  const c = rule.correlation;
  if (c) {
    const by = c.groupBy.length > 0 ? ` by the same ${c.groupBy.join(' + ')}` : '';
    const win = `within ${c.withinMinutes} minutes`;
    if (c.type === 'event_count') out.push(`at least ${c.min} matching events ${win}${by}`);
    if (c.type === 'value_count') out.push(`at least ${c.min} distinct values of ${c.field} ${win}${by}`);
    if (c.type === 'temporal')
      out.push(
        `${c.min === c.steps!.length ? 'every step' : `at least ${c.min} of the ${c.steps!.length} steps`}, in any order, ${win}${by}`,
      );
    if (c.type === 'temporal_ordered')
      out.push(
        `the steps in this order (${c.steps!.map((s, i) => `${i + 1}. ${s.join(' | ')}`).join('; ')}) ${win}${by}`,
      );
  }
  const why = notInAthena(rule);
  if (why) out.push(`not expressible in Athena: ${why}`);
  return out;
}

/** Why Athena cannot run the rule as one query (its `query` there returns the candidates only). */
export function notInAthena(rule: {
  firstSeen?: FirstSeen;
  correlation?: Correlation;
  travel?: Travel;
}): string | undefined {
  if (rule.travel)
    return 'the places come from the IP data in this extension, which Athena cannot read; Athena returns the candidate events and the Detections panel decides';
  if (rule.firstSeen)
    return 'the baseline is every earlier event in a sliding window, and the learning period depends on what is loaded; Athena returns the candidate events and the Detections panel decides';
  if (rule.correlation)
    return 'the rule model has no SQL form for windows over groups yet (Trino could: window functions over eventTime per group); Athena returns the candidate events and the Detections panel decides';
  return undefined;
}

function days(d: number): string {
  return d >= 1 ? `${d} day${d === 1 ? '' : 's'}` : `${Math.round(d * 24 * 60)} minutes`;
}

/**
 * Reads a JSON rule's `firstSeen` and `correlation` keys (one of them at most, and neither with
 * `threshold`, which is a count of its own). rules.ts calls this once per file.
 */
export function parseRuleKinds(
  o: Record<string, unknown>,
  problems: string[],
): { firstSeen?: FirstSeen; correlation?: Correlation; travel?: Travel } {
  const out: { firstSeen?: FirstSeen; correlation?: Correlation; travel?: Travel } = {};
  const kinds = (['firstSeen', 'correlation', 'travel'] as const).filter((k) => o[k] !== undefined);
  if (kinds.length > 1)
    problems.push(
      `A rule is a first-seen rule, a correlation or an impossible-travel rule, one of them: ${kinds.map((k) => `"${k}"`).join(' and ')} cannot go together.`,
    );
  if (kinds.length > 0 && o.threshold !== undefined)
    problems.push(
      '"threshold" cannot go with "firstSeen", "correlation" or "travel" (a correlation of type event_count is the windowed count).',
    );
  if (o.travel !== undefined) out.travel = parseTravel(o.travel, problems);
  if (o.firstSeen !== undefined) out.firstSeen = parseFirstSeen(o.firstSeen, problems);
  if (o.correlation !== undefined) out.correlation = parseCorrelation(o.correlation, o.query !== undefined, problems);
  return out;
}

const TRAVEL_KEYS = new Set(['by', 'minKm', 'maxKmh']);

/**
 * Reads a JSON rule's `travel`: {"by": [1 to 4 names, default ["principal"]], "minKm": default
 * 500, "maxKmh": default 1000 (an airliner cruises at about 900)}.
 */
export function parseTravel(v: unknown, problems: string[]): Travel | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    problems.push('"travel" is {"by": ["principal"], "minKm": 500, "maxKmh": 1000}.');
    return undefined;
  }
  const o = v as Record<string, unknown>;
  const before = problems.length;
  for (const k of Object.keys(o))
    if (!TRAVEL_KEYS.has(k)) problems.push(`"travel": unknown key "${k.slice(0, 60)}" (known: by, minKm, maxKmh).`);
  const by = o.by === undefined ? ['principal'] : checkNames(o.by, 'travel.by', MAX_GROUP_BY, 1, problems);
  const num = (key: 'minKm' | 'maxKmh', fallback: number, max: number): number => {
    const n = o[key] ?? fallback;
    if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0 || n > max) {
      problems.push(`"travel.${key}" is a number above 0 and at most ${max}.`);
      return fallback;
    }
    return n;
  };
  const minKm = num('minKm', 500, 20_000);
  const maxKmh = num('maxKmh', 1000, 100_000);
  return problems.length > before ? undefined : { by, minKm, maxKmh };
}
