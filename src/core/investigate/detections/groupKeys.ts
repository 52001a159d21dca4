/**
 * Keys of events for first-seen and correlation rules: the values a list of names reads from one
 * row, as one string. Indexed fields read the store's compact columns (dictionary ids, no
 * parsing); paths parse the event's raw JSON, which only the rule's candidate rows pay for.
 */
import { parseRaw, parsePath, valuesAt } from '../../query/eventPath';
import { QUERY_FIELDS } from '../../query/query';
import type { EventStore, StringField } from '../../store/store';
import { isIpKeyName, sourcePlaces } from './places';
import { USER_AGENT_FAMILY } from './ruleKinds';

/**
 * One name's value for a row as a whole number below `radix` (equal values, equal numbers), or
 * -1 when the event has none. Numbers, not strings: a Map keyed by numbers is several times
 * faster at a million rows, and combining names is arithmetic, not concatenation.
 */
interface Part {
  id: (row: number) => number;
  radix: number;
  /** The value's text, for value_count's distinct values. */
  text: (row: number) => string;
  /** The store columns the id is made of, when it is made of columns only (keyReader's fast path). */
  columns?: readonly Column[];
}

interface Column {
  col: Uint32Array;
  /** The id of '' in the column's dictionary (-1: none). */
  empty: number;
  /** The dictionary's size: ids are below it. */
  size: number;
  values: readonly string[];
}

/**
 * Paths whose value a store column holds as it is in the event (records.ts): read from the
 * column, not by parsing the event (Sigma rules name `userIdentity.arn`; parsing 1M events for it
 * took seconds). Column values keep their case, as the event has them.
 */
const PATH_COLUMNS: ReadonlyMap<string, StringField> = new Map([
  ['useridentity.arn', 'principalArn'],
  ['useridentity.accesskeyid', 'accessKeyId'],
  ['useridentity.type', 'identityType'],
]);

/**
 * The product part of a user agent: `aws-cli/2.13.0 Python/3.11.4` → `aws-cli`,
 * `Boto3/1.28.0 …` → `boto3`, `console.amazonaws.com` → itself. Versions change daily and would
 * make every event a new term; the product does not.
 */
