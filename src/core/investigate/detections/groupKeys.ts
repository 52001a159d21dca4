/**
 * Keys of events for first-seen and correlation rules: the values a list of names reads from one
 * row, as one string. Indexed fields read the store's compact columns (dictionary ids, no
 * parsing); paths parse the event's raw JSON, which only the rule's candidate rows pay for.
 */
import { parseRaw, parsePath, valuesAt } from '../../query/eventPath';
import { QUERY_FIELDS } from '../../query/query';
import type { EventStore, StringField } from '../../store/store';
import { USER_AGENT_FAMILY } from './ruleKinds';

/** One name's value for a row, as key text; '' when the event has none. */
type Part = (row: number) => string;

/**
 * The product part of a user agent: `aws-cli/2.13.0 Python/3.11` → `aws-cli`,
 * `Boto3/1.28.0 …` → `boto3`, `console.amazonaws.com` → itself. Versions change daily and would
 * make every event a new term; the product does not.
 */
export function userAgentFamily(ua: string): string {
  const s = ua.trim().replace(/^\[/, '').toLowerCase();
  const m = /^[^\s/()[\]]+/.exec(s);
  return m ? m[0] : '';
}

function part(store: EventStore, name: string): Part {
  if (name === USER_AGENT_FAMILY) {
    const col = store.column('userAgent');
    const values = store.dictionary('userAgent').values;
    const cache = new Map<number, string>();
    return (row) => {
      const id = col[row];
      let f = cache.get(id);
      if (f === undefined) cache.set(id, (f = userAgentFamily(values[id] ?? '')));
      return f;
    };
  }
  const fields = QUERY_FIELDS.get(name.toLowerCase()) as readonly StringField[] | undefined;
  if (fields) {
    // Ids stand for values (one dictionary per field); an empty value has an id too, so look it up.
    const cols = fields.map((f) => ({ col: store.column(f), empty: store.dictionary(f).idOf('') }));
    return (row) => {
      let out = '';
      let any = false;
      for (const { col, empty } of cols) {
        const id = col[row];
        if (id !== empty) any = true;
        out += `${id},`;
      }
      return any ? out : '';
    };
  }
  const segments = parsePath(name, true) ?? [];
  return (row) => {
    const vs = valuesAt(parseRaw(store.raw(row)), segments).filter((v) => v !== '').map((v) => v.toLowerCase());
    return vs.length === 0 ? '' : vs.length === 1 ? vs[0] : [...new Set(vs)].sort().join('\u0001');
  };
}

/**
 * Reads the key of `names` for a row: undefined when any name has no value (an event without
 * the field cannot be compared on it, so it is left out). No names: every row has key ''.
 */
export function keyReader(store: EventStore, names: readonly string[]): (row: number) => string | undefined {
  const parts = names.map((n) => part(store, n));
  if (parts.length === 0) return () => '';
  if (parts.length === 1) {
    const p = parts[0];
    return (row) => p(row) || undefined;
  }
  return (row) => {
    let key = '';
    for (const p of parts) {
      const v = p(row);
      if (!v) return undefined;
      key += `${v}\u0000`;
    }
    return key;
  };
}

/** Value reader for value_count: a row's value of `name` ('' when none). */
export function valueReader(store: EventStore, name: string): (row: number) => string {
  return part(store, name);
}

/**
 * The rows given (any order) oldest first, those without a time left out. Walks the store's
 * cached time order backwards instead of sorting: linear in the store, no comparator calls.
 */
export function oldestFirst(store: EventStore, rows: readonly number[] | Uint32Array): Uint32Array {
  const mask = new Uint8Array(store.size);
  for (const r of rows) mask[r] = 1;
  return oldestOf(store, (row) => mask[row] === 1);
}

/** Rows passing `keep`, oldest first, those without a time left out. */
export function oldestOf(store: EventStore, keep: (row: number) => boolean): Uint32Array {
  const order = store.rowsByTime();
  const times = store.timeColumn();
  const out = new Uint32Array(order.length);
  let n = 0;
  for (let i = order.length - 1; i >= 0; i--) {
    const r = order[i];
    if (keep(r) && !Number.isNaN(times[r])) out[n++] = r;
  }
  return out.subarray(0, n);
}
