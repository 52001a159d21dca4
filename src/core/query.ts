/**
 * The search box's language. Free-text terms, whitespace-separated, with "quoted phrases" kept
 * whole, and `field:value` terms (`field:"a value"` when it has spaces) that match one field
 * exactly, ignoring case; `field:""` matches events where the field is empty. Every term must match (AND). A word is a field only when it names one
 * (below), so ARNs and IPv6 addresses stay free text.
 */
import type { IndexedField } from './store';

export interface TextTerm {
  kind: 'text';
  text: string;
}

export interface FieldTerm {
  kind: 'field';
  /** The name as typed, for messages. */
  name: string;
  /** The store fields it looks in (any may match). */
  fields: readonly IndexedField[];
  value: string;
}

export type Term = TextTerm | FieldTerm;

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
  ['arn', ['principalArn']],
  ['accesskey', ['accessKeyId']],
  ['ip', ['sourceIp']],
  ['region', ['awsRegion']],
  ['account', ['account']],
  ['error', ['errorCode']],
  ['readonly', ['readOnly']],
  ['type', ['identityType']],
  ['useragent', ['userAgent']],
  ['resource', ['resources']],
  ['eventtype', ['eventType']],
  ['eventcategory', ['eventCategory']],
]);

/** Quotes a value for a `field:value` term when it needs it. */
export function fieldTerm(name: string, value: string): string {
  return /^[^\s"]+$/.test(value) ? `${name}:${value}` : `${name}:"${value.replace(/"/g, '')}"`;
}

/** Splits a query into terms. Never throws. */
export function parseQuery(input: string): ParsedQuery {
  const terms: Term[] = [];
  const errors: string[] = [];
  // A field:"quoted value", a "quoted phrase", or a bare word (which may be field:value).
  const re = /([A-Za-z]+):"([^"]*)("?)|"([^"]*)("?)|(\S+)/g;
  const unclosed = (): void => {
    if (!errors.includes(UNCLOSED)) errors.push(UNCLOSED);
  };
  for (let m = re.exec(input); m; m = re.exec(input)) {
    if (m[1] !== undefined) {
      if (!m[3]) unclosed();
      pushField(terms, errors, m[1], m[2], `${m[1]}:"${m[2]}`, true);
    } else if (m[4] !== undefined) {
      if (!m[5]) unclosed();
      const phrase = m[4].trim();
      if (phrase) terms.push({ kind: 'text', text: phrase });
    } else {
      const word = m[6];
      const colon = word.indexOf(':');
      if (colon > 0 && QUERY_FIELDS.has(word.slice(0, colon).toLowerCase())) pushField(terms, errors, word.slice(0, colon), word.slice(colon + 1), word);
      else terms.push({ kind: 'text', text: word });
    }
  }
  return { terms, errors };
}

const UNCLOSED = 'A quote is not closed: the phrase runs to the end of the query.';

/** `quoted`: `field:""` asks for events where the field is empty (no identity type, no error). */
function pushField(terms: Term[], errors: string[], name: string, value: string, asText: string, quoted = false): void {
  const fields = QUERY_FIELDS.get(name.toLowerCase());
  if (!fields) {
    // Looked like a field but is not one (only reachable through the quoted form).
    terms.push({ kind: 'text', text: asText.replace(/"/g, '') });
    return;
  }
  if (!value.trim() && !quoted) {
    errors.push(`"${name}:" needs a value, as in ${name}:something (or ${name}:"" for none).`);
    return;
  }
  terms.push({ kind: 'field', name, fields, value: value.trim() });
}
