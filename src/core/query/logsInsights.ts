/**
 * The search language compiled to a CloudWatch Logs Insights query, for trails that also deliver
 * to a log group (each log event's message is the event's JSON, its timestamp the event time).
 * Logs Insights sees the JSON's fields flattened (`userIdentity.arn`): top-level and userIdentity
 * fields are matched exactly, with case-insensitive regexes (`=~ /(?i)^…$/`); the principal's
 * readable name, resources and paths into per-service objects go out as a regex over @message
 * that keeps every matching event, and are checked on the events that come back (remoteFilter.ts).
 * Time terms become the query's time range. Every user value is escaped into a regex literal:
 * nothing typed is spliced into the query as syntax.
 */
import { CLOUDTRAIL_COLUMNS, JSON_TEXT_COLUMNS, schemaLeaf, type HiveType } from '../aws/athenaTable';
import type { IndexedField } from '../model/fields';
import { normalizeAny, type CtRecord } from '../model/records';
import { roleSessionsGlob } from '../model/principal';
import { patternTest } from './patterns';
import type { FieldTerm, ParsedQuery, PathTerm, Term, TextTerm, ValuePattern } from './query';
import { rawPiece, remoteNotes, remoteTerms, termName, type RemotePlan } from './remoteFilter';
import { TEXT_FIELDS } from './search';

/** Logs Insights' largest `limit`. */
export const LOGS_INSIGHTS_MAX_LIMIT = 10_000;
/** Logs Insights' longest query string. */
export const LOGS_INSIGHTS_MAX_QUERY = 10_000;
export const DEFAULT_LOGS_LIMIT = 1000;

export interface LogsInsightsOptions {
  window?: { start?: number; end?: number };
  limit?: number;
  /** Anchors a query without an end (epoch ms). */
  now?: number;
}

export interface CompiledLogsInsights extends RemotePlan {
  queryString: string;
  /** StartQuery's range, epoch seconds. */
  startTime: number;
  endTime: number;
  limit: number;
}

/**
 * A regex literal body matching `s` literally: ASCII punctuation (`/`, `#`, `|` among it) escaped
 * with a backslash, control characters as \xHH, other characters as themselves. The documented
 * grammar shows neither \x{…} nor \uHHHH, so neither is written; AWS does not name the regex
 * engine, and a literal character means the same to any of them.
 */
export function regexEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (/[A-Za-z0-9]/.test(ch)) out += ch;
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp < 0x7f) out += `\\${ch}`;
    else out += ch;
  }
  return out;
}

/** A regex source as written for RE2, with its unescaped `/` escaped for the `/…/` literal. */
function regexBody(source: string): string {
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    const hex = c === '\\' ? /^\\x\{([0-9A-Fa-f]{1,6})\}/.exec(source.slice(i, i + 11)) : null;
    if (hex && parseInt(hex[1], 16) <= 0x10ffff) {
      // \x{…} is not in the documented grammar: the character itself (escaped if punctuation).
      out += regexEscape(String.fromCodePoint(parseInt(hex[1], 16)));
      i += hex[0].length - 1;
    } else if (c === '\\') {
      out += c + (source[i + 1] ?? '');
      i++;
    } else out += c === '/' ? '\\/' : c === '\n' ? '\\n' : c;
  }
  return out;
}

const ANY = '[\\s\\S]*';

/** The Logs Insights field names of the store's fields matched exactly; others are undefined. */
const FIELD_NAMES: Partial<Record<IndexedField, string>> = {
  eventName: 'eventName',
  eventSource: 'eventSource',
  awsRegion: 'awsRegion',
  sourceIp: 'sourceIPAddress',
  userAgent: 'userAgent',
  errorCode: 'errorCode',
  errorMessage: 'errorMessage',
  eventType: 'eventType',
  eventCategory: 'eventCategory',
  identityType: 'userIdentity.type',
  principalArn: 'userIdentity.arn',
  accessKeyId: 'userIdentity.accessKeyId',
};

