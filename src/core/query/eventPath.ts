/**
 * JSON-path terms (README "Search language"): `requestParameters.policyArn:*AdministratorAccess`
 * looks into the raw event rather than an index. A path starts at a CloudTrail top-level key;
 * arrays along it are transparent, and an object at its end matches when any scalar under it does
 * (`json.<path>` instead matches the JSON text of what is at the end; `any:` is the empty path).
 * Everything here reads attacker-written JSON, so it only ever walks own keys (`__proto__` is a
 * key like any other) and bounds depth and breadth.
 */
import { globMatch } from './glob';
import { patternTest } from './patterns';
import type { ValuePattern } from './query';

/** The top-level keys whose values are objects or lists: where a path goes on past the root. */
export const OBJECT_ROOTS = [
  'requestParameters',
  'responseElements',
  'additionalEventData',
  'userIdentity',
  'serviceEventDetails',
  'resources',
  'tlsDetails',
] as const;

/** CloudTrail's top-level event keys, each a path root (canonical spelling). */
export const PATH_ROOTS: readonly string[] = [
  ...OBJECT_ROOTS,
  'errorMessage',
  'errorCode',
  'eventName',
  'eventSource',
  'eventType',
  'eventCategory',
  'eventTime',
  'eventVersion',
  'eventID',
  'requestID',
  'sharedEventID',
  'awsRegion',
  'sourceIPAddress',
  'userAgent',
  'readOnly',
  'managementEvent',
  'recipientAccountId',
  'vpcEndpointId',
  'vpcEndpointAccountId',
  'sessionCredentialFromConsole',
  'edgeDeviceDetails',
  'insightDetails',
  'addendum',
  'annotation',
  'apiVersion',
];

const ROOTS = new Map(PATH_ROOTS.map((r) => [r.toLowerCase(), r]));

/** Deeper than any real event; a hostile file's nesting stops here instead of the stack. */
const MAX_DEPTH = 64;
/** Scalars looked at per term and event: a real event has a few hundred at most. */
const MAX_SCALARS = 10_000;

/**
 * The segments of `name` when it names a path into the event (root spelled canonically), else
 * undefined. `single` allows a bare root (`errorMessage`); otherwise a dot is required, so that
 * `eventName` stays the indexed field while `eventName.x` would be a path.
 */
export function parsePath(name: string, single: boolean): string[] | undefined {
  const segments = name.split('.');
  const root = ROOTS.get(segments[0].toLowerCase());
  if (!root || (!single && segments.length < 2) || segments.some((s) => s === '')) return undefined;
  return [root, ...segments.slice(1)];
}

/**
 * The scalar values at `segments` in a parsed event, as strings (null → ''). Keys match exactly
 * or ignoring case; arrays are crossed wherever they occur; an object at the end contributes every
 * scalar under it. An empty result means the path is missing (or holds only empty containers).
 */
export function valuesAt(event: unknown, segments: readonly string[]): string[] {
  const out: string[] = [];
  eachAt(event, segments, false, out, (node, depth) => scalarsUnder(node, out, depth));
  return out;
}

/**
 * Calls `visit` with each node at `segments` (keys matched exactly or ignoring case, arrays along
 * the path crossed — and one at its end too, unless `wholeAtEnd`), within MAX_DEPTH, until `out`
 * holds MAX_SCALARS values.
 */
