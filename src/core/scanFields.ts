/**
 * The two sub-objects the scanner reads in place instead of parsing them: `userIdentity` (for
 * describePrincipal) and `requestParameters` / `resources` (collectResources' names). Each
 * reader keeps records.ts' and principal.ts' semantics exactly; on anything it is not sure about
 * (an escaped key, a key that is an array index, a repeated key) it throws PARSE_INSTEAD and the
 * caller JSON.parses that one value instead.
 */
import { JsonWalker } from './jsonScan';

export const PARSE_INSTEAD = new Error('parse instead');

/** Matches keys by their bytes (no strings made): buckets by length and last byte, then a byte compare. */
export class KeyTable {
  private readonly buckets: ({ bytes: Uint8Array; id: number }[] | undefined)[] = new Array(1024);

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
  ['type', U.type], ['arn', U.arn], ['accountId', U.accountId], ['userName', U.userName], ['invokedBy', U.invokedBy],
  ['principalId', U.principalId], ['accessKeyId', U.accessKeyId], ['credentialId', U.credentialId],
  ['sessionContext', U.sessionContext], ['onBehalfOf', U.onBehalfOf],
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

/** Where readIdentity found `arn` and `accessKeyId` as plain strings: spans[0, 1] and spans[2, 3], or -1. */
export const enum Span {
  ArnStart,
  ArnEnd,
  KeyStart,
  KeyEnd,
}

/**
 * The fields of a `userIdentity` object that describePrincipal reads, as an object it reads the
 * same way (strings through str(), nested objects only where they are objects). `arn` and
 * `accessKeyId` written as plain strings also get their bytes' span in `spans` (see Span), which
 * the caller sets to -1 beforehand; such an accessKeyId is left out of `ui` (describePrincipal
 * only passes it on, and the column takes the bytes).
 */
export function readIdentity(w: JsonWalker, p: number, spans: Int32Array): { end: number; ui: Record<string, unknown> } {
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

const IDENTITY_NAMES = ['type', 'arn', 'accountId', 'userName', 'invokedBy', 'principalId', 'accessKeyId', 'credentialId'];

/** o[name] = str(value at p); returns the index after the value. */
function set(w: JsonWalker, o: Record<string, unknown>, name: string, p: number): number {
  const c = w.b[p];
  const end = c === 0x22 ? w.stringEnd(p) + 1 : w.valueEnd(p);
  o[name] = strAt(w, p, end);
  return end;
}
