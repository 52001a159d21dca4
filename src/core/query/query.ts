/**
 * The search box's language (README "Search"). Terms are separated by spaces and all must match:
 *
 * - free text, fuzzy: `bert-jan`, `"quoted phrase"`; `-word` excludes events containing `word`;
 * - `field:value`, exact and case-insensitive: `eventName:StopLogging`, `principal:"Admin/alice"`;
 *   `field:~value` also forgives typos in it (`principal:~AdminRle`: typoIndex.ts);
 *   `*` is a wildcard (`eventName:Delete*`, `error:*` = any error), commas mean OR
 *   (`eventName:StopLogging,DeleteTrail`), `field:""` means empty, `-field:value` excludes;
 * - literal pieces inside a wildcard value: `userAgent:*"S3 Browser"*` — a `"…"` piece that opens
 *   the value or follows a `*` or `,` is plain text (spaces, commas, `*` and `\"` inside it are
 *   characters, not syntax); a value that is one quoted piece is exact, as before;
 * - regular expressions: an unquoted value written `/pattern/` or `/pattern/flags` (flags i, m, s),
 *   e.g. `userAgent:/^aws-cli\/2\./`. RE2 syntax (re2js: linear time, so no lookaround or
 *   backreferences: those are parse errors), at most MAX_REGEX_LENGTH characters, found anywhere in
 *   the value (anchor with ^ and $), and case-sensitive unless `i` — unlike every other value,
 *   which ignores case. A regex is the term's only value (no commas), and a space in it is
 *   written `\x20` or `\s` since spaces end a term;
 * - CIDR ranges: an unquoted value `10.0.0.0/8` or `2001:db8::/32` matches IPv4/IPv6 addresses
 *   inside it (and the range's own text, as `cidrIp` fields hold it); other values never match;
 * - time: `after:2024-03-01`, `before:2024-03-01T10:00Z`, `last:24h` (s, m, h, d, w);
 * - JSON paths into the raw event, when the first segment is a CloudTrail top-level key:
 *   `additionalEventData.MFAUsed:No`, `errorMessage:*denied*` (same value syntax as fields);
 * - `json.<path>:` matches the JSON text of the value at the path (JSON.stringify: compact, keys in
 *   the event's order, strings with their quotes; null or missing is empty), as Athena and Sigma
 *   see an object column: `json.requestParameters:*"\"s3:GetObject\""*`; for an object or array
 *   each scalar under it is tried too (policies are JSON strings inside requestParameters);
 * - `any:` matches any scalar value anywhere in the event (exact containment with `*…*`, no
 *   fuzziness): what a Sigma keyword means;
 * - named row sets: `detection:cis-4.3`, `origin:alice`, `issuedBy:AKIA…` (the engine is given the
 *   sets; see SearchEngine.setRowSets and investigate/identity/rowSets.ts);
 *
 * A word is a field only when it names one; pasted ARNs, IPv6 addresses and times stay text, and
 * an unknown `name:value` is reported rather than silently searched for. Everything a value can
 * be is in the parsed form (FieldTerm/PathTerm `values` and `patterns`), for other back ends.
 */
import { OBJECT_ROOTS, parsePath, PATH_ROOTS } from './eventPath';
import { bareAlternatives, mixedAlternatives, valuePieces } from './patterns';
import type { IndexedField } from '../model/fields';

/**
 * Text between `*` wildcards, matched ignoring case, for a value whose literal pieces hold a `*`
 * (`*"a*b"*`): parts ['', 'a*b', ''] = contains "a*b". One part is an exact value.
 */
export interface GlobPattern {
  kind: 'glob';
  parts: string[];
}

/** A regular expression in RE2 syntax, found anywhere in the value (unanchored). */
export interface RegexPattern {
  kind: 'regex';
  /** The pattern as written between the slashes (RE2 accepts `\/`). */
  source: string;
  /** Some of 'i' (ignore case), 'm' (^ and $ at lines), 's' (. matches newline), in that order. */
  flags: string;
}

