/**
 * Sessions: the events of one principal or one access key, split where the activity pauses for
 * longer than a gap (30 minutes by default). Each session carries a search-language query that
 * selects exactly its events, so "show this session" is an ordinary search.
 *
 * Grouping by principal files an event under its ARN, or under its name when it has no ARN (AWS
 * services, some console events). The language's `principal:K` matches an event whose name *or*
 * ARN equals K ignoring case, so a name group's query adds `principal:""` (name or ARN empty) to
 * leave out events that carry an ARN; a query is omitted when a forged name equals an ARN, where
 * no query could be exact.
 */
import type { SessionBy, SessionLink } from '../../protocol/eventView';
import { fieldTerm } from '../query/query';
import type { EventStore, StringField } from '../store/store';
import { lowerBound } from '../model/sorted';

/** By principal or by access key: the protocol's type, so the event view and core agree. */
export type { SessionBy };

/** Activity pausing longer than this starts a new session. */
export const DEFAULT_SESSION_GAP_MS = 30 * 60_000;
/** The query's time bounds are whole seconds, so shorter gaps could not be selected exactly. */
export const MIN_SESSION_GAP_MS = 1000;

/** A session as the event view links it (by, key as first seen, first and last time, count, errors), plus: */
export interface Session extends Omit<SessionLink, 'gapMinutes'> {
  /** The most frequent event names, most frequent first. */
  topEventNames: Array<{ name: string; count: number }>;
  /**
   * Selects exactly this session's events: on its own over the whole store (`sessionOf`), or
   * appended to the query that produced the rows (`sessionsFor`). Undefined when the key or times
   * cannot be written in the language exactly (a key padded with spaces, a year past 9999).
   */
  query?: string;
}

export interface SessionList {
  /** Newest first, at most `limit`. */
  sessions: Session[];
  /** Sessions found before the limit. */
  total: number;
  /** Rows left out: no time, or no principal / access key. */
  skipped: number;
}

export interface SessionOptions {
  gapMs?: number;
  /** Most sessions returned (default 1000). */
  limit?: number;
  /** Event names listed per session (default 5). */
  topNames?: number;
}

function checkGap(gapMs: number): void {
  if (!(gapMs >= MIN_SESSION_GAP_MS) || !Number.isFinite(gapMs)) {
    throw new RangeError(`A session gap is a number of milliseconds of at least ${MIN_SESSION_GAP_MS} (got ${gapMs}).`);
  }
}

/** The search's notion of "equal ignoring case": same length, same lower case. */
function matchKey(value: string): string {
  return `${value.length}:${value.toLowerCase()}`;
}

/** A group: an ARN, a name (principal without ARN) or an access key; the value as first seen. */
interface Group {
  kind: 'arn' | 'name' | 'accessKey';
  key: string;
}

/** The group a row's sessions are filed under; undefined when it has no principal / access key. */
function groupOf(store: EventStore, row: number, by: SessionBy): Group | undefined {
  if (by === 'accessKey') {
    const key = store.value('accessKeyId', row);
    return key ? { kind: 'accessKey', key } : undefined;
  }
  const arn = store.value('principalArn', row);
  if (arn) return { kind: 'arn', key: arn };
  const name = store.value('principal', row);
  return name ? { kind: 'name', key: name } : undefined;
}

/** The query of one session of a group; undefined when it cannot be written exactly. */
function groupQuery(g: Group, start: number, end: number): string | undefined {
  const q = sessionQuery(g.kind === 'accessKey' ? 'accessKey' : 'principal', g.key, start, end);
  return q && g.kind === 'name' ? `${q} principal:""` : q;
}

