/**
 * One Sigma selection entry (`field|modifier|…: value or list`) as search-language terms
 * (README "Search"): CloudTrail field names map to indexed fields where one holds the same value,
 * else to JSON paths (`json.<root>` for a whole object, as Sigma's `requestParameters|contains`
 * means its JSON text); Sigma wildcards, modifiers and null become the language's value syntax.
 */
import { parsePath } from '../../query/eventPath';
import { compileRegex, MAX_REGEX_LENGTH, parseCidr, regexLiteral } from '../../query/patterns';
import { parseQuery } from '../../query/query';
import { type Dnf, type Literal, SigmaError } from './sigmaCondition';

/** A scalar as the YAML reader gives it: numbers keep their source text. */
export type SigmaScalar = string | boolean | null;

/** CloudTrail keys whose indexed field holds exactly the event's value: fast, no JSON parse. */
const INDEXED: ReadonlyMap<string, string> = new Map([
  ['eventname', 'eventName'],
  ['eventsource', 'eventSource'],
  ['awsregion', 'awsRegion'],
  ['sourceipaddress', 'sourceIPAddress'],
  ['useragent', 'userAgent'],
  ['errorcode', 'errorCode'],
  ['eventtype', 'eventType'],
  ['eventcategory', 'eventCategory'],
  ['readonly', 'readOnly'],
  ['useridentity.type', 'type'],
  ['useridentity.accesskeyid', 'accessKey'],
]);

/** Top-level keys holding objects or arrays: named bare, Sigma means their JSON text. */
const OBJECT_ROOTS = new Set([
  'requestparameters',
  'responseelements',
  'additionaleventdata',
  'serviceeventdetails',
  'useridentity',
  'resources',
  'tlsdetails',
  'edgedevicedetails',
  'insightdetails',
  'addendum',
]);

/** Modifiers refused, with why. */
const REFUSED: ReadonlyMap<string, string> = new Map([
  ...['base64', 'base64offset', 'utf16', 'utf16le', 'utf16be', 'wide'].map((m): [string, string] => [
    m,
    'CloudTrail values are plain JSON text, never base64 or UTF-16 encoded command lines',
  ]),
  ...['lt', 'lte', 'gt', 'gte'].map((m): [string, string] => [m, 'the search language has no numeric comparisons']),
  ['expand', 'placeholders need a processing pipeline to fill them'],
]);
const KNOWN = new Set([
  'contains',
  'startswith',
  'endswith',
  'all',
  're',
  'i',
  'm',
  's',
  'cidr',
  'exists',
  'fieldref',
  'windash',
  'cased',
]);

/** Most values one entry may expand to (windash makes five of each dash). */
const MAX_VARIANTS = 256;
const DASHES = ['-', '/', '\u2013', '\u2014', '\u2015'];

/** The search-language name for a Sigma field (CloudTrail's JSON key path). */
export function queryName(field: string, where: string): string {
  const lower = field.toLowerCase();
  const indexed = INDEXED.get(lower);
  if (indexed) return indexed;
  if (!/^[A-Za-z][\w-]*(\.[A-Za-z0-9_][\w-]*)*$/.test(field))
    throw new SigmaError(where, `"${field}" cannot be a CloudTrail field name (letters, digits, "_" and "-", dotted)`);
  const path = parsePath(field, true);
  if (!path)
    throw new SigmaError(
      where,
      `"${field}" is not a CloudTrail field: a field starts with a top-level key such as eventName, requestParameters or userIdentity`,
    );
  const name = [path[0], ...field.split('.').slice(1)].join('.');
  return path.length === 1 && OBJECT_ROOTS.has(lower) ? `json.${name}` : name;
}

type Tok = string | { wild: '*' | '?' };

/** Sigma's value syntax: `*` and `?` wildcards, `\*` `\?` `\\` escapes, any other backslash literal. */
function tokens(value: string): Tok[] {
  const out: Tok[] = [];
  let lit = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && (value[i + 1] === '*' || value[i + 1] === '?' || value[i + 1] === '\\')) lit += value[++i];
    else if (c === '*' || c === '?') {
      if (lit) out.push(lit);
      lit = '';
      const last = out[out.length - 1];
      if (!(c === '*' && typeof last === 'object' && last.wild === '*')) out.push({ wild: c });
    } else lit += c;
  }
  if (lit) out.push(lit);
  return out;
}