const empty = (f: string): string => `(not ispresent(${f}) or ${f} = "")`;
const present = (f: string): string => `(ispresent(${f}) and ${f} != "")`;
const anyOf = (xs: readonly string[]): string =>
  [...new Set(xs)].length === 1 ? xs[0] : `(${[...new Set(xs)].join(' or ')})`;

/** One alternative on field `f`, reading a missing field as '' (as the store does). */
function altExpr(f: string, alt: string, literal: boolean): string {
  if (alt === '') return empty(f);
  if (literal || !alt.includes('*')) return `(ispresent(${f}) and ${f} =~ /(?i)^${regexEscape(alt)}$/)`;
  return globExpr(f, alt.split('*'));
}

function globExpr(f: string, parts: readonly string[]): string {
  if (parts.length === 1)
    return parts[0] === '' ? empty(f) : `(ispresent(${f}) and ${f} =~ /(?i)^${regexEscape(parts[0])}$/)`;
  return `(${present(f)} and ${f} =~ /(?i)^${parts.map(regexEscape).join(ANY)}$/)`;
}

function patternExpr(f: string, p: ValuePattern): string {
  if (p.kind === 'glob') return globExpr(f, p.parts);
  // A missing field reads as '': when the pattern matches '', so does a missing field.
  const orEmpty = patternTest(p)('') ? `${empty(f)} or ` : '';
  if (p.kind === 'regex')
    return `(${orEmpty}(ispresent(${f}) and ${f} =~ /${p.flags ? `(?${p.flags})` : ''}${regexBody(p.source)}/))`;
  return `(${orEmpty}(ispresent(${f}) and (${f} =~ /(?i)^${regexEscape(p.text)}$/ or isIpInSubnet(${f}, "${p.network}/${p.bits}"))))`;
}

function alternatives(
  f: string,
  values: readonly string[],
  literal: boolean,
  patterns: readonly ValuePattern[] = [],
): string {
  const parts = [...values.map((v) => altExpr(f, v, literal)), ...patterns.map((p) => patternExpr(f, p))];
  return parts.length ? anyOf(parts) : 'false';
}

/** An alternative test on the store field, or undefined when Logs Insights cannot compute the field. */
function fieldTest(field: IndexedField, test: (f: string) => string): string | undefined {
  if (field === 'account') {
    const r = 'recipientAccountId';
    return `((${present(r)} and ${test(r)}) or (${empty(r)} and ${test('userIdentity.accountId')}))`;
  }
  const name = FIELD_NAMES[field];
  return name ? test(name) : undefined;
}

/** A regex over the raw event holding `piece` (lower-case). */
const holding = (piece: string): string => `@message =~ /(?i)${regexEscape(piece)}/`;

/** A looser test keeping every event where some alternative matches; undefined when unbounded. */
function looser(values: readonly string[], literal: boolean, patternCount: number): string | undefined {
  if (patternCount > 0 || values.length === 0) return undefined;
  const parts: string[] = [];
  for (const v of values) {
    const piece = v === '' ? undefined : rawPiece(v, !literal);
    if (!piece) return undefined;
    parts.push(holding(piece));
  }
  return anyOf(parts);
}

interface Compiled {
  expr?: string;
  exact: boolean;
}

function combine(exact: string[], loose: string[], unbounded: boolean, negate: boolean): Compiled {
  const isExact = loose.length === 0 && !unbounded;
  if (negate) return { expr: exact.length ? `not ${anyOf(exact)}` : undefined, exact: isExact };
  if (unbounded) return { exact: false };
  return { expr: anyOf([...exact, ...loose]), exact: isExact };
}

/**
 * Top-level fields CloudTrail writes after requestParameters and responseElements: Logs Insights
 * extracts a bounded number of fields from a JSON event, so in a very large event these may be
 * absent though the event has them. A test on one keeps the events where it was not extracted
 * too, and the term is re-checked on the events that come back: never silently dropped.
 */
