/**
 * The store worker's identity requests (storeService.ts answers them): the chain behind a row as
 * the event view shows it, the chain row sets behind `origin:` and `issuedBy:`, and which rows a
 * least-privilege draft covers. The work is core's (investigate/identity); this picks rows and
 * shapes answers.
 */
import { formatUtc } from '../model/time';
import type { Chain } from '../investigate/identity/chains';
import { issuedByRowSets, originRowSets } from '../investigate/identity/rowSets';
import { sessionOf } from '../investigate/sessions';
import type { ChainView } from '../../protocol/identity';
import type { Investigation } from './investigation';
import type { PolicyOf } from './storeProtocol';

/** The row-set families the chain terms read (`origin:x`, `issuedBy:x`; families are lower-case). */
export const ORIGIN_SET = 'origin';
export const ISSUED_BY_SET = 'issuedby';

/** A chain as the event view shows it (times as UTC text; NaN does not survive JSON). */
export function chainView(c: Chain): ChainView {
  return {
    origin: {
      kind: c.origin.kind,
      label: c.origin.label,
      arn: c.origin.arn,
      account: c.origin.account,
      inferred: c.origin.inferred,
    },
    hops: c.hops.map((h) => ({
      row: h.row ?? null,
      inferred: h.inferred,
      eventName: h.eventName,
      identity: h.identity,
      identityArn: h.identityArn,
      account: h.account,
      callerAccount: h.callerAccount,
      crossAccount: h.crossAccount,
      key: h.key,
      time: Number.isNaN(h.time) ? null : h.time,
      timeUtc: Number.isNaN(h.time) ? '' : formatUtc(h.time),
      sourceIp: h.sourceIp,
      sourceIdentity: h.sourceIdentity,
    })),
    end: c.end,
    notes: c.notes.slice(),
  };
}

/** The chain behind `row`, or undefined for a row that is not stored. */
export function chainOfRow(inv: Investigation, row: number): ChainView | undefined {
  if (!Number.isInteger(row) || row < 0 || row >= inv.store.size) return undefined;
  return chainView(inv.chains.chainOf(row));
}

/** Names the `origin` and `issuedby` row sets over everything loaded, computed when a query first asks. */
export function setChainRowSets(inv: Investigation): void {
  const index = inv.chains;
  inv.engine.setRowSetsLazily(ORIGIN_SET, () => originRowSets(index));
  inv.engine.setRowSetsLazily(ISSUED_BY_SET, () => issuedByRowSets(index));
}

/** The rows a policy draft covers, and what they are in words. */
export function policyRows(inv: Investigation, of: PolicyOf): { rows: ArrayLike<number>; scope: string } {
  const store = inv.store;
  if (of.kind === 'query') {
    // Its own copy: the view's result set (and the cached empty query's time order) stay put.
    const rows = inv.engine.search(of.text, of.sort).rows.slice();
    return {
      rows,
      scope: of.text.trim() ? `the events of the search ${JSON.stringify(of.text.trim())}` : 'every event loaded',
    };
  }
  const row = of.row;
  if (!Number.isInteger(row) || row < 0 || row >= store.size) throw new Error(`No event at row ${row}.`);
  if (of.kind === 'session') {
    const key = store.value('accessKeyId', row);
    if (key) {
      const id = store.dictionary('accessKeyId').idOf(key)!;
      return {
        rows: store.dictionary('accessKeyId').rows(id),
        scope: `the session of access key ${key} (every event made with it)`,
      };
    }
    const s = sessionOf(store, row, 'principal', of.gapMs);
    if (!s?.query) return { rows: [row], scope: 'this event alone (its session cannot be selected exactly)' };
    return {
      rows: inv.engine.search(s.query, 'newest').rows.slice(),
      scope: `the session of ${s.key} (${s.count} events)`,
    };
  }
  return principalRows(inv, row);
}

/** A role session's principal is its role (every session of it); anyone else's, its ARN or name. */
function principalRows(inv: Investigation, row: number): { rows: ArrayLike<number>; scope: string } {
  const store = inv.store;
  const arn = store.value('principalArn', row);
  const arns = store.dictionary('principalArn');
  const role = /^(arn:[^:]+:sts::\d*:assumed-role\/[^/]+\/)/.exec(arn)?.[1];
  if (role) {
    const rows: number[] = [];
    arns.values.forEach((v, id) => {
      if (v.startsWith(role)) for (const r of arns.rows(id)) rows.push(r);
    });
    return { rows, scope: `role ${role.slice(role.indexOf('assumed-role/') + 13, -1)} (every session of it)` };
  }
  if (arn) return { rows: arns.rows(arns.idOf(arn)!), scope: `principal ${arn}` };
  const name = store.value('principal', row);
  if (!name) return { rows: [row], scope: 'this event alone (it names no principal)' };
  const names = store.dictionary('principal');
  const noArn = arns.idOf('');
  const rows = names.rows(names.idOf(name)!).filter((r) => store.valueId('principalArn', r) === noArn);
  return { rows, scope: `principal ${name}` };
}
