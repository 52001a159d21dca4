/**
 * Credential chains: "who is really behind this event?" An event made with temporary credentials
 * names a session; the call that minted its key (issuers.ts) was made with other credentials,
 * and so on back to an origin (who.ts): an IAM user's long-term key, root, an Identity Center,
 * SAML or web-identity user, an AWS service, an EC2 instance profile, another account.
 *
 * The index maps each minted key to the successful calls that minted it, built from the issuing
 * events alone (parsed once; rows appended later are indexed on the next `update`). Resolving a
 * row walks up that map, a Map lookup per hop; a call's chain is memoized, so resolving every row
 * of a million-event store costs one pass over its columns plus one walk per issuing call.
 *
 * Hostile data ends with a note, never a hang: a key minted by a call made with that same key, a
 * cycle, or more than MAX_CHAIN_HOPS hops. A key minted by several calls (AWS never reissues a
 * key id; copies of one cross-account call, same requestID, count once) resolves to the latest
 * call at or before the use, noted as ambiguous. Where the issuing call is not loaded, the chain
 * continues from what the session's own identity says, marked inferred.
 */
import { parseRaw } from '../../query/eventPath';
import type { EventStore } from '../../store/store';
import { issuingRows, readIssuance, richer, sameCall, type Issuance } from './issuers';
import { hopOf, inferredHops, whoFromColumns, type ChainHop } from './hops';
import { isInstanceId, isTemporaryKey, origin, originOfWho, whoOf, type ChainOrigin, type Who } from './who';

export type { ChainOrigin, OriginKind } from './who';
export { hopOf, inferredHops, whoFromColumns, type ChainHop } from './hops';

/**
 * Hops followed before giving up. AWS documents no count for role chaining, only that a chained
 * session lasts at most an hour (IAM User Guide, "Roles terms and concepts"); real chains have a
 * handful of hops, so 16 is far beyond any and still cheap.
 */
export const MAX_CHAIN_HOPS = 16;
/** A key may appear in use this long before its minting call's time (CloudTrail times are per service). */
export const CLOCK_SKEW_MS = 60_000;
/** Identity Center's portal call and the AssumeRoleWithSAML it causes are this close in time. */
const PORTAL_WINDOW_MS = 10 * 60_000;

/** origin: reached; missing: an issuing call is not loaded (the rest is inferred); loop / tooLong: hostile data. */
export type ChainEnd = 'origin' | 'missing' | 'loop' | 'tooLong';

export interface Chain {
  row: number;
  origin: ChainOrigin;
  /** Nearest the origin first; the last hop minted the row's own key. */
  hops: ChainHop[];
  end: ChainEnd;
  notes: string[];
}

/** A call's chain up to (and including) its own hop. */
interface Resolved {
  origin: ChainOrigin;
  hops: ChainHop[];
  end: ChainEnd;
  notes: string[];
  /** Keys of every caller along it, for `issuedBy:`. */
  callerKeys: string[];
}

interface Pick {
  issuance: Issuance;
  note?: string;
}

export class ChainIndex {
  /** Minted key → the distinct successful calls minting it, oldest first. */
  private readonly byKey = new Map<string, Issuance[]>();
  private readonly byRow = new Map<number, Issuance>();
  private readonly portal: Issuance[] = [];
  private builtTo = 0;
  private memo = new Map<number, Resolved>();
  /** originOf's caches: per accessKeyId value id, and per identity without a key. */
  private keyOrigins = new Map<number, ChainOrigin>();
  private plainOrigins = new Map<string, ChainOrigin>();
  private parses = 0;
  /** Raw events originOf may parse to infer origins of keys whose minting call is not loaded. */
  static readonly INFERENCE_PARSES = 20_000;

  constructor(readonly store: EventStore) {
    this.update();
  }

  /** Indexes rows added since the last call (cheap when none were). */
  update(): void {
    const n = this.store.size;
    if (n === this.builtTo) return;
    for (const row of issuingRows(this.store, this.builtTo)) {
      const iss = readIssuance(this.store, row);
      if (!iss) continue;
      this.byRow.set(row, iss);
      if (iss.errorCode) continue;
      if (iss.eventName === 'GetRoleCredentials') this.portal.push(iss);
      if (!iss.issuedKey) continue;
      const list = this.byKey.get(iss.issuedKey) ?? [];
      const copy = list.findIndex((o) => sameCall(o, iss));
      if (copy >= 0) list[copy] = richer(list[copy], iss);
      else list.push(iss);
      list.sort(byTime);
      this.byKey.set(iss.issuedKey, list);
    }
    this.builtTo = n;
    this.memo = new Map();
    this.keyOrigins = new Map();
    this.plainOrigins = new Map();
  }

