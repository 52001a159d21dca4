/**
 * The two sub-objects the scanner reads in place instead of parsing them: `userIdentity` (for
 * describePrincipal) and `requestParameters` / `resources` (collectResources' names). Each
 * reader keeps records.ts' and principal.ts' semantics exactly; on anything it is not sure about
 * (an escaped key, a key that is an array index, a repeated key) it throws PARSE_INSTEAD and the
 * caller JSON.parses that one value instead.
 */
import { JsonWalker, sameBytes } from './jsonScan';
import type { PrincipalInfo } from '../model/principal';

export const PARSE_INSTEAD = new Error('parse instead');

/** Matches keys by their bytes (no strings made): buckets by length and last byte, then a byte compare. */
export class KeyTable {
  private readonly buckets = new Array<{ bytes: Uint8Array; id: number }[] | undefined>(1024);

  constructor(keys: readonly (readonly [string, number])[]) {
    for (const [name, id] of keys) {
      const bytes = Buffer.from(name, 'latin1');
      (this.buckets[KeyTable.slot(bytes, 0, bytes.length)] ??= []).push({ bytes, id });
    }
  }

  private static slot(b: Uint8Array, start: number, len: number): number {
    return ((len << 5) ^ b[start + len - 1] ^ (b[start] << 2)) & 1023;
  }

  /** The id of the key at bytes [start, start + len), or -1. */
  find(b: Uint8Array, start: number, len: number): number {
    if (len === 0) return -1;
    const candidates = this.buckets[KeyTable.slot(b, start, len)];
    if (candidates === undefined) return -1;
    next: for (let k = 0; k < candidates.length; k++) {
      const bytes = candidates[k].bytes;
      if (bytes.length !== len) continue;
      for (let i = len - 2; i > 0; i--) if (b[start + i] !== bytes[i]) continue next;
      if (b[start] !== bytes[0] || b[start + len - 1] !== bytes[len - 1]) continue;
      return candidates[k].id;
    }
    return -1;
  }
}

/** `str()` of the value at p (ending at end), given its first byte. */
export function strAt(w: JsonWalker, p: number, end: number): string {
  const c = w.b[p];
  if (c === 0x22) return w.escaped ? (JSON.parse(w.text(p, end)) as string) : w.text(p + 1, end - 1);
  if (c === 0x74) return 'true';
  if (c === 0x66) return 'false';
  if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return String(Number(w.text(p, end)));
  return '';
}

const enum U {
  type,
  arn,
  accountId,
  userName,
  invokedBy,
  principalId,
  accessKeyId,
  credentialId,
  sessionContext,
  sessionIssuer,
  onBehalfOf,
  userId,
}

const IDENTITY_KEYS = new KeyTable([
  ['type', U.type],
  ['arn', U.arn],
  ['accountId', U.accountId],
  ['userName', U.userName],
  ['invokedBy', U.invokedBy],
  ['principalId', U.principalId],
  ['accessKeyId', U.accessKeyId],
  ['credentialId', U.credentialId],
  ['sessionContext', U.sessionContext],
  ['onBehalfOf', U.onBehalfOf],
]);
const SESSION_KEYS = new KeyTable([['sessionIssuer', U.sessionIssuer]]);
const ISSUER_KEYS = new KeyTable([['userName', U.userName]]);
const BEHALF_KEYS = new KeyTable([['userId', U.userId]]);

/** Calls `onValue(id, p)` for each key of the object at `p` found in `keys`; returns the index after the object. */
function eachKey(w: JsonWalker, p: number, keys: KeyTable, onValue: (id: number, p: number) => number): number {
  const b = w.b;
  p++;
  if (b[p] === 0x7d) return p + 1;
  for (;;) {
    if (b[p] !== 0x22) throw PARSE_INSTEAD;
    const q = w.stringEnd(p);
    if (w.escaped || b[q + 1] !== 0x3a) throw PARSE_INSTEAD;
    const id = keys.find(b, p + 1, q - p - 1);
    p = id < 0 ? w.valueEnd(q + 2) : onValue(id, q + 2);
    const c = b[p];
    if (c === 0x2c) p++;
    else if (c === 0x7d) return p + 1;
    else throw PARSE_INSTEAD;
  }
}