/** An IP range: matches addresses of its family inside it, and a value equal to `text`. */
export interface CidrPattern {
  kind: 'cidr';
  version: 4 | 6;
  /** The network address, host bits cleared (`10.0.0.0`, `2001:db8::`). */
  network: string;
  /** Prefix length: 0-32 (IPv4) or 0-128 (IPv6). */
  bits: number;
  /** The range as written (`10.1.0.0/8` keeps its text; `network` is cleared). */
  text: string;
}

/** A value alternative other than plain text; ORed with the term's `values`. */
export type ValuePattern = GlobPattern | RegexPattern | CidrPattern;

export interface TextTerm {
  kind: 'text';
  text: string;
  /** Exclude events containing the text (plain containment, no fuzziness). */
  negate?: boolean;
}

export interface FieldTerm {
  kind: 'field';
  /** The name as typed, for messages. */
  name: string;
  /** The store fields it looks in (any may match). */
  fields: readonly IndexedField[];
  /** Alternatives (OR); each may hold `*` wildcards unless `literal`; '' means an empty value. */
  values: string[];
  negate: boolean;
  /** A quoted value: `*` is a plain character (pasted ARNs may end in `/*`). */
  literal?: boolean;
  /** More alternatives (OR with `values`): regexes, CIDR ranges, globs with literal `*`s. */
  patterns?: ValuePattern[];
  /**
   * `field:~value`: the value (one, literal) and every value within its edit budget (1 edit, 2
   * from 8 characters: typoIndex.ts), whole, by its start or by a tail; local search only.
   */
  typo?: boolean;
}

/** A JSON-path term, evaluated on the raw event of rows the indexed terms left (see eventPath.ts). */
export interface PathTerm {
  kind: 'path';
  /** The name as typed, for messages. */
  name: string;
  /** Path segments, the root spelled canonically; empty for `any:` (every scalar of the event). */
  segments: string[];
  /** Alternatives (OR), as for a FieldTerm. */
  values: string[];
  negate: boolean;
  literal?: boolean;
  /** As for a FieldTerm. */
  patterns?: ValuePattern[];
  /**
   * `json.<path>:` — match the JSON text of the value at the path (eventPath.ts jsonTextsAt); for
   * an object or array, also each scalar under it.
   */
  json?: true;
}

/** A term over a named row set the engine was given (`detection:<id>`). */
export interface SetTerm {
  kind: 'set';
  /** The name as typed, for messages. */
  name: string;
  /** Which family of sets (lower-case): 'detection', 'origin' or 'issuedby'. */
  set: string;
  /** Set ids (OR), with `*` wildcards unless `literal`, ignoring case. */
  values: string[];
  negate: boolean;
  literal?: boolean;
}

export interface TimeTerm {
  kind: 'time';
  /** Keep events at or after `after`, or before `before` (epoch ms). */
  after?: number;
  before?: number;
}

export type Term = TextTerm | FieldTerm | TimeTerm | PathTerm | SetTerm;

export interface ParsedQuery {
  terms: Term[];
  /** Problems with the query, each a sentence for the user; the usable terms still run. */
  errors: string[];
}

/** Field names the language knows (lower-case), with the store fields behind each. */
export const QUERY_FIELDS: ReadonlyMap<string, readonly IndexedField[]> = new Map<string, readonly IndexedField[]>([
  ['eventname', ['eventName']],
  ['event', ['eventName']],
  ['eventsource', ['eventSource']],
  ['source', ['eventSource']],
  ['principal', ['principal', 'principalArn']],
  ['user', ['principal', 'principalArn']],
  ['accesskey', ['accessKeyId']],
  ['ip', ['sourceIp']],
  ['region', ['awsRegion']],
  ['account', ['account']],
  ['error', ['errorCode']],
  // CloudTrail's own names for indexed fields: fast, unlike the path a dotted name would take.
  ['errorcode', ['errorCode']],
  ['awsregion', ['awsRegion']],
  ['sourceipaddress', ['sourceIp']],
  ['readonly', ['readOnly']],
  ['type', ['identityType']],
  ['useragent', ['userAgent']],
  ['resource', ['resources']],
  ['eventtype', ['eventType']],
  ['eventcategory', ['eventCategory']],
]);

