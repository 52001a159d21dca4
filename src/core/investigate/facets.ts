/**
 * Top values of the current result set ("pivots"): for each field people pivot on, the most
 * frequent values with their counts. Counting walks the result rows once per field over the
 * store's dictionary ids (a typed array of counters per field), so it costs the result size,
 * not the number of distinct values.
 */
import type { Facet } from '../../protocol/logViewer';
import type { EventStore, StringField } from '../store/store';

/** The panels, in display order: store column, query field name, title. */
export const FACET_FIELDS: ReadonlyArray<{ field: StringField; name: string; title: string }> = [
  { field: 'eventName', name: 'eventName', title: 'Event names' },
  { field: 'principal', name: 'principal', title: 'Principals' },
  { field: 'accessKeyId', name: 'accessKey', title: 'Access keys' },
  { field: 'sourceIp', name: 'ip', title: 'Source IPs' },
  { field: 'awsRegion', name: 'region', title: 'Regions' },
  { field: 'account', name: 'account', title: 'Accounts' },
  { field: 'errorCode', name: 'error', title: 'Error codes' },
  { field: 'userAgent', name: 'userAgent', title: 'User agents' },
];

export const DEFAULT_TOP = 8;
/** Values longer than this are cut for display and cannot be clicked to filter (see `Facet`). */
export const MAX_FACET_VALUE = 2000;

/** Top `top` non-empty values of each facet field over `rows`, most frequent first (ties: by value). */
export function topValues(store: EventStore, rows: ArrayLike<number>, top = DEFAULT_TOP): Facet[] {
  return FACET_FIELDS.map(({ field, name, title }) => {
    const dict = store.dictionary(field);
    const counts = new Uint32Array(dict.size);
    for (let i = 0; i < rows.length; i++) counts[store.valueId(field, rows[i])]++;
    const empty = dict.idOf('');
    let distinct = 0;
    // Keep the best `top` ids in a small sorted array: no sort of the whole vocabulary.
    const best: number[] = [];
    const better = (a: number, b: number): boolean =>
      counts[a] > counts[b] || (counts[a] === counts[b] && dict.values[a] < dict.values[b]);
    for (let id = 0; id < counts.length; id++) {
      if (counts[id] === 0 || id === empty) continue;
      distinct++;
      if (best.length === top && !better(id, best[top - 1])) continue;
      let at = best.length === top ? top - 1 : best.length;
      while (at > 0 && better(id, best[at - 1])) at--;
      best.splice(at, 0, id);
      if (best.length > top) best.pop();
    }
    return {
      name,
      title,
      distinct,
      missing: empty === undefined ? 0 : counts[empty],
      values: best.map((id) => {
        const value = dict.values[id];
        return value.length > MAX_FACET_VALUE
          ? { value: value.slice(0, MAX_FACET_VALUE), count: counts[id], cut: true }
          : { value, count: counts[id] };
      }),
    };
  });
}