/**
 * Where an identity's values are plain bytes, or -1: `arn` and `accessKeyId` (readIdentity and
 * readCommonIdentity), the principal's name and the account (readCommonIdentity, where the name is
 * one run of bytes).
 */
export const enum Span {
  ArnStart,
  ArnEnd,
  KeyStart,
  KeyEnd,
  NameStart,
  NameEnd,
  AccountStart,
  AccountEnd,
  Count,
}

/**
 * The fields of a `userIdentity` object that describePrincipal reads, as an object it reads the
 * same way (strings through str(), nested objects only where they are objects). `arn` and
 * `accessKeyId` written as plain strings also get their bytes' span in `spans` (see Span), which
 * the caller sets to -1 beforehand; such an accessKeyId is left out of `ui` (describePrincipal
 * only passes it on, and the column takes the bytes).
 */
export function readIdentity(
  w: JsonWalker,
  p: number,
  spans: Int32Array,
): { end: number; ui: Record<string, unknown> } {
  const ui: Record<string, unknown> = {};
  const end = eachKey(w, p, IDENTITY_KEYS, (id, v) => {
    const c = w.b[v];
    if (id === U.arn || id === U.accessKeyId) {
      const at = id === U.arn ? Span.ArnStart : Span.KeyStart;
      // A repeated key: the last one wins, spans included.
      spans[at] = spans[at + 1] = -1;
      if (c === 0x22) {
        const q = w.stringEnd(v);
        if (!w.escaped) {
          spans[at] = v + 1;
          spans[at + 1] = q;
          if (id === U.accessKeyId) {
            ui.accessKeyId = undefined;
            return q + 1;
          }
        }
      }
    }
    if (id === U.sessionContext || id === U.onBehalfOf) {
      const name = id === U.sessionContext ? 'sessionContext' : 'onBehalfOf';
      if (c !== 0x7b) {
        ui[name] = undefined;
        return w.valueEnd(v);
      }
      const inner: Record<string, unknown> = {};
      ui[name] = inner;
      if (id === U.onBehalfOf) return eachKey(w, v, BEHALF_KEYS, (_, x) => set(w, inner, 'userId', x));
      return eachKey(w, v, SESSION_KEYS, (_, x) => {
        if (w.b[x] !== 0x7b) {
          inner.sessionIssuer = undefined;
          return w.valueEnd(x);
        }
        const issuer: Record<string, unknown> = {};
        inner.sessionIssuer = issuer;
        return eachKey(w, x, ISSUER_KEYS, (__, y) => set(w, issuer, 'userName', y));
      });
    }
    return set(w, ui, IDENTITY_NAMES[id], v);
  });
  return { end, ui };
}

const IDENTITY_NAMES = [
  'type',
  'arn',
  'accountId',
  'userName',
  'invokedBy',
  'principalId',
  'accessKeyId',
  'credentialId',
];

/** o[name] = str(value at p); returns the index after the value. */
function set(w: JsonWalker, o: Record<string, unknown>, name: string, p: number): number {
  const c = w.b[p];
  const end = c === 0x22 ? w.stringEnd(p) + 1 : w.valueEnd(p);
  o[name] = strAt(w, p, end);
  return end;
}