/** `2024-03-01T10:00:05Z` for `after:`/`before:`, or undefined where the parser could not read it back. */
export function queryInstant(ms: number): string | undefined {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  if (!Number.isFinite(ms) || year < 1000 || year > 9999) return undefined;
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The query for one session. `after:` is inclusive and `before:` exclusive, both to the second:
 * the window [floor(start), floor(end) + 1 s) holds no other event of the key, since one within a
 * second of the session would be within the gap (≥ 1 s) and so part of it.
 */
export function sessionQuery(by: SessionBy, key: string, start: number, end: number): string | undefined {
  // The parser trims values, so a padded key would select a different one.
  if (!key || key !== key.trim()) return undefined;
  const after = queryInstant(Math.floor(start / 1000) * 1000);
  const before = queryInstant(Math.floor(end / 1000) * 1000 + 1000);
  if (!after || !before) return undefined;
  return `${fieldTerm(by === 'principal' ? 'principal' : 'accessKey', key)} after:${after} before:${before}`;
}

/** Summarizes the rows [from, to) of one session (sorted by time). */
function summarize(
  store: EventStore,
  by: SessionBy,
  g: Group,
  rows: ArrayLike<number>,
  from: number,
  to: number,
  topNames: number,
  exactable: boolean,
): Session {
  const start = store.time(rows[from]);
  const end = store.time(rows[to - 1]);
  const noError = store.dictionary('errorCode').idOf('');
  const names = new Map<number, number>();
  let errors = 0;
  for (let i = from; i < to; i++) {
    const r = rows[i];
    if (store.valueId('errorCode', r) !== noError) errors++;
    const id = store.valueId('eventName', r);
    names.set(id, (names.get(id) ?? 0) + 1);
  }
  const nameValues = store.dictionary('eventName').values;
  const topEventNames = [...names]
    .sort((a, b) => b[1] - a[1] || (nameValues[a[0]] < nameValues[b[0]] ? -1 : 1))
    .slice(0, topNames)
    .map(([id, count]) => ({ name: nameValues[id], count }));
  const session: Session = { by, key: g.key, start, end, count: to - from, errors, topEventNames };
  const query = exactable ? groupQuery(g, start, end) : undefined;
  if (query) session.query = query;
  return session;
}

/** Rows of the store in the same group as `g`. */
function groupRows(store: EventStore, g: Group): number[] {
  const field: StringField = g.kind === 'accessKey' ? 'accessKeyId' : g.kind === 'arn' ? 'principalArn' : 'principal';
  const wanted = matchKey(g.key);
  const dict = store.dictionary(field);
  const rows: number[] = [];
  dict.values.forEach((v, id) => {
    if (v.length !== g.key.length || matchKey(v) !== wanted) return;
    for (const r of dict.rows(id)) if (g.kind !== 'name' || !store.value('principalArn', r)) rows.push(r);
  });
  return rows;
}

/**
 * The session around `row` among all the store's events of the row's principal (`by:
 * 'principal'`) or access key. Undefined when the row has no time or no such key.
 */
export function sessionOf(
  store: EventStore,
  row: number,
  by: SessionBy,
  gapMs = DEFAULT_SESSION_GAP_MS,
  topNames = 5,
): Session | undefined {
  checkGap(gapMs);
  const g = groupOf(store, row, by);
  if (!g || Number.isNaN(store.time(row))) return undefined;
  const { rows, times, exactable } = sortedGroup(store, g);
  let from = indexOfRow(rows, times, row, store.time(row));
  if (from < 0) return undefined;
  let to = from + 1;
  while (from > 0 && times[from] - times[from - 1] <= gapMs) from--;
  while (to < rows.length && times[to] - times[to - 1] <= gapMs) to++;
  return summarize(store, by, g, rows, from, to, topNames, exactable);
}

interface SortedGroup {
  rows: Uint32Array;
  times: Float64Array;
  exactable: boolean;
}

/**
 * A group's timed rows in time order, with their times, and whether its query can be exact; kept
 * per store version. The event view asks for the sessions of every event opened: without this,
 * each open re-collected and re-sorted the group (~0.8 s for a principal with 500,000 events).
 */
const groupCache = new WeakMap<EventStore, { version: number; groups: Map<string, SortedGroup> }>();

function sortedGroup(store: EventStore, g: Group): SortedGroup {
  let cache = groupCache.get(store);
  if (!cache || cache.version !== store.version)
    groupCache.set(store, (cache = { version: store.version, groups: new Map() }));
  const key = `${g.kind}\u0000${matchKey(g.key)}`;
  let sorted = cache.groups.get(key);
  if (!sorted) {
    const all = Uint32Array.from(groupRows(store, g).filter((r) => !Number.isNaN(store.time(r))));
    const unsorted = Float64Array.from(all, (r) => store.time(r));
    const order = Array.from(all.keys()).sort((a, b) => unsorted[a] - unsorted[b] || all[a] - all[b]);
    sorted = {
      rows: Uint32Array.from(order, (i) => all[i]),
      times: Float64Array.from(order, (i) => unsorted[i]),
      exactable: !collision(store, g),
    };
    // A few groups are enough for clicking through a table; more would only hold memory.
    if (cache.groups.size >= 16) cache.groups.delete(cache.groups.keys().next().value!);
    cache.groups.set(key, sorted);
  }
  return sorted;
}

/** Where `row` (at `time`) sits in a time-sorted group: a binary search, then the ties. */
function indexOfRow(rows: Uint32Array, times: Float64Array, row: number, time: number): number {
  for (let i = lowerBound(times, time); i < times.length && times[i] === time; i++) if (rows[i] === row) return i;
  return -1;
}

/** Whether another field's value equals the group's key, so `principal:K` would select more. */
function collision(store: EventStore, g: Group, values?: { names: Set<string>; arns: Set<string> }): boolean {
  if (g.kind === 'accessKey') return false;
  const other: StringField = g.kind === 'arn' ? 'principal' : 'principalArn';
  if (values) return (g.kind === 'arn' ? values.names : values.arns).has(matchKey(g.key));
  const wanted = matchKey(g.key);
  const dict = store.dictionary(other);
  return dict.values.some((v, id) => v.length === g.key.length && dict.rows(id).length > 0 && matchKey(v) === wanted);
}

/**
 * The sessions among `rows` (a result set), newest first. Gaps are measured between the rows
 * given, so each session's `query`, appended to the query that produced `rows`, selects exactly
 * its rows. Linear in `rows`, plus a sort when they are not in time order and one of the sessions
 * by start; only the `limit` sessions returned are built as objects.
 */
export function sessionsFor(
  store: EventStore,
  rows: Uint32Array,
  by: SessionBy,
  options: SessionOptions = {},
): SessionList {
  const gapMs = options.gapMs ?? DEFAULT_SESSION_GAP_MS;
  checkGap(gapMs);
  const limit = options.limit ?? 1000;
  const topNames = options.topNames ?? 5;
  const groupIndex = new Map<string, number>();
  const groups: Group[] = [];
  // A row's group by the dictionary id it is filed under, worked out once per distinct value.
  const primary: StringField = by === 'accessKey' ? 'accessKeyId' : 'principalArn';
  const primaryCache = new Int32Array(store.dictionary(primary).size).fill(-1);
  const nameCache = new Int32Array(by === 'principal' ? store.dictionary('principal').size : 0).fill(-1);
  const emptyPrimary = store.dictionary(primary).idOf('');
  const emptyName = store.dictionary('principal').idOf('');
  const groupOfRow = (r: number): number => {
    const pid = store.valueId(primary, r);
    const named = by === 'principal' && pid === emptyPrimary;
    if (!named && pid === emptyPrimary) return -1;
    const id = named ? store.valueId('principal', r) : pid;
    if (named && id === emptyName) return -1;
    const cache = named ? nameCache : primaryCache;
    if (cache[id] < 0) {
      const g = groupOf(store, r, by)!;
      const mk = `${g.kind}\u0000${matchKey(g.key)}`;
      let k = groupIndex.get(mk);
      if (k === undefined) {
        groupIndex.set(mk, (k = groups.length));
        groups.push(g);
      }
      cache[id] = k;
    }
    return cache[id];
  };
  const timed: number[] = [];
  const rowGroup = new Int32Array(store.size);
  let skipped = 0;
  for (const r of rows) {
    const k = Number.isNaN(store.time(r)) ? -1 : groupOfRow(r);
    if (k < 0) skipped++;
    else {
      timed.push(r);
      rowGroup[r] = k;
    }
  }
  const order = byTime(store, timed);
  // Counting sort by group; rows keep their time order within a group.
  const starts = new Uint32Array(groups.length + 1);
  for (const r of order) starts[rowGroup[r] + 1]++;
  for (let k = 1; k <= groups.length; k++) starts[k] += starts[k - 1];
  const byGroup = new Uint32Array(order.length);
  const fill = starts.slice(0, groups.length);
  for (const r of order) byGroup[fill[rowGroup[r]]++] = r;
  // Session bounds (end index in byGroup) as plain numbers: a million one-event sessions must not
  // become a million objects when a thousand are shown.
  const bounds: number[] = [];
  const groupOfBound: number[] = [];
  for (let k = 0; k < groups.length; k++) {
    for (let i = starts[k] + 1; i <= starts[k + 1]; i++) {
      if (i === starts[k + 1] || store.time(byGroup[i]) - store.time(byGroup[i - 1]) > gapMs) {
        bounds.push(i);
        groupOfBound.push(k);
      }
    }
  }
  const fromOf = (b: number): number =>
    b === 0 || groupOfBound[b - 1] !== groupOfBound[b] ? starts[groupOfBound[b]] : bounds[b - 1];
  const startTimes = Float64Array.from(bounds, (_end, b) => store.time(byGroup[fromOf(b)]));
  const newest = Uint32Array.from(bounds.keys())
    .sort((a, b) => startTimes[b] - startTimes[a] || a - b)
    .subarray(0, limit);
  const lowered = (f: StringField): Set<string> => {
    const dict = store.dictionary(f);
    return new Set(dict.values.filter((_v, id) => dict.rows(id).length > 0).map(matchKey));
  };
  const values = by === 'principal' ? { names: lowered('principal'), arns: lowered('principalArn') } : undefined;
  const sessions = Array.from(newest, (b) => {
    const g = groups[groupOfBound[b]];
    return summarize(store, by, g, byGroup, fromOf(b), bounds[b], topNames, !collision(store, g, values));
  });
  return { sessions, total: bounds.length, skipped };
}

/** Rows in ascending time order; result sets usually come sorted already (newest or oldest first). */
function byTime(store: EventStore, rows: number[]): Uint32Array {
  let up = true;
  let down = true;
  for (let i = 1; i < rows.length && (up || down); i++) {
    const d = store.time(rows[i]) - store.time(rows[i - 1]);
    if (d < 0) up = false;
    if (d > 0) down = false;
  }
  const out = Uint32Array.from(rows);
  if (up) return out;
  if (down) return out.reverse();
  return out.sort((a, b) => store.time(a) - store.time(b) || a - b);
}