  /** Every issuing call indexed (failed ones too), by row. */
  issuances(): IterableIterator<Issuance> {
    return this.byRow.values();
  }

  issuance(row: number): Issuance | undefined {
    return this.byRow.get(row);
  }

  /** The distinct successful calls that minted `key`, oldest first (empty when none is loaded). */
  mintersOf(key: string): readonly Issuance[] {
    return this.byKey.get(key) ?? [];
  }

  /** The chain behind `row`, reading the row's own identity from its raw event. */
  chainOf(row: number): Chain {
    this.update();
    return this.chainFor(row, whoOf(parseRaw(this.store.raw(row))));
  }

  private chainFor(row: number, who: Who): Chain {
    const p = who.accessKeyId ? this.pick(who.accessKeyId, this.store.time(row)) : undefined;
    if (!p) {
      const hops = inferredHops(who);
      const o = originOfWho(who);
      return { row, origin: o, hops, end: hops.length > 0 || o.inferred ? 'missing' : 'origin', notes: [] };
    }
    const notes = p.note ? [p.note] : [];
    if (p.issuance.row === row) {
      notes.push(`This event minted the very key it was made with (${who.accessKeyId}): the logs are inconsistent.`);
      return { row, origin: origin('unknown', ''), hops: [], end: 'loop', notes };
    }
    const r = this.resolve(p.issuance);
    return { row, origin: r.origin, hops: r.hops.slice(), end: r.end, notes: [...notes, ...r.notes] };
  }

  /**
   * The origin of `row` from the store's columns, for every row at once (row sets, the graph):
   * a raw event is parsed only for a key whose minting call is not loaded, once per key and at
   * most INFERENCE_PARSES in all (past that, the columns alone).
   */
  originOf(row: number): ChainOrigin {
    const keyId = this.store.valueId('accessKeyId', row);
    const key = this.store.dictionary('accessKeyId').values[keyId];
    if (key && this.byKey.has(key)) {
      const p = this.pick(key, this.store.time(row))!;
      return p.issuance.row === row ? origin('unknown', '') : this.resolve(p.issuance).origin;
    }
    if (key) {
      let o = this.keyOrigins.get(keyId);
      if (!o) this.keyOrigins.set(keyId, (o = this.chainFor(row, this.whoOfRow(row)).origin));
      return o;
    }
    const type = this.store.value('identityType', row);
    const cacheKey = `${this.store.valueId('identityType', row)}:${this.store.valueId('principal', row)}:${this.store.valueId('principalArn', row)}`;
    let o = this.plainOrigins.get(cacheKey);
    // A session's origin may need its issuer's path (service-linked roles): read one event of it.
    const needsRaw = type === 'AssumedRole' || type === 'FederatedUser';
    if (!o)
      this.plainOrigins.set(
        cacheKey,
        (o = originOfWho(needsRaw ? this.whoOfRow(row) : whoFromColumns(this.store, row))),
      );
    return o;
  }

  /** The keys whose holders minted, directly or through other sessions, the key `row` was made with. */
  ancestorKeys(row: number): readonly string[] {
    const key = this.store.value('accessKeyId', row);
    const p = key ? this.pick(key, this.store.time(row)) : undefined;
    if (!p || p.issuance.row === row) return [];
    return this.resolve(p.issuance).callerKeys;
  }

  private whoOfRow(row: number): Who {
    if (this.parses >= ChainIndex.INFERENCE_PARSES) return whoFromColumns(this.store, row);
    this.parses++;
    const who = whoOf(parseRaw(this.store.raw(row)));
    return who.type || who.accessKeyId ? who : whoFromColumns(this.store, row);
  }

  /** The call that minted `key` for a use at `time`: the latest at or before it. */
  private pick(key: string, time: number): Pick | undefined {
    const list = this.byKey.get(key);
    if (!list) return undefined;
    if (list.length === 1 && !(list[0].time > time + CLOCK_SKEW_MS)) return { issuance: list[0] };
    let chosen: Issuance | undefined;
    for (const iss of list) if (Number.isNaN(time) || !(iss.time > time + CLOCK_SKEW_MS)) chosen = iss;
    const rows = list
      .map((i) => i.row)
      .slice(0, 5)
      .join(', ');
    if (!chosen) {
      return {
        issuance: list[0],
        note: `Key ${key} was minted only after this use (row ${list[0].row}): clock skew or altered logs.`,
      };
    }
    return {
      issuance: chosen,
      note: `Key ${key} was minted by ${list.length} different calls (rows ${rows}${list.length > 5 ? ', …' : ''}); AWS never reuses a key, so the logs were altered or merged. The latest call before this use (row ${chosen.row}) was taken.`,
    };
  }

