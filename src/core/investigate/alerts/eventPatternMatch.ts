/**
 * EventBridge event patterns evaluated as AWS documents them (the EventBridge user guide's
 * "Event patterns", "Comparison operators", "Arrays", "Null values"; aws/event-ruler's README),
 * independently of the search engine, over the envelope EventBridge delivers for a CloudTrail
 * record (`eventEnvelope`):
 *
 * - every key of a pattern must match (AND); a key's list of matchers is an OR; `$or` holds 2+
 *   sub-patterns, any of which may match;
 * - matchers test leaf values: an object is no value; a list in the event is crossed (any element
 *   matches), and a sub-pattern over a list of objects must match within one element;
 * - a plain value matches an equal leaf of the same JSON type (`"true"` is not `true`; `null` and
 *   `""` differ); `prefix`, `suffix`, `equals-ignore-case` (alone or inside prefix/suffix) and
 *   `wildcard` (`*` any text, `\*` and `\\` escaped) test strings; `numeric` numbers; `cidr` IP
 *   address strings; `exists` whether a leaf is there;
 * - `anything-but` (a value, a list, or prefix/suffix/wildcard/equals-ignore-case) passes a
 *   present leaf that does not match. Where the docs are silent: a missing key never passes
 *   anything-but, and a leaf of another type (null, a number against strings) passes it.
 */
import { isObject } from '../../model/json';

/** Whether an event pattern (parsed JSON) matches an event (the envelope). */
export function eventPatternMatches(pattern: unknown, event: unknown): boolean {
  if (!isObject(pattern)) throw new Error('An event pattern is a JSON object.');
  return matchObject(pattern, event);
}

function matchObject(pattern: Record<string, unknown>, node: unknown): boolean {
  // A list of objects: the whole sub-pattern must hold within one element.
  if (Array.isArray(node)) return node.some((el) => matchObject(pattern, el));
  for (const key of Object.keys(pattern)) {
    const p = pattern[key];
    if (key === '$or' && Array.isArray(p) && p.length >= 2 && p.every(isObject)) {
      if (!p.some((sub) => matchObject(sub, node))) return false;
      continue;
    }
    const child = isObject(node) && Object.prototype.hasOwnProperty.call(node, key) ? node[key] : undefined;
    if (Array.isArray(p)) {
      if (!matchLeaf(p, leaves(child))) return false;
    } else if (isObject(p)) {
      if (!matchObject(p, child)) return false;
    } else throw new Error(`The pattern's "${key}" must be a list of matchers or an object.`);
  }
  return true;
}

const NONE: unknown[] = [];

/** The leaf values at a node: itself, or a list's scalar elements (nested lists too); none for objects. */
function leaves(node: unknown): unknown[] {
  if (node === undefined || isObject(node)) return NONE;
  if (!Array.isArray(node)) return [node];
  return node.flatMap((el) => leaves(el));
}

function matchLeaf(matchers: unknown[], values: unknown[]): boolean {
  return matchers.some((m) => {
    if (isObject(m) && 'exists' in m) return values.length > 0 === (m.exists === true);
    return values.some((v) => matchValue(m, v));
  });
}

function matchValue(m: unknown, v: unknown): boolean {
  if (!isObject(m)) return m === v || (typeof m === 'number' && typeof v === 'number' && m === v);
  const [op] = Object.keys(m);
  const arg = m[op];
  switch (op) {
    case 'prefix':
    case 'suffix': {
      if (typeof v !== 'string') return false;
      const ignore = isObject(arg);
      const text = String(ignore ? arg['equals-ignore-case'] : arg);
      const [value, needle] = ignore ? [v.toLowerCase(), text.toLowerCase()] : [v, text];
      return op === 'prefix' ? value.startsWith(needle) : value.endsWith(needle);
    }
    case 'equals-ignore-case':
      return (
        typeof v === 'string' &&
        (Array.isArray(arg) ? arg : [arg]).some((a) => String(a).toLowerCase() === v.toLowerCase())
      );
    case 'wildcard':
      return typeof v === 'string' && (Array.isArray(arg) ? arg : [arg]).some((a) => wildcard(String(a), v));
    case 'numeric':
      return typeof v === 'number' && numeric(arg as unknown[], v);
    case 'cidr':
      return typeof v === 'string' && inCidr(String(arg), v);
    case 'anything-but':
      return anythingBut(arg, v);
    default:
      throw new Error(`Unknown matcher "${op}".`);
  }
}