/** Canonical spellings of the field names, for completion hints. */
export const FIELD_NAMES = [
  'eventName',
  'eventSource',
  'principal',
  'accessKey',
  'ip',
  'region',
  'account',
  'error',
  'readOnly',
  'type',
  'userAgent',
  'resource',
  'eventType',
  'eventCategory',
  'after',
  'before',
  'last',
  'detection',
  'origin',
  'issuedBy',
  'country',
  'asn',
  'org',
  'aws',
  'awsService',
  'any',
  // Path roots: completed as names, then typed on with a dot.
  'errorMessage',
  ...OBJECT_ROOTS,
] as const;

const TIME_FIELDS = new Set(['after', 'before', 'last']);
/** Families of named row sets the engine may be given (lower-case). */
export const SET_FIELDS: ReadonlySet<string> = new Set([
  'detection',
  'origin',
  'issuedby',
  // Where the source IP is (core/enrich): computed in this extension from its data sets.
  'country',
  'asn',
  'org',
  'aws',
  'awsservice',
]);
/** Set families that come from the IP data sets rather than from a run in this investigation. */
export const IP_SET_FIELDS: ReadonlySet<string> = new Set(['country', 'asn', 'org', 'aws', 'awsservice']);
/** Names followed by ':' that are not fields: URL schemes and ARNs, pasted whole. */
const NOT_FIELDS = new Set(['arn', 'http', 'https', 's3', 'file']);

