/**
 * Row sets for the search language's chain terms, in the form SearchEngine.setRowSets takes
 * (set id → rows, newest first, as detections give them):
 *
 * - `origin:<name>`: every event whose chain (chains.ts) starts at that origin, through any
 *   number of hops. Ids are the origin's name (`bert-jan`, `alice@corp`, `ec2.amazonaws.com`,
 *   `i-0dbc…`, an account id, `root`) and, when it has one, its ARN; the engine matches them
 *   ignoring case, `*` a wildcard. Unknown origins have no id.
 * - `issuedBy:<key>`: every event made with a key minted, directly or through further sessions,
 *   by the holder of `<key>` (the events made with `<key>` itself are `accessKey:<key>`).
 *
 * One pass over the rows in time order; each row costs a few Map lookups (chains memoize per
 * issuing call), so a million rows take well under a second.
 */
import { globMatch } from '../../query/glob';
import type { ChainIndex } from './chains';
import type { ChainOrigin } from './who';

/** The ids an origin is found under (`origin:` values). */
export function originIds(o: ChainOrigin): string[] {
  if (!o.name) return [];
  return o.arn && o.arn !== o.name ? [o.name, o.arn] : [o.name];
}

function collect(lists: Map<string, number[]>): Map<string, Uint32Array> {
  const out = new Map<string, Uint32Array>();
  for (const [id, rows] of lists) out.set(id, Uint32Array.from(rows));
  return out;
}

/** `origin:` row sets over `rows` (default: the whole store), each newest first. */
export function originRowSets(index: ChainIndex, rows?: Uint32Array): Map<string, Uint32Array> {
  index.update();
  const lists = new Map<string, number[]>();
  // Origins are shared objects (memoized per call or key): their ids are worked out once each.
  const idsOf = new Map<ChainOrigin, string[]>();
  for (const r of inTimeOrder(index, rows)) {
    const o = index.originOf(r);
    let ids = idsOf.get(o);
    if (!ids) idsOf.set(o, (ids = originIds(o)));
    for (const id of ids) {
      let list = lists.get(id);
      if (!list) lists.set(id, (list = []));
      list.push(r);
    }
  }
  return collect(lists);
}

/** `issuedBy:` row sets: minting key → rows made with its descendants' keys, newest first. */
export function issuedByRowSets(index: ChainIndex, rows?: Uint32Array): Map<string, Uint32Array> {
  index.update();
  const lists = new Map<string, number[]>();
  const keyCol = index.store.column('accessKeyId');
  const keys = index.store.dictionary('accessKeyId').values;
  // Only rows whose key some loaded call minted can have ancestors.
  const minted = new Uint8Array(keys.length);
  keys.forEach((k, id) => {
    if (k && index.mintersOf(k).length > 0) minted[id] = 1;
  });
  for (const r of inTimeOrder(index, rows)) {
    if (!minted[keyCol[r]]) continue;
    for (const k of new Set(index.ancestorKeys(r))) {
      let list = lists.get(k);
      if (!list) lists.set(k, (list = []));
      list.push(r);
    }
  }
  return collect(lists);
}

/** Rows whose origin matches `pattern` (name or ARN, ignoring case, `*` wildcards), newest first. */
export function originRows(index: ChainIndex, pattern: string, rows?: Uint32Array): Uint32Array {
  const parts = pattern.toLowerCase().split('*');
  const out: number[] = [];
  index.update();
  const verdicts = new Map<ChainOrigin, boolean>();
  for (const r of inTimeOrder(index, rows)) {
    const o = index.originOf(r);
    let hit = verdicts.get(o);
    if (hit === undefined) verdicts.set(o, (hit = originIds(o).some((id) => globMatch(parts, id.toLowerCase()))));
    if (hit) out.push(r);
  }
  return Uint32Array.from(out);
}

/** Rows made with keys minted, directly or transitively, from `key` (exact), newest first. */
export function issuedByRows(index: ChainIndex, key: string, rows?: Uint32Array): Uint32Array {
  return issuedByRowSets(index, rows).get(key) ?? new Uint32Array(0);
}

/** `rows` newest first: the store's time order, filtered to `rows` when given. */
function inTimeOrder(index: ChainIndex, rows?: Uint32Array): Uint32Array {
  const order = index.store.rowsByTime();
  if (!rows) return order;
  const keep = new Uint8Array(index.store.size);
  for (const r of rows) if (r < keep.length) keep[r] = 1;
  return order.filter((r) => keep[r] === 1);
}