  /** The chain of issuing call `start`, walking up its callers' keys (memoized per call). */
  private resolve(start: Issuance): Resolved {
    const known = this.memo.get(start.row);
    if (known) return known;
    const path: Issuance[] = [start];
    const seen = new Set<number>([start.row]);
    const notes: string[] = [];
    let end: ChainEnd = 'origin';
    let top = start;
    for (;;) {
      const key = top.caller.accessKeyId;
      const p = key ? this.pick(key, top.time) : undefined;
      if (!p) break;
      if (p.note) notes.push(p.note);
      if (seen.has(p.issuance.row)) {
        notes.push(
          `The chain loops: key ${key} leads back to the call at row ${p.issuance.row}. The logs are inconsistent.`,
        );
        end = 'loop';
        break;
      }
      if (path.length >= MAX_CHAIN_HOPS) {
        notes.push(`The chain is longer than ${MAX_CHAIN_HOPS} hops, more than any real role chain; it is cut here.`);
        end = 'tooLong';
        break;
      }
      path.push(p.issuance);
      seen.add(p.issuance.row);
      top = p.issuance;
    }
    const hops = path.reverse().map(hopOf);
    let o: ChainOrigin;
    if (end !== 'origin') o = origin('unknown', '');
    else {
      const before = this.beforeTop(top);
      hops.unshift(...before.hops);
      o = before.origin;
      // A portal call matched by time is inferred but loaded: only hops with no event are missing.
      if (before.hops.some((h) => h.row === undefined) || o.inferred) end = 'missing';
    }
    const callerKeys = hops.map((h) => h.callerKey).filter((k) => k !== '');
    const r: Resolved = { origin: o, hops, end, notes, callerKeys };
    this.memo.set(start.row, r);
    return r;
  }

  /** Where the caller of the topmost loaded call came from: its origin, and hops inferred before it. */
  private beforeTop(top: Issuance): { origin: ChainOrigin; hops: ChainHop[] } {
    const who = top.caller;
    if (
      top.eventName === 'AssumeRoleWithSAML' &&
      (/saml-provider\/AWSSSO_/.test(top.provider) || /:role\/(?:.*\/)?AWSReservedSSO_/.test(top.roleArn))
    ) {
      const name = top.subject || who.userName;
      const portal = this.portalCall(top, name);
      return {
        origin: origin('identityCenter', name, { provider: 'IAM Identity Center', subject: name }),
        hops: portal ? [{ ...hopOf(portal), inferred: true }] : [],
      };
    }
    if (who.type === 'SAMLUser')
      return {
        origin: origin('saml', top.subject || who.userName, { provider: top.provider, subject: top.subject }),
        hops: [],
      };
    if (who.type === 'WebIdentityUser')
      return {
        origin: origin('webIdentity', top.subject || who.userName, { provider: top.provider, subject: top.subject }),
        hops: [],
      };
    if (who.type === 'AWSService' && who.invokedBy === 'ec2.amazonaws.com' && isInstanceId(top.sessionName)) {
      return {
        origin: origin('instance', top.sessionName, { provider: 'ec2.amazonaws.com', account: top.account }),
        hops: [],
      };
    }
    return {
      origin: originOfWho(who),
      hops:
        isTemporaryKey(who.accessKeyId) || who.type === 'AssumedRole' || who.type === 'FederatedUser'
          ? inferredHops(who)
          : [],
    };
  }

  /** The Identity Center portal call (GetRoleCredentials) most likely behind an AWSSSO SAML sign-in. */
  private portalCall(saml: Issuance, user: string): Issuance | undefined {
    const role = /AWSReservedSSO_(.+)_[0-9a-f]+$/.exec(saml.roleArn)?.[1];
    let best: Issuance | undefined;
    for (const p of this.portal) {
      const near = p.time <= saml.time + CLOCK_SKEW_MS && saml.time - p.time <= PORTAL_WINDOW_MS;
      if (
        near &&
        p.roleArn === role &&
        p.account === saml.account &&
        p.caller.userName.toLowerCase() === user.toLowerCase() &&
        (!best || p.time > best.time)
      )
        best = p;
    }
    return best;
  }
}

function byTime(a: Issuance, b: Issuance): number {
  const ta = Number.isNaN(a.time) ? -Infinity : a.time;
  const tb = Number.isNaN(b.time) ? -Infinity : b.time;
  return ta - tb || a.row - b.row;
}