/** One value in the language's syntax (a glob with quoted pieces where needed). */
function globText(toks: readonly Tok[]): string {
  const parts: string[] = [''];
  for (const t of toks) {
    if (typeof t === 'string') parts[parts.length - 1] += t;
    // `**` is `*`: contains of '*' is "any value", written once.
    else if (parts.length === 1 || parts[parts.length - 1] !== '') parts.push('');
  }
  const quote = (s: string): string => `"${s.replace(/[\\"]/g, '\\$&')}"`;
  const bare = (s: string): boolean => /^[^\s",*\\]*$/.test(s);
  const text = parts.map((p) => (bare(p) ? p : quote(p))).join('*');
  // Unquoted, `/x/` would be a regex and `10.0.0.0/8` a range; '' is written "" (empty).
  if (text === '' || regexLiteral(text) || parseCidr(text) !== undefined)
    return [quote(parts[0]), ...parts.slice(1)].join('*');
  return text;
}

/** RE2 text for one character outside a class: metacharacters escaped, spaces and quotes in hex. */
function regexChar(c: string): string {
  if (/\s|"/.test(c)) return `\\x{${c.codePointAt(0)!.toString(16)}}`;
  return /[.+*?()|[\]{}^$\\]/.test(c) ? `\\${c}` : c;
}

/** A Sigma value with wildcards as an anchored regex body (for `cased` and `?`). */
function tokensRegex(toks: readonly Tok[]): string {
  return `^${toks.map((t) => (typeof t === 'string' ? [...t].map(regexChar).join('') : t.wild === '*' ? '.*' : '.')).join('')}$`;
}

/** A Sigma `re` value written for the language: spaces and quotes in hex, so it stays one word. */
function termRegex(source: string): string {
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\' && i + 1 < source.length) {
      const n = source[++i];
      out += /\s|"/.test(n) ? regexChar(n) : `\\${n}`;
    } else out += /\s|"/.test(c) ? regexChar(c) : c;
  }
  return out;
}

/** Each `-` or `/` that starts a word, in every dash variant (Sigma's windash). */
function windash(value: string, where: string): string[] {
  let out = [''];
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    const starts = (c === '-' || c === '/') && (i === 0 || /\s/.test(value[i - 1]));
    out = starts ? out.flatMap((o) => DASHES.map((d) => o + d)) : out.map((o) => o + c);
    if (out.length > MAX_VARIANTS)
      throw new SigmaError(where, `windash makes more than ${MAX_VARIANTS} variants of "${value.slice(0, 60)}"`);
  }
  return out;
}

function text(v: SigmaScalar, where: string): string {
  if (typeof v === 'boolean') return String(v);
  if (typeof v !== 'string') throw new SigmaError(where, 'a value is a string, number or boolean here');
  return v;
}

const term = (t: string): Literal => ({ kind: 'term', text: t, negate: false });

/** Checks a term the compiler wrote: one term, no errors (a value the language refuses). */
function checked(t: string, where: string): Literal {
  const parsed = parseQuery(t);
  if (parsed.errors.length > 0) throw new SigmaError(where, parsed.errors.join(' '));
  if (parsed.terms.length !== 1)
    throw new SigmaError(where, `the value does not fit one search term (${t.slice(0, 80)})`);
  return term(t);
}