const LATE_FIELDS: ReadonlySet<string> = new Set(
  [
    'additionalEventData',
    'requestID',
    'eventID',
    'readOnly',
    'resources',
    'eventType',
    'apiVersion',
    'managementEvent',
    'recipientAccountId',
    'sharedEventID',
    'vpcEndpointId',
    'vpcEndpointAccountId',
    'eventCategory',
    'tlsDetails',
    'sessionCredentialFromConsole',
    'serviceEventDetails',
    'edgeDeviceDetails',
    'insightDetails',
  ].map((f) => f.toLowerCase()),
);

/** The late field a test on `f` reads (its top-level name), or undefined. */
function lateField(f: string): string | undefined {
  const top = f.split('.')[0];
  return LATE_FIELDS.has(top.toLowerCase()) ? top : undefined;
}

/**
 * A test on late field `late`: negated, only where it was extracted (NOT then keeps the rest);
 * plus `not ispresent(late)` as a looser part, which also marks the term for the local re-check.
 */
function lateTest(e: string, late: string, negate: boolean, exact: string[], loose: string[]): void {
  exact.push(negate ? `(ispresent(${late}) and ${e})` : e);
  loose.push(`not ispresent(${late})`);
}

function fieldTerm(term: FieldTerm): Compiled {
  const exact: string[] = [];
  const loose: string[] = [];
  let unbounded = false;
  for (const field of term.fields) {
    // readOnly is a JSON boolean, shown as true/false or 1/0: only its plain values are sent.
    const roOk =
      field !== 'readOnly' || (!term.patterns?.length && term.values.every((v) => /^(true|false)$/i.test(v)));
    const e =
      roOk && field === 'readOnly'
        ? anyOf(
            term.values.map(
              (v) => `(ispresent(readOnly) and readOnly =~ /(?i)^(${/^true$/i.test(v) ? 'true|1' : 'false|0'})$/)`,
            ),
          )
        : roOk
          ? fieldTest(field, (f) => alternatives(f, term.values, !!term.literal, term.patterns))
          : undefined;
    if (e === undefined) {
      const l = looser(term.values, !!term.literal, term.patterns?.length ?? 0);
      if (l) loose.push(l);
      else unbounded = true;
      continue;
    }
    const late = lateField(
      field === 'readOnly' ? 'readOnly' : field === 'account' ? 'recipientAccountId' : (FIELD_NAMES[field] ?? ''),
    );
    if (late) {
      lateTest(e, late, term.negate, exact, loose);
      continue;
    }
    exact.push(e);
    if (field === 'principalArn') {
      for (const v of term.values) {
        const glob = roleSessionsGlob(v.trim());
        if (glob) exact.push(globExpr('userIdentity.arn', glob.split('*')));
      }
    }
  }
  return combine(exact, loose, unbounded, term.negate);
}

function textTerm(term: TextTerm): Compiled {
  const exact: string[] = [];
  let loose: string | undefined;
  let unbounded = false;
  for (const field of TEXT_FIELDS) {
    const e = fieldTest(field, (f) => `(ispresent(${f}) and ${f} =~ /(?i)${regexEscape(term.text)}/)`);
    if (e === undefined) {
      const piece = rawPiece(term.text, false);
      if (piece) loose = holding(piece);
      else unbounded = true;
      continue;
    }
    exact.push(e);
    const glob = field === 'principalArn' ? roleSessionsGlob(term.text.trim()) : undefined;
    if (glob) exact.push(globExpr('userIdentity.arn', glob.split('*')));
  }
  return combine(exact, loose ? [loose] : [], unbounded, !!term.negate);
}

const typeOf = new Map<string, [string, HiveType]>(CLOUDTRAIL_COLUMNS.map(([n, t]) => [n.toLowerCase(), [n, t]]));