const enum I {
  type,
  arn,
  accountId,
  userName,
  principalId,
  accessKeyId,
  /** sessionContext.sessionIssuer.userName */
  issuer,
  Count,
}
const COMMON_KEYS = new KeyTable([
  ['type', I.type],
  ['arn', I.arn],
  ['accountId', I.accountId],
  ['userName', I.userName],
  ['principalId', I.principalId],
  ['accessKeyId', I.accessKeyId],
  ['sessionContext', I.Count],
]);
const CONTEXT_KEYS = new KeyTable([['sessionIssuer', I.Count]]);
const ISSUER_NAME = new KeyTable([['userName', I.issuer]]);
const ASSUMED_ROLE = Buffer.from('AssumedRole', 'latin1');
const IAM_USER = Buffer.from('IAMUser', 'latin1');
const ROLE_MARK = Buffer.from(':assumed-role/', 'latin1');

/** Common identities' PrincipalInfo: the name, arn, key and account go by their spans. */
const IAM_USER_WHO: PrincipalInfo = { type: 'IAMUser', name: '', arn: '', accessKeyId: '', account: '' };
const ASSUMED_ROLE_WHO: PrincipalInfo = { type: 'AssumedRole', name: '', arn: '', accessKeyId: '', account: '' };

/**
 * describePrincipal for the two identities most events carry (AssumedRole and IAMUser), read from
 * the bytes, where readIdentity made a string of every field, an object to hold them and a regex
 * match. `spans` gets the bytes of the arn, the accessKeyId, the account and, where it is one run
 * of bytes, the name (see Span; the PrincipalInfo's name is then empty, and its arn, key and
 * account always are). A name that is not one run (a role session whose issuer's userName is not
 * the ARN's role) comes as a string. Returns undefined for anything else — another type, an escape,
 * a value that is not a string, a repeated key, an ARN the rules below do not settle — and the
 * caller reads the identity with readIdentity.
 */
export function readCommonIdentity(
  w: JsonWalker,
  p: number,
  spans: Int32Array,
  at: Int32Array,
): { end: number; who: PrincipalInfo } | undefined {
  const b = w.b;
  at.fill(-1);
  const end = plainStrings(w, p, 0, at);
  if (end < 0) return undefined;
  const ts = at[2 * I.type];
  let who: PrincipalInfo;
  // The name's bytes, when it is one run of them ('' is the empty run at 0).
  let ns = 0;
  let ne = 0;
  if (ts >= 0 && bytesAre(b, ts, at[2 * I.type + 1], IAM_USER)) {
    who = IAM_USER_WHO;
    // userName || (arn ? lastSegment(arn) : principalId)
    const as = at[2 * I.arn];
    const ae = at[2 * I.arn + 1];
    const k =
      at[2 * I.userName + 1] > at[2 * I.userName]
        ? I.userName
        : as >= 0 && ae > as
          ? I.arn
          : at[2 * I.principalId] >= 0
            ? I.principalId
            : -1;
    if (k >= 0) {
      ns = k === I.arn ? lastSlash(b, as, ae) + 1 : at[2 * k];
      ne = at[2 * k + 1];
    }
  } else if (ts >= 0 && bytesAre(b, ts, at[2 * I.type + 1], ASSUMED_ROLE)) {
    // assumedRoleParts: /:assumed-role\/(.+)\/([^/]+)$/. On plain ASCII (no line breaks for '.')
    // the first ':assumed-role/' decides: the last '/' after it must have text on both sides.
    const as = at[2 * I.arn];
    const ae = at[2 * I.arn + 1];
    if (as < 0) return undefined;
    // Non-ASCII bytes (only a file that has some) go to readIdentity.
    if (w.utf8) for (let i = as; i < ae; i++) if (b[i] >= 0x80) return undefined;
    const rest = after(b, as, ae, ROLE_MARK);
    if (rest < 0) return undefined;
    const slash = lastSlash(b, rest, ae);
    if (slash < rest + 1 || slash >= ae - 1) return undefined;
    // role = issuer's userName || lastSegment(group 1); the name is `${role}/${session}`, or the
    // session alone where role is empty. With the ARN's own role, that is the ARN's tail.
    const roleStart = lastSlash(b, rest, slash) + 1;
    const is = at[2 * I.issuer];
    const ie = at[2 * I.issuer + 1];
    who = ASSUMED_ROLE_WHO;
    if (ie > is && !(ie - is === slash - roleStart && sameBytes(w.dv, b, is, roleStart, ie - is))) {
      // Another role name than the ARN's: not one run of bytes.
      who = {
        type: 'AssumedRole',
        name: `${w.text(is, ie)}/${w.text(slash + 1, ae)}`,
        arn: '',
        accessKeyId: '',
        account: '',
      };
      ns = -1;
    } else {
      ns = roleStart < slash ? roleStart : slash + 1;
      ne = ae;
    }
  } else return undefined;
  spans[Span.ArnStart] = at[2 * I.arn];
  spans[Span.ArnEnd] = at[2 * I.arn + 1];
  spans[Span.KeyStart] = at[2 * I.accessKeyId];
  spans[Span.KeyEnd] = at[2 * I.accessKeyId + 1];
  spans[Span.NameStart] = ns;
  spans[Span.NameEnd] = ne;
  spans[Span.AccountStart] = at[2 * I.accountId];
  spans[Span.AccountEnd] = at[2 * I.accountId + 1];
  return { end, who };
}