export function userAgentFamily(ua: string): string {
  const s = ua.trim().replace(/^\[/, '').toLowerCase();
  const m = /^[^\s/()[\],]+/.exec(s);
  return m ? m[0] : '';
}

/** Gives each distinct text a number, in first-seen order. */
function interner(): { id(text: string): number; texts: string[] } {
  const ids = new Map<string, number>();
  const texts: string[] = [];
  return {
    texts,
    id(text) {
      let n = ids.get(text);
      if (n === undefined) ids.set(text, (n = texts.push(text) - 1));
      return n;
    },
  };
}

function part(store: EventStore, name: string): Part {
  // Values a rule reads: at most one new one per row.
  const most = store.size + 1;
  if (name === USER_AGENT_FAMILY) {
    const col = store.column('userAgent');
    const values = store.dictionary('userAgent').values;
    const fam = interner();
    const byId = new Int32Array(values.length).fill(-2);
    const id = (row: number): number => {
      const v = col[row];
      if (byId[v] === -2) {
        const f = userAgentFamily(values[v] ?? '');
        byId[v] = f ? fam.id(f) : -1;
      }
      return byId[v];
    };
    return { id, radix: most, text: (row) => (id(row) < 0 ? '' : fam.texts[id(row)]) };
  }
  if (isIpKeyName(name)) {
    // The source IP's country or ASN (places.ts), made a column of its own over the rows: one
    // look-up per distinct address, then the columns' fast path (keyReader) like any field.
    // No places registered: every row has none.
    const places = sourcePlaces(store);
    const src = store.column('sourceIp');
    const keys = interner();
    keys.id('');
    const byId = new Int32Array(store.dictionary('sourceIp').size).fill(-1);
    const col = new Uint32Array(store.size);
    for (let row = 0; row < col.length; row++) {
      const v = src[row];
      let k = byId[v];
      if (k < 0) byId[v] = k = keys.id(places?.key(v, name) ?? '');
      col[row] = k;
    }
    const c: Column = { col, empty: 0, size: keys.texts.length, values: keys.texts };
    return {
      id: (row) => (col[row] === 0 ? -1 : col[row]),
      radix: c.size,
      text: (row) => keys.texts[col[row]],
      columns: [c],
    };
  }
  const column = PATH_COLUMNS.get(name.toLowerCase());
  const fields = column ? [column] : (QUERY_FIELDS.get(name.toLowerCase()) as readonly StringField[] | undefined);
  if (fields) {
    // `principal` is two columns (short name and ARN): two alice users in two accounts stay apart.
    const cols: Column[] = fields.map((f) => ({
      col: store.column(f),
      empty: store.dictionary(f).idOf('') ?? -1,
      size: store.dictionary(f).size,
      values: store.dictionary(f).values,
    }));
    const radix = cols.reduce((r, c) => r * c.size, 1);
    if (cols.length === 1) {
      const { col, empty } = cols[0];
      return {
        id: (row) => (col[row] === empty ? -1 : col[row]),
        radix,
        text: (row) => cols[0].values[col[row]].toLowerCase(),
        columns: cols,
      };
    }
    return {
      id: (row) => {
        let k = 0;
        let any = false;
        for (const c of cols) {
          const v = c.col[row];
          if (v !== c.empty) any = true;
          k = k * c.size + v;
        }
        return any ? k : -1;
      },
      radix,
      text: (row) =>
        cols
          .map((c) => c.values[c.col[row]])
          .join('\u0000')
          .toLowerCase(),
      columns: cols,
    };
  }
  const segments = parsePath(name, true) ?? [];
  const seen = interner();
  const text = (row: number): string => {
    const vs = valuesAt(parseRaw(store.raw(row)), segments)
      .filter((v) => v !== '')
      .map((v) => v.toLowerCase());
    return vs.length === 0 ? '' : vs.length === 1 ? vs[0] : [...new Set(vs)].sort().join('\u0001');
  };
  return {
    id: (row) => {
      const t = text(row);
      return t ? seen.id(t) : -1;
    },
    radix: most,
    text,
  };
}

/**
 * Reads the key of `names` for a row: undefined when any name has no value (an event without
 * the field cannot be compared on it, so it is left out). No names: every row has key 0. A
 * number while the combined radix fits a double exactly, else the ids joined as text.
 */
export function keyReader(store: EventStore, names: readonly string[]): (row: number) => number | string | undefined {
  const parts = names.map((n) => part(store, n));
  if (parts.length === 0) return () => 0;
  if (parts.length === 1) {
    const p = parts[0].id;
    return (row) => {
      const v = p(row);
      return v < 0 ? undefined : v;
    };
  }
  const exact = parts.reduce((r, p) => r * p.radix, 1) < Number.MAX_SAFE_INTEGER;
  if (exact && parts.every((p) => p.columns)) return columnsKey(parts);
  return (row) => {
    let num = 0;
    let str = '';
    for (const p of parts) {
      const v = p.id(row);
      if (v < 0) return undefined;
      if (exact) num = num * p.radix + v;
      else str += `${v},`;
    }
    return exact ? num : str;
  };
}

/**
 * keyReader for names that are all store columns (the usual case: principal, ip, eventName,
 * region, access key): one loop over flat arrays instead of a closure per name, the same numbers
 * as the parts' ids combined. A first-seen rule reads a million rows' keys; the calls were a
 * good part of its time.
 */
function columnsKey(parts: readonly Part[]): (row: number) => number | undefined {
  const cols: Uint32Array[] = [];
  const empties: number[] = [];
  const sizes: number[] = [];
  const ends: number[] = [];
  const radixes = parts.map((p) => p.radix);
  for (const p of parts) {
    for (const c of p.columns!) {
      cols.push(c.col);
      empties.push(c.empty);
      sizes.push(c.size);
    }
    ends.push(cols.length);
  }
  const n = parts.length;
  return (row) => {
    let num = 0;
    let j = 0;
    for (let p = 0; p < n; p++) {
      let k = 0;
      let any = false;
      for (const end = ends[p]; j < end; j++) {
        const v = cols[j][row];
        if (v !== empties[j]) any = true;
        k = k * sizes[j] + v;
      }
      // A name whose every column is empty: the event has no value for it.
      if (!any) return undefined;
      num = num * radixes[p] + k;
    }
    return num;
  };
}

/** Value reader for value_count: a row's value of `name` ('' when none). */
export function valueReader(store: EventStore, name: string): (row: number) => string {
  return part(store, name).text;
}

/** How firstSeen and correlate mark what fires. */
export interface MarkOptions {
  /** The zeroed mask over the store's rows to mark (default: a new one; run.ts reuses one). */
  fired?: Uint8Array;
  /** false only in tests: without the repeat sieve, to hold its answers to the table's. */
  sieve?: boolean;
}

/** Rows passing `keep`, oldest first, those without a time left out; written into `reuse` when it is large enough. */
export function oldestOf(store: EventStore, keep: (row: number) => boolean, reuse?: ArrayBuffer): Uint32Array {
  const order = store.rowsByTime();
  const times = store.timeColumn();
  const out =
    reuse && reuse.byteLength >= order.length * 4
      ? new Uint32Array(reuse, 0, order.length)
      : new Uint32Array(order.length);
  let n = 0;
  for (let i = order.length - 1; i >= 0; i--) {
    const r = order[i];
    if (keep(r) && !Number.isNaN(times[r])) out[n++] = r;
  }
  return out.subarray(0, n);
}