function anythingBut(arg: unknown, v: unknown): boolean {
  if (isObject(arg)) {
    const [op] = Object.keys(arg);
    const inner = arg[op];
    if (typeof v !== 'string') return true;
    const list = (Array.isArray(inner) ? inner : [inner]).map(String);
    if (op === 'prefix') return !list.some((p) => v.startsWith(p));
    if (op === 'suffix') return !list.some((p) => v.endsWith(p));
    if (op === 'wildcard') return !list.some((p) => wildcard(p, v));
    if (op === 'equals-ignore-case') return !list.some((p) => p.toLowerCase() === v.toLowerCase());
    throw new Error(`Unknown anything-but matcher "${op}".`);
  }
  const list = Array.isArray(arg) ? arg : [arg];
  return !list.some((a) => a === v);
}

/** `*` matches any text; `\*` is a star and `\\` a backslash. */
function wildcard(pattern: string, value: string): boolean {
  const parts: string[] = [''];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && (pattern[i + 1] === '*' || pattern[i + 1] === '\\')) parts[parts.length - 1] += pattern[++i];
    else if (c === '*') parts.push('');
    else parts[parts.length - 1] += c;
  }
  if (parts.length === 1) return value === parts[0];
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last)) return false;
  let at = first.length;
  const end = value.length - last.length;
  for (const mid of parts.slice(1, -1)) {
    const found = value.indexOf(mid, at);
    if (found < 0 || found + mid.length > end) return false;
    at = found + mid.length;
  }
  return true;
}

function numeric(spec: unknown[], v: number): boolean {
  for (let i = 0; i + 1 < spec.length; i += 2) {
    const [op, n] = [spec[i], Number(spec[i + 1])];
    const ok =
      op === '='
        ? v === n
        : op === '<'
          ? v < n
          : op === '<='
            ? v <= n
            : op === '>'
              ? v > n
              : op === '>='
                ? v >= n
                : false;
    if (!ok) return false;
  }
  return true;
}

/** An IPv4 or IPv6 address as a bigint and its bit width; undefined when not one. */
function ipValue(text: string): { bits: 32 | 128; n: bigint } | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const octets = v4.slice(1).map(Number);
    if (octets.some((o) => o > 255)) return undefined;
    return { bits: 32, n: octets.reduce((acc, o) => (acc << 8n) | BigInt(o), 0n) };
  }
  if (!text.includes(':') || !/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 2 && fill < 1) || (halves.length === 1 && head.length !== 8)) return undefined;
  const all = [...head, ...Array.from({ length: halves.length === 2 ? fill : 0 }, () => '0'), ...tail];
  if (all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return { bits: 128, n: all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n) };
}

function inCidr(range: string, value: string): boolean {
  const [net, lenText] = range.split('/');
  const a = ipValue(net);
  const b = ipValue(value);
  const len = Number(lenText);
  if (!a || !b || a.bits !== b.bits || !Number.isInteger(len) || len < 0 || len > a.bits) return false;
  const shift = BigInt(a.bits - len);
  return a.n >> shift === b.n >> shift;
}

const DETAIL_TYPES: Record<string, string> = {
  AwsApiCall: 'AWS API Call via CloudTrail',
  AwsConsoleSignIn: 'AWS Console Sign In via CloudTrail',
  AwsServiceEvent: 'AWS Service Event via CloudTrail',
  AwsConsoleAction: 'AWS Console Action via CloudTrail',
  AwsCloudTrailInsight: 'AWS Insight via CloudTrail',
};

/**
 * The EventBridge envelope around a CloudTrail record, as EventBridge delivers it: detail-type by
 * the record's eventType, source `aws.` and the service's name (`iam.amazonaws.com` → `aws.iam`).
 */
export function eventEnvelope(record: Record<string, unknown>): Record<string, unknown> {
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  const service = str(record.eventSource).replace(/\.amazonaws\.com$/, '');
  return {
    version: '0',
    id: str(record.eventID),
    'detail-type': DETAIL_TYPES[str(record.eventType)] ?? 'AWS API Call via CloudTrail',
    source: `aws.${service.split('.')[0] || 'unknown'}`,
    account: str(record.recipientAccountId),
    time: str(record.eventTime),
    region: str(record.awsRegion),
    resources: [],
    detail: record,
  };
}