function eachAt(
  event: unknown,
  segments: readonly string[],
  wholeAtEnd: boolean,
  out: readonly string[],
  visit: (node: unknown, depth: number) => void,
): void {
  const lower = segments.map((s) => s.toLowerCase());
  const walk = (node: unknown, i: number, depth: number): void => {
    if (out.length >= MAX_SCALARS || depth > MAX_DEPTH) return;
    if (wholeAtEnd && i === segments.length) {
      visit(node, depth);
      return;
    }
    if (Array.isArray(node)) {
      for (const item of node) walk(item, i, depth + 1);
      return;
    }
    if (i === segments.length) {
      visit(node, depth);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    // Object.keys lists own keys only: a "__proto__" key from JSON.parse is an own data property,
    // and nothing inherited is ever reached.
    for (const key of Object.keys(node)) {
      if (key === segments[i] || key.toLowerCase() === lower[i])
        walk((node as Record<string, unknown>)[key], i + 1, depth + 1);
    }
  };
  walk(event, 0, 0);
}

function scalarsUnder(node: unknown, out: string[], depth: number): void {
  if (out.length >= MAX_SCALARS || depth > MAX_DEPTH) return;
  if (node === null) out.push('');
  else if (typeof node === 'string') out.push(node);
  else if (typeof node === 'number' || typeof node === 'boolean') out.push(String(node));
  else if (Array.isArray(node)) for (const item of node) scalarsUnder(item, out, depth + 1);
  else if (typeof node === 'object')
    for (const key of Object.keys(node)) scalarsUnder((node as Record<string, unknown>)[key], out, depth + 1);
}

/**
 * The JSON text of each value at `segments` (arrays along the path crossed, as for valuesAt, but
 * not the one at its end): JSON.stringify, compact like CloudTrail's own files; null gives ''.
 * What `json.requestParameters:` matches, as Athena sees that column. Then, for an object or
 * array, each scalar under it: CloudTrail writes policies as JSON *strings* inside
 * requestParameters (`policyDocument`), whose quotes the outer text escapes, and a Sigma rule's
 * `'"s3:GetObject"'` means the policy's own text.
 */
export function jsonTextsAt(event: unknown, segments: readonly string[]): string[] {
  const out: string[] = [];
  eachAt(event, segments, true, out, (node, depth) => {
    out.push(jsonText(node));
    if (typeof node === 'object' && node !== null) scalarsUnder(node, out, depth);
  });
  return out;
}

function jsonText(node: unknown): string {
  if (node === null || node === undefined) return '';
  try {
    return JSON.stringify(node);
  } catch {
    // Nesting deep enough to overflow the stack: no text to match.
    return '';
  }
}

/**
 * A compiled value test for path terms: any alternative matching any scalar. `''` means missing or
 * empty; `*` wildcards (not when `literal`) never match an empty value; all ignoring case.
 * `patterns` (regexes, CIDR ranges, globs) are more alternatives, each tried on every scalar.
 */
export function valueMatcher(
  alternatives: readonly string[],
  literal: boolean,
  patterns: readonly ValuePattern[] = [],
): (values: readonly string[]) => boolean {
  const tests = alternatives.map((alt): ((values: readonly string[]) => boolean) => {
    if (alt === '') return (values) => values.every((v) => v === '');
    const lower = alt.toLowerCase();
    if (literal || !alt.includes('*'))
      return (values) => values.some((v) => v.length === lower.length && v.toLowerCase() === lower);
    const parts = lower.split('*');
    return (values) => values.some((v) => v !== '' && globMatch(parts, v.toLowerCase()));
  });
  for (const p of patterns) {
    const test = patternTest(p);
    tests.push((values) => values.some(test));
  }
  return (values) => tests.some((t) => t(values));
}

/** Parses an event's raw JSON for path terms; undefined when it is not JSON (never throws). */
export function parseRaw(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The search-language name for a JSONPath as the event view writes it (`$.a.b[0]["x-amz-acl"]` →
 * `a.b.x-amz-acl`), for "filter on this value": indexes are dropped, since arrays are transparent.
 * Undefined when the root is not a CloudTrail key or a key cannot be part of a name (dots, spaces,
 * colons, quotes).
 */
export function pathName(jsonPath: string): string | undefined {
  const re = /\.([A-Za-z_][\w-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
  if (!jsonPath.startsWith('$')) return undefined;
  const segments: string[] = [];
  re.lastIndex = 1;
  while (re.lastIndex < jsonPath.length) {
    const m = re.exec(jsonPath);
    if (!m) return undefined;
    if (m[1] !== undefined) segments.push(m[1]);
    else if (m[3] !== undefined) {
      const key = JSON.parse(m[3]) as string;
      if (!/^[\w-]+$/.test(key)) return undefined;
      segments.push(key);
    }
  }
  if (segments.length === 0 || !parsePath(segments.join('.'), true)) return undefined;
  return segments.join('.');
}
