/**
 * The access-key report: everything the logs say about one key id. Its life (IAM's
 * CreateAccessKey names a new key in `responseElements.accessKey.accessKeyId`; DeleteAccessKey
 * and UpdateAccessKey in `requestParameters.accessKeyId`), or for a temporary key the call that
 * minted it; when and from where it was used (first and last seen, source IPs, user agents,
 * services, event names, principals, errors); and the sessions minted with it.
 *
 * The key's own events come from the accessKeyId index; only the few IAM key-management events
 * are parsed (the store does not index the key ids inside request and response bodies).
 */
import { isObject, str } from '../../model/json';
import { parseRaw } from '../../query/eventPath';
import type { EventStore, StringField } from '../../store/store';
import { hopOf, type ChainHop, type ChainIndex } from './chains';
import { isTemporaryKey } from './who';

export interface Count {
  value: string;
  count: number;
}

export interface KeyLifeEvent {
  row: number;
  time: number;
  eventName: string;
  /** Who made the call (principal name). */
  by: string;
  /** The IAM user the key belongs to, as the call names it. */
  userName: string;
  /** UpdateAccessKey's new status (`Active` / `Inactive`); '' otherwise. */
  status: string;
  errorCode: string;
}

export interface MintedSession {
  row: number;
  time: number;
  eventName: string;
  /** The identity created (`Role/session`) and the key minted. */
  identity: string;
  key: string;
  /** Events made with the minted key. */
  events: number;
}

export interface KeyReport {
  key: string;
  /** `AKIA…` long-term, `ASIA…` temporary. */
  kind: 'longTerm' | 'temporary' | 'other';
  /** CreateAccessKey / DeleteAccessKey / UpdateAccessKey calls naming the key, oldest first. */
  life: KeyLifeEvent[];
  /** For a temporary key: the call that minted it, when loaded. */
  mintedBy?: ChainHop;
  events: number;
  errors: number;
  /** errors / events (0 when unused). */
  errorRate: number;
  /** NaN when the key made no timed event. */
  firstSeen: number;
  lastSeen: number;
  principals: Count[];
  sourceIps: Count[];
  userAgents: Count[];
  eventSources: Count[];
  eventNames: Count[];
  errorCodes: Count[];
  sessions: MintedSession[];
}

const LIFE_EVENTS = ['CreateAccessKey', 'DeleteAccessKey', 'UpdateAccessKey'];

/** The report for `key` (exact id). `top` bounds each count list (default 20). */
export function keyReport(index: ChainIndex, key: string, top = 20): KeyReport {
  index.update();
  const store = index.store;
  const id = key ? store.dictionary('accessKeyId').idOf(key) : undefined;
  const rows = id === undefined ? new Uint32Array(0) : store.dictionary('accessKeyId').rows(id);
  const noError = store.dictionary('errorCode').idOf('');
  let errors = 0;
  let first = NaN;
  let last = NaN;
  const tallies = new Map<StringField, Map<number, number>>();
  const fields: StringField[] = ['principal', 'sourceIp', 'userAgent', 'eventSource', 'eventName', 'errorCode'];
  for (const f of fields) tallies.set(f, new Map());
  for (const r of rows) {
    const t = store.time(r);
    if (!Number.isNaN(t)) {
      if (Number.isNaN(first) || t < first) first = t;
      if (Number.isNaN(last) || t > last) last = t;
    }
    if (store.valueId('errorCode', r) !== noError) errors++;
    for (const f of fields) {
      const m = tallies.get(f)!;
      const v = store.valueId(f, r);
      m.set(v, (m.get(v) ?? 0) + 1);
    }
  }
  const counts = (f: StringField): Count[] => {
    const values = store.dictionary(f).values;
    return [...tallies.get(f)!]
      .filter(([v]) => values[v] !== '')
      .map(([v, count]) => ({ value: values[v], count }))
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
      .slice(0, top);
  };
  const minter = index.mintersOf(key);
  const report: KeyReport = {
    key,
    kind: key.startsWith('AKIA') ? 'longTerm' : isTemporaryKey(key) ? 'temporary' : 'other',
    life: lifeEvents(store, key),
    events: rows.length,
    errors,
    errorRate: rows.length ? errors / rows.length : 0,
    firstSeen: first,
    lastSeen: last,
    principals: counts('principal'),
    sourceIps: counts('sourceIp'),
    userAgents: counts('userAgent'),
    eventSources: counts('eventSource'),
    eventNames: counts('eventName'),
    errorCodes: counts('errorCode'),
    sessions: mintedSessions(index, key),
  };
  // The earliest minting call: a key minted twice is hostile data, which the chain notes.
  if (minter.length > 0) report.mintedBy = hopOf(minter[0]);
  return report;
}

/** IAM key-management calls naming `key`, oldest first. */
function lifeEvents(store: EventStore, key: string): KeyLifeEvent[] {
  const out: KeyLifeEvent[] = [];
  if (!key) return out;
  const names = store.dictionary('eventName');
  const iam = store.dictionary('eventSource').idOf('iam.amazonaws.com');
  for (const name of LIFE_EVENTS) {
    const nameId = names.idOf(name);
    if (nameId === undefined || iam === undefined) continue;
    for (const r of names.rows(nameId)) {
      if (store.valueId('eventSource', r) !== iam) continue;
      const ev = parseRaw(store.raw(r));
      if (!isObject(ev)) continue;
      const req = isObject(ev.requestParameters) ? ev.requestParameters : {};
      const res = isObject(ev.responseElements) ? ev.responseElements : {};
      const made = isObject(res.accessKey) ? res.accessKey : {};
      const named = name === 'CreateAccessKey' ? str(made.accessKeyId) : str(req.accessKeyId);
      if (named !== key) continue;
      out.push({
        row: r,
        time: store.time(r),
        eventName: name,
        by: store.value('principal', r),
        userName: str(made.userName) || str(req.userName),
        status: name === 'UpdateAccessKey' ? str(req.status) : '',
        errorCode: str(ev.errorCode),
      });
    }
  }
  return out.sort(
    (a, b) => (Number.isNaN(a.time) ? 1 : 0) - (Number.isNaN(b.time) ? 1 : 0) || a.time - b.time || a.row - b.row,
  );
}

/** Sessions minted by calls made with `key`, oldest first. */
function mintedSessions(index: ChainIndex, key: string): MintedSession[] {
  const store = index.store;
  const keys = store.dictionary('accessKeyId');
  const out: MintedSession[] = [];
  if (!key) return out;
  for (const iss of index.issuances()) {
    if (iss.caller.accessKeyId !== key || !iss.issuedKey) continue;
    const h = hopOf(iss);
    const id = keys.idOf(iss.issuedKey);
    out.push({
      row: iss.row,
      time: iss.time,
      eventName: iss.eventName,
      identity: h.identity,
      key: iss.issuedKey,
      events: id === undefined ? 0 : keys.rows(id).length,
    });
  }
  return out.sort((a, b) => a.time - b.time || a.row - b.row);
}