/** The keys read at each depth: userIdentity, its sessionContext, that one's sessionIssuer. */
const LEVELS = [COMMON_KEYS, CONTEXT_KEYS, ISSUER_NAME];

/**
 * The object at p, at depth `level` of LEVELS: for each key with id below I.Count, its value must
 * be a plain string, whose span goes to out[2id], out[2id + 1]; a key with id I.Count must hold an
 * object, read at the next depth. Returns the index after the object, or -1 for anything the fast
 * path leaves to readIdentity (escapes, other values, repeated keys).
 */
function plainStrings(w: JsonWalker, p: number, level: number, out: Int32Array): number {
  const b = w.b;
  const keys = LEVELS[level];
  let seen = 0;
  p++;
  if (b[p] === 0x7d) return p + 1;
  for (;;) {
    if (b[p] !== 0x22) return -1;
    const q = w.stringEnd(p);
    if (w.escaped || b[q + 1] !== 0x3a) return -1;
    const id = keys.find(b, p + 1, q - p - 1);
    const v = q + 2;
    if (id < 0) p = w.valueEnd(v);
    else {
      if (seen & (1 << id)) return -1;
      seen |= 1 << id;
      if (id === I.Count) {
        if (b[v] !== 0x7b) return -1;
        p = plainStrings(w, v, level + 1, out);
        if (p < 0) return -1;
      } else {
        if (b[v] !== 0x22) return -1;
        const e = w.stringEnd(v);
        if (w.escaped) return -1;
        out[2 * id] = v + 1;
        out[2 * id + 1] = e;
        p = e + 1;
      }
    }
    const c = b[p];
    if (c === 0x2c) p++;
    else if (c === 0x7d) return p + 1;
    else return -1;
  }
}

/** The index just past the first `word` in bytes [s, e), or -1. */
function after(b: Uint8Array, s: number, e: number, word: Uint8Array): number {
  const first = word[0];
  for (let i = s; i + word.length <= e; i++) {
    if (b[i] !== first) continue;
    let k = 1;
    while (k < word.length && b[i + k] === word[k]) k++;
    if (k === word.length) return i + k;
  }
  return -1;
}

/** Whether bytes [s, e) are `word`. */
export function bytesAre(b: Uint8Array, s: number, e: number, word: Uint8Array): boolean {
  if (e - s !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (b[s + i] !== word[i]) return false;
  return true;
}

/** The index of the last '/' in bytes [s, e), or s - 1. */
function lastSlash(b: Uint8Array, s: number, e: number): number {
  let i = e - 1;
  while (i >= s && b[i] !== 0x2f) i--;
  return i;
}