/** A `field:value` term for an exact value (a pivot): quoted, and so literal, when it needs to be. */
export function fieldTerm(name: string, value: string): string {
  // Unquoted, `/x/` would be a regex and `10.0.0.0/8` a range: those are quoted to stay exact.
  const plain = /^[^\s",*\\]+$/.test(value) && !value.startsWith('/') && !/^[0-9A-Fa-f:.]+\/\d{1,3}$/.test(value);
  return plain ? `${name}:${value}` : `${name}:"${value.replace(/[\\"]/g, '\\$&')}"`;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Reads `2024-03-01`, `2024-03-01T10:00`, `…Z` or `…+02:00` (zone-less means UTC). */
export function parseInstant(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', zone] = m;
  let t = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
  if (zone && zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    t -= (zone[0] === '-' ? -1 : 1) * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return Number.isFinite(t) && +mo >= 1 && +mo <= 12 && +d >= 1 && +d <= 31 ? t : undefined;
}

/** Closest known field name, for "did you mean". */
function suggest(name: string): string | undefined {
  const n = name.toLowerCase();
  let best: [string, number] | undefined;
  for (const k of FIELD_NAMES) {
    const d = distance(n, k.toLowerCase());
    if (d <= 2 && (!best || d < best[1])) best = [k, d];
  }
  return best?.[0];
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]++;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/** A quoted value piece: to the closing quote (backslash escapes), or unclosed to the end. */
const QUOTED = String.raw`"(?:[^"\\]|\\.)*"?`;
/**
 * One term as typed: an optional '-', then name:value (whose value may hold quoted pieces at its
 * start or after a `*` or `,`, spaces included), a "quoted phrase", or a bare word.
 */
const TERM = new RegExp(
  String.raw`(-?)(?:([A-Za-z][\w.-]*):((?:${QUOTED})?(?:[*,]${QUOTED}|\S)*)|"([^"]*)("?)|(\S+))`,
  'g',
);

/** The query's terms as typed, quoted values kept whole: exactly the pieces parseQuery reads. */
export function queryWords(input: string): string[] {
  return Array.from(input.matchAll(TERM), (m) => m[0]);
}

/** Splits a query into terms. Never throws. `now` anchors `last:`. */
export function parseQuery(input: string, now: number = Date.now()): ParsedQuery {
  const terms: Term[] = [];
  const errors: string[] = [];
  const note = (msg: string): void => {
    if (!errors.includes(msg)) errors.push(msg);
  };
  // matchAll works on a copy of the regex: no lastIndex shared between calls.
  for (const m of input.matchAll(TERM)) {
    const negate = m[1] === '-';
    const pieces = m[2] !== undefined ? valuePieces(m[3]) : [];
    if (m[2] !== undefined && pieces.some((p) => p.quoted)) {
      if (pieces.some((p) => !p.closed)) note(UNCLOSED);
      if (isName(m[2])) {
        if (pieces.length === 1) pushNamed(terms, note, m[2], pieces[0].text, true, negate, now);
        else pushNamed(terms, note, m[2], '', false, negate, now, mixedAlternatives(pieces));
      } else {
        // name.like:"x" where the name is not a path: a pasted word, kept whole as text.
        const word = m[0].slice(m[1].length);
        terms.push(negate ? { kind: 'text', text: word, negate } : { kind: 'text', text: word });
      }
    } else if (m[4] !== undefined) {
      if (!m[5]) note(UNCLOSED);
      const phrase = m[4].trim();
      if (phrase) terms.push(negate ? { kind: 'text', text: phrase, negate } : { kind: 'text', text: phrase });
    } else {
      const word = m[6] ?? m[0].slice(m[1].length);
      const named = /^([A-Za-z][\w.-]*):(.*)$/.exec(word);
      const root = named ? misspeltRoot(named[1]) : undefined;
      if (named && isName(named[1]) && !NOT_FIELDS.has(named[1].toLowerCase()))
        pushNamed(terms, note, named[1], named[2], false, negate, now);
      else if (root) note(`"${named![1]}" is not a path into the event: did you mean ${root}?`);
      else if (negate && word.length > 0) terms.push({ kind: 'text', text: word, negate });
      else terms.push({ kind: 'text', text: `${m[1]}${word}` });
    }
  }
  return { terms, errors };
}

const UNCLOSED = 'A quote is not closed: the phrase runs to the end of the query.';

/**
 * Whether a word before ':' is meant as a name: plain letters (a field, known or not), or a dotted
 * path whose root is a CloudTrail key. Other dotted words (example.com:443) are text.
 */
function isName(name: string): boolean {
  return (
    /^[A-Za-z]+$/.test(name) ||
    (name.includes('.') && (parsePath(name, false) !== undefined || jsonPath(name) !== undefined))
  );
}

/**
 * For a dotted name whose first part is almost a long CloudTrail key (`requestParameter.userName`),
 * that key; short first parts are left alone, since they are more often hostnames.
 */
function misspeltRoot(name: string): string | undefined {
  const dot = name.indexOf('.');
  if (dot < 8) return undefined;
  const first = name.slice(0, dot).toLowerCase();
  return PATH_ROOTS.find((r) => r.length >= 8 && distance(first, r.toLowerCase()) <= 2);
}

/** Splits a field value into alternatives: a quoted value is one; '' stands for "empty". */
function alternatives(value: string, quoted: boolean): string[] {
  return quoted
    ? [value.trim()]
    : value
        .split(',')
        .map((v) => v.trim())
        .filter((v, _i, all) => v !== '' || all.length === 1);
}

/** A `json.<path>` name's segments (the path after `json.`), else undefined. */
function jsonPath(name: string): string[] | undefined {
  return /^json\./i.test(name) ? parsePath(name.slice(5), true) : undefined;
}

function pushNamed(
  terms: Term[],
  note: (m: string) => void,
  name: string,
  value: string,
  quoted: boolean,
  negate: boolean,
  now: number,
  mixed?: { values: string[]; patterns: ValuePattern[] },
): void {
  const key = name.toLowerCase();
  if (TIME_FIELDS.has(key)) {
    if (negate) note(`"-${name}:" cannot be negated: use ${key === 'after' ? 'before:' : 'after:'} instead.`);
    else pushTime(terms, note, key, value.trim(), now);
    return;
  }
  const fields = QUERY_FIELDS.get(key);
  const json = fields ? undefined : jsonPath(name);
  const path = fields ? undefined : key === 'any' ? [] : (json ?? parsePath(name, true));
  if (!fields && !path && !SET_FIELDS.has(key)) {
    const hint = suggest(name);
    note(`Unknown field "${name}"${hint ? `: did you mean ${hint}:?` : ''}. Known fields: ${FIELD_NAMES.join(', ')}.`);
    return;
  }
  if (!quoted && !mixed && value.startsWith('~')) {
    pushTypo(terms, note, name, fields, value.slice(1).trim(), negate);
    return;
  }
  if (!mixed && !value.trim() && !quoted) {
    note(`"${name}:" needs a value, as in ${name}:something (or ${name}:"" for none).`);
    return;
  }
  const parsed =
    mixed ?? (quoted ? { values: alternatives(value, true), patterns: [] } : bareAlternatives(note, value));
  if (!parsed) return;
  const { values, patterns } = parsed;
  const lit = quoted ? { literal: true as const } : {};
  const pat = patterns.length > 0 ? { patterns } : {};
  if (!fields && !path) {
    if (patterns.length > 0) {
      note(`"${name}:" takes ids, with * wildcards: not regular expressions, ranges or quoted pieces.`);
      return;
    }
    terms.push({ kind: 'set', name, set: key, values, negate, ...lit });
    return;
  }
  if (path) {
    terms.push({
      kind: 'path',
      name,
      segments: path,
      values,
      negate,
      ...lit,
      ...pat,
      ...(json ? { json: true as const } : {}),
    });
    return;
  }
  if (key === 'readonly' && values.some((v) => !v.includes('*') && !/^(true|false)$/i.test(v))) {
    note('readOnly is true or false.');
    return;
  }
  terms.push({ kind: 'field', name, fields: fields!, values, negate, ...lit, ...pat });
}

/** `field:~value`, typo matching on an indexed field. */
function pushTypo(
  terms: Term[],
  note: (m: string) => void,
  name: string,
  fields: readonly IndexedField[] | undefined,
  typed: string,
  negate: boolean,
): void {
  if (!fields)
    return note(`"${name}:~" (typo matching) works on the fields (${FIELD_NAMES.join(', ')}), not on paths or sets.`);
  if (negate) return note(`"-${name}:~" cannot be negated: exclude the exact value instead.`);
  if (!typed) return note(`"${name}:~" needs a value, as in ${name}:~AdminRole.`);
  terms.push({ kind: 'field', name, fields, values: [typed], negate: false, literal: true, typo: true });
}

function pushTime(terms: Term[], note: (m: string) => void, key: string, value: string, now: number): void {
  if (key === 'last') {
    const m = /^(\d+(?:\.\d+)?)([smhdw])$/i.exec(value);
    if (!m) return note(`"last:${value}" is not a duration: use last:30m, last:24h, last:7d.`);
    terms.push({ kind: 'time', after: now - Number(m[1]) * UNITS[m[2].toLowerCase()] });
    return;
  }
  const t = parseInstant(value);
  if (t === undefined)
    return note(`"${key}:${value}" is not a time: use ${key}:2024-03-01 or ${key}:2024-03-01T10:00Z.`);
  terms.push(key === 'after' ? { kind: 'time', after: t } : { kind: 'time', before: t });
}

/** Field names completing the word being typed at the end of `input` (at least 2 letters, `-` allowed). */
export function completeField(input: string): string[] {
  const m = /(?:^|\s)-?([A-Za-z]{2,})$/.exec(input);
  if (!m) return [];
  const typed = m[1].toLowerCase();
  return FIELD_NAMES.filter((f) => f.toLowerCase().startsWith(typed) && f.toLowerCase() !== typed);
}
