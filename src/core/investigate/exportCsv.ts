/**
 * CSV cells and columns for export. Every event string is attacker-controlled and a CSV is opened
 * in spreadsheets, so each cell is:
 *
 * - defused against formula injection (OWASP "CSV Injection", ASVS 1.2.10): a cell whose first
 *   character is `=`, `+`, `-`, `@`, tab, CR or LF — or whose first non-blank one is a formula
 *   sign, full-width forms included — gets a leading `'`, which spreadsheets read as "text";
 * - cleared of invisible controls: C0 controls other than tab/CR/LF, DEL, and the bidirectional
 *   overrides and isolates that make a cell read differently from what it holds (Trojan Source)
 *   become a visible `<U+202E>`;
 * - always quoted, with `"` doubled (RFC 4180 §2.5–2.7), so commas, semicolons (Excel's separator
 *   in many locales), quotes and line breaks stay inside it.
 *
 * The JSON exports carry the events unchanged; CSV is for reading, so it favours safety.
 */
import { STRING_FIELDS, type EventStore, type StringField } from '../store/store';

export interface CsvColumn {
  name: string;
  /** The cell text for a row; `raw` parses the event's JSON once, on demand (null if it cannot). */
  read(store: EventStore, row: number, raw: () => unknown): string;
}

/** Columns a CSV export has when none are chosen. */
export const DEFAULT_CSV_COLUMNS: readonly string[] = [
  'time',
  'eventName',
  'eventSource',
  'principal',
  'principalArn',
  'accessKeyId',
  'sourceIp',
  'awsRegion',
  'account',
  'errorCode',
  'errorMessage',
  'readOnly',
  'userAgent',
  'eventID',
  'resources',
];

/**
 * Columns worth offering in a picker: the store's fields, then common places in the event. Any
 * other dotted path works too.
 */
export const CSV_COLUMN_CHOICES: readonly string[] = [
  'time',
  ...STRING_FIELDS,
  'resources',
  'eventTime',
  'eventID',
  'requestID',
  'errorMessage',
  'userIdentity.type',
  'userIdentity.userName',
  'userIdentity.sessionContext.attributes.mfaAuthenticated',
  'userIdentity.sessionContext.sessionIssuer.arn',
  'requestParameters',
  'responseElements',
  'additionalEventData',
  'tlsDetails.clientProvidedHostHeader',
  'vpcEndpointId',
  'sharedEventID',
  'recipientAccountId',
  'managementEvent',
  'eventVersion',
];

/** More columns than this is a mistake, not a request. */
const MAX_COLUMNS = 200;

const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
const FORMULA = /^(?:[\t\r\n]|\s*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20])/;

/** One CSV cell, quoted and defused (see the file comment). */
export function csvCell(value: string): string {
  let v = value.replace(INVISIBLE, (c) => `<U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}>`);
  if (FORMULA.test(v)) v = `'${v}`;
  return `"${v.replace(/"/g, '""')}"`;
}

/** A JSON value as cell text: strings as they are, other scalars spelled out, structures as JSON. */
function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Reads a dotted path (`userIdentity.sessionContext.attributes.mfaAuthenticated`) through own keys only. */
function at(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || !Object.prototype.hasOwnProperty.call(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

const STORE_FIELDS = new Set<string>(STRING_FIELDS);

function column(name: string): CsvColumn {
  if (name === 'time') {
    return { name, read: (s, r) => (Number.isNaN(s.time(r)) ? '' : new Date(s.time(r)).toISOString()) };
  }
  if (name === 'resources') {
    const read = (s: EventStore, r: number): string =>
      Array.from(s.resourceValueIds(r), (id) => s.dictionary('resources').values[id]).join('\n');
    return { name, read };
  }
  if (STORE_FIELDS.has(name)) return { name, read: (s, r) => s.value(name as StringField, r) };
  const path = name.split('.');
  return { name, read: (_s, _r, raw) => text(at(raw(), path)) };
}

/**
 * Columns by name: `time` (ISO 8601 UTC), `resources` (one per line), the store's fields
 * (eventName, principal, principalArn, accessKeyId, sourceIp, …), or any dotted path into the event
 * (`errorMessage`, `eventID`, `requestParameters`, `userIdentity.type`). Throws a RangeError for a
 * list that is empty or too long or a name that is not a path.
 */
export function resolveColumns(names: readonly string[] = DEFAULT_CSV_COLUMNS): CsvColumn[] {
  if (names.length === 0) throw new RangeError('Choose at least one column to export.');
  if (names.length > MAX_COLUMNS)
    throw new RangeError(`At most ${MAX_COLUMNS} columns can be exported (${names.length} chosen).`);
  return names.map((name) => {
    if (typeof name !== 'string' || !/^[^.\s]+(\.[^.\s]+)*$/.test(name)) {
      throw new RangeError(
        `"${String(name).slice(0, 80)}" is not a column: use a field name such as eventName, or a path such as userIdentity.arn.`,
      );
    }
    return column(name);
  });
}