function pathTerm(term: PathTerm): Compiled {
  const patterns = term.patterns ?? [];
  const [root, ...rest] = term.segments;
  const col = root === undefined || term.json ? undefined : typeOf.get(root.toLowerCase());
  const scalar = (f: string): Compiled => {
    const e = alternatives(f, term.values, !!term.literal, patterns);
    const late = lateField(f);
    if (!late) return { expr: term.negate ? `not ${e}` : e, exact: true };
    const exact: string[] = [];
    const loose: string[] = [];
    lateTest(e, late, term.negate, exact, loose);
    return combine(exact, loose, false, term.negate);
  };
  if (col && col[1] === 'string' && !JSON_TEXT_COLUMNS.has(col[0]) && rest.length === 0) return scalar(col[0]);
  if (col && col[1] !== 'string' && !('array' in col[1])) {
    const leaf = schemaLeaf(col[1], rest);
    if (Array.isArray(leaf)) return scalar([col[0], ...leaf].join('.'));
  }
  // Anything else (arrays along the path, keys in another case, objects at the end): the raw event.
  if (term.negate || term.values.includes('')) return { exact: false };
  const key = rest.length ? rawPiece(rest[rest.length - 1], false) : undefined;
  const keyExpr = key && key === rest[rest.length - 1].toLowerCase() ? holding(`"${key}"`) : undefined;
  const valueExpr = looser(term.values, !!term.literal, patterns.length);
  const expr = [keyExpr, valueExpr].filter(Boolean).join(' and ') || undefined;
  return { expr, exact: false };
}

/** Compiles a parsed query for Logs Insights. Never throws; what cannot be sent is in `unsupported`. */
export function compileLogsInsights(parsed: ParsedQuery, opts: LogsInsightsOptions = {}): CompiledLogsInsights {
  const filters: string[] = [];
  const residual: Term[] = [];
  const { start, end, terms, unsupported } = remoteTerms(parsed, opts.window);
  for (const term of terms) {
    const t = term as Term;
    const r =
      t.kind === 'field' ? fieldTerm(t) : t.kind === 'text' ? textTerm(t) : t.kind === 'path' ? pathTerm(t) : undefined;
    if (!r) {
      unsupported.push(`${termName(t)}: this kind of term is not compiled for Logs Insights yet.`);
      continue;
    }
    if (r.expr) filters.push(r.expr);
    if (!r.exact) residual.push(term);
  }
  if (start !== undefined) filters.push(`toMillis(@timestamp) >= ${Math.floor(start)}`);
  if (end !== undefined) filters.push(`toMillis(@timestamp) < ${Math.ceil(end)}`);
  const notes = remoteNotes(parsed, residual, 'Logs Insights', 'result limit');
  const limit = Math.max(1, Math.min(LOGS_INSIGHTS_MAX_LIMIT - 1, Math.floor(opts.limit ?? DEFAULT_LOGS_LIMIT)));
  const queryString = [
    'fields @timestamp, @message',
    ...filters.map((f) => `filter ${f}`),
    'sort @timestamp desc',
    `limit ${limit + 1}`,
  ].join('\n| ');
  if (queryString.length > LOGS_INSIGHTS_MAX_QUERY)
    unsupported.push(
      `The query is ${queryString.length} characters once compiled; Logs Insights takes at most ${LOGS_INSIGHTS_MAX_QUERY}. Use fewer alternatives.`,
    );
  const now = opts.now ?? Date.now();
  return {
    queryString,
    startTime: Math.floor((start ?? 0) / 1000),
    endTime: Math.ceil((end ?? now) / 1000),
    limit,
    unsupported,
    residual,
    notes,
  };
}

/** The record of one GetQueryResults row (`[{field, value}]`), from its @message; undefined when that is not an event. */
export function recordFromLogsRow(row: ReadonlyArray<{ field?: string; value?: string }>): CtRecord | undefined {
  const message = row.find((c) => c.field === '@message')?.value;
  if (message === undefined) return undefined;
  try {
    return normalizeAny(JSON.parse(message) as unknown);
  } catch {
    return undefined;
  }
}