/** Compiles one selection entry to a DNF: a list is OR (AND with `all`); `where` names it. */
export function compileEntry(where: string, key: string, value: SigmaScalar | SigmaScalar[]): Dnf {
  const [field, ...rawMods] = key.split('|');
  const mods = rawMods.map((m) => m.toLowerCase());
  for (const m of mods) {
    const why = REFUSED.get(m);
    if (why) throw new SigmaError(where, `the ${m} modifier is not supported: ${why}`);
    if (!KNOWN.has(m)) throw new SigmaError(where, `the ${m} modifier is not a Sigma modifier this reader knows`);
  }
  const has = (m: string): boolean => mods.includes(m);
  const name = field === '' ? 'any' : queryName(field, where);
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new SigmaError(where, 'an empty list matches nothing');
  const all = has('all');
  const combine = (lits: Literal[]): Dnf => (all ? [lits] : lits.map((l) => [l]));
  const kinds = ['contains', 'startswith', 'endswith', 're', 'cidr', 'exists', 'fieldref'].filter(has);
  if (kinds.length > 1) throw new SigmaError(where, `the modifiers ${kinds.join(' and ')} cannot be combined`);
  const kind = kinds[0];
  if ((has('i') || has('m') || has('s')) && kind !== 're')
    throw new SigmaError(where, 'the i, m and s modifiers go with re');
  if (has('windash') && (kind === 're' || kind === 'cidr' || kind === 'exists' || kind === 'fieldref'))
    throw new SigmaError(where, `windash cannot be combined with ${kind}`);

  if (kind === 'exists') {
    const v = list.length === 1 ? list[0] : undefined;
    if (v !== true && v !== false && v !== 'true' && v !== 'false')
      throw new SigmaError(where, 'exists takes true or false');
    return [[checked(v === true || v === 'true' ? `${name}:*` : `${name}:""`, where)]];
  }
  const nulls = list.filter((v) => v === null).length;
  const values = list.filter((v) => v !== null).map((v) => text(v, where));
  const lits: Literal[] = [];
  // null (missing or empty) joins the plain values' term as "" unless each value is its own term.
  const plain = kind === undefined || kind === 'contains' || kind === 'startswith' || kind === 'endswith';
  const emptyAlt = nulls > 0 && plain && !all && !has('cased');
  if (nulls > 0 && !emptyAlt) lits.push(checked(`${name}:""`, where));

  if (kind === 'fieldref') {
    if (name.startsWith('json.') || name === 'any')
      throw new SigmaError(where, 'fieldref compares single values: name a field, not a whole object');
    for (const v of values) {
      const other = queryName(v, where);
      if (other.startsWith('json.'))
        throw new SigmaError(where, `fieldref compares single values: "${v}" is a whole object`);
      lits.push({ kind: 'equals', names: [name, other], negate: false });
    }
    return combine(lits);
  }
  if (kind === 'cidr') {
    for (const v of values) {
      const c = parseCidr(v);
      if (!c || 'error' in c) throw new SigmaError(where, c?.error ?? `"${v}" is not a CIDR range`);
    }
    if (values.length > 0)
      lits.push(
        ...(all ? values.map((v) => checked(`${name}:${v}`, where)) : [checked(`${name}:${values.join(',')}`, where)]),
      );
    return combine(lits);
  }
  if (kind === 're') {
    const flags = ['i', 'm', 's'].filter(has).join('');
    const sources = values.map(termRegex);
    const bodies = all || sources.length === 1 ? sources : [sources.map((s) => `(?:${s})`).join('|')];
    for (const b of bodies) {
      if (b.length > MAX_REGEX_LENGTH)
        throw new SigmaError(where, `the regular expression is ${b.length} characters; at most ${MAX_REGEX_LENGTH}`);
      const r = compileRegex(b, flags);
      if ('error' in r) throw new SigmaError(where, r.error);
      lits.push(checked(`${name}:/${b}/${flags}`, where));
    }
    return combine(lits);
  }

  // Plain values, contains/startswith/endswith, windash, cased: globs where the language can
  // say it, else an anchored regex (`?` wildcards, case-sensitive matching).
  const variants = has('windash') ? values.flatMap((v) => windash(v, where)) : values;
  if (variants.length > MAX_VARIANTS) throw new SigmaError(where, `more than ${MAX_VARIANTS} values`);
  const globs: string[] = [];
  const regexes: string[] = [];
  for (const v of variants) {
    const toks = tokens(v);
    if (kind === 'contains' || kind === 'endswith') toks.unshift({ wild: '*' });
    if (kind === 'contains' || kind === 'startswith') toks.push({ wild: '*' });
    if (has('cased') || toks.some((t) => typeof t === 'object' && t.wild === '?')) regexes.push(tokensRegex(toks));
    else globs.push(globText(toks));
  }
  if (emptyAlt) globs.unshift('""');
  if (globs.length > 0)
    lits.push(
      ...(all ? globs.map((g) => checked(`${name}:${g}`, where)) : [checked(`${name}:${globs.join(',')}`, where)]),
    );
  if (regexes.length > 0) {
    const flags = has('cased') ? 's' : 'is';
    const bodies = all || regexes.length === 1 ? regexes : [regexes.map((r) => `(?:${r})`).join('|')];
    for (const b of bodies) {
      if (b.length > MAX_REGEX_LENGTH)
        throw new SigmaError(
          where,
          `the values make a regular expression of ${b.length} characters; at most ${MAX_REGEX_LENGTH}`,
        );
      lits.push(checked(`${name}:/${b}/${flags}`, where));
    }
  }
  return combine(lits);
}

/** A keyword list (a selection without field names): each value found anywhere in the event. */
export function compileKeywords(where: string, values: readonly SigmaScalar[]): Dnf {
  if (values.some((v) => v === null)) throw new SigmaError(where, 'a keyword cannot be null');
  return compileEntry(where, '|contains', values as SigmaScalar[]);
}
