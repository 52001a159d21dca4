/**
 * collectResources (records.ts) read from the bytes: the names in `resources[]` and in request
 * parameters, with its limits (depth ≤ 4, first 20 items of an array, ≤ 16 distinct values of
 * ≤ 512 characters, in the order JSON.parse + Object.entries would visit them). Throws
 * PARSE_INSTEAD where that order or a key is uncertain: an escaped key, a key that is an array
 * index (Object.entries puts those first), a key repeated within an object.
 */
import { JsonWalker, NOT_SCANNED, sameBytes } from './jsonScan';
import { sameAscii } from '../store/interner';
import { bytesAre, PARSE_INSTEAD, strAt } from './scanFields';

const MAX_RESOURCES = 16;
const MAX_RESOURCE_LEN = 512;
const MAX_KEYS = 64;

/**
 * One record's resource names as collectResources' add() keeps them: distinct, non-empty, at most
 * 512 characters, at most 16, in order. In an ASCII file a name written without escapes stays a run
 * of the file's bytes (no string is made of it: nearly every name); others are strings.
 */
export class NameList {
  count = 0;
  /** Name i is bytes [spans[2i], spans[2i + 1]) of the file, or strings[i] where spans[2i] < 0. */
  readonly spans = new Int32Array(2 * MAX_RESOURCES);
  readonly strings: string[] = [];
  private readonly w: JsonWalker;

  constructor(w: JsonWalker) {
    this.w = w;
  }

  clear(): void {
    this.count = 0;
  }

  /** Adds the string value from the quote at p to `end` (after its closing quote; stringEnd has just read it). */
  addValue(p: number, end: number): void {
    const w = this.w;
    const len = end - p - 2;
    if (len === 0 || this.count >= MAX_RESOURCES) return;
    if (w.utf8 || w.escaped) this.addString(strAt(w, p, end));
    else if (len <= MAX_RESOURCE_LEN && this.indexOfBytes(p + 1, len) < 0) this.push(p + 1, end - 1, '');
  }

  addString(v: string): void {
    if (v.length > 0 && v.length <= MAX_RESOURCE_LEN && this.count < MAX_RESOURCES && this.indexOfString(v) < 0)
      this.push(-1, -1, v);
  }

  /** Adds `other`'s names that are not here yet, up to 16 in all. */
  addAll(other: NameList): void {
    for (let i = 0; i < other.count && this.count < MAX_RESOURCES; i++) {
      const s = other.spans[2 * i];
      if (s < 0) this.addString(other.strings[i]);
      else if (this.indexOfBytes(s, other.spans[2 * i + 1] - s) < 0) this.push(s, other.spans[2 * i + 1], '');
    }
  }

  private push(s: number, e: number, v: string): void {
    const i = this.count++;
    this.spans[2 * i] = s;
    this.spans[2 * i + 1] = e;
    this.strings[i] = v;
  }

  /** The name that is the ASCII bytes [s, s + len), or -1. */
  private indexOfBytes(s: number, len: number): number {
    const b = this.w.b;
    for (let i = 0; i < this.count; i++) {
      const t = this.spans[2 * i];
      if (
        t >= 0
          ? this.spans[2 * i + 1] - t === len && sameBytes(this.w.dv, b, t, s, len)
          : sameAscii(this.strings[i], b, s, len)
      )
        return i;
    }
    return -1;
  }

  /** The name that is `v`, or -1. */
  private indexOfString(v: string): number {
    for (let i = 0; i < this.count; i++) {
      const t = this.spans[2 * i];
      if (t >= 0 ? sameAscii(v, this.w.b, t, this.spans[2 * i + 1] - t) : this.strings[i] === v) return i;
    }
    return -1;
  }
}

/** The string at p (a quote), added when it may be a resource; returns the index after it. */
function addString(w: JsonWalker, names: NameList, p: number): number {
  const end = w.stringEnd(p) + 1;
  names.addValue(p, end);
  return end;
}

/** RESOURCE_KEY (/(name|arn|id|ids|key|bucket)$/i) on the key's bytes. */
function resourceKey(b: Uint8Array, s: number, e: number): boolean {
  const len = e - s;
  const l = (i: number): number => b[e - i] | 0x20;
  if (len >= 2 && l(1) === 0x64 && l(2) === 0x69) return true; // id
  if (len >= 3) {
    const c1 = l(1);
    if (c1 === 0x73 && l(2) === 0x64 && l(3) === 0x69) return true; // ids
    if (c1 === 0x6e && l(2) === 0x72 && l(3) === 0x61) return true; // arn
    if (c1 === 0x79 && l(2) === 0x65 && l(3) === 0x6b) return true; // key
    if (len >= 4 && c1 === 0x65 && l(2) === 0x6d && l(3) === 0x61 && l(4) === 0x6e) return true; // name
    if (len >= 6 && c1 === 0x74 && l(2) === 0x65 && l(3) === 0x6b && l(4) === 0x63 && l(5) === 0x75 && l(6) === 0x62)
      return true; // bucket
  }
  return false;
}

const ACCESS_KEY_ID = Buffer.from('accessKeyId');
const REQUEST_ID = Buffer.from('requestId');

/** Collects request-parameter names: the candidates walk() would add, in order, deduplicated, at most 16. */
export class ParamsReader {
  private readonly w: JsonWalker;
  private names!: NameList;
  /** Key ranges of the objects being walked (for repeated keys). */
  private keys = new Int32Array(2 * MAX_KEYS * 6);
  private top = 0;

  constructor(w: JsonWalker) {
    this.w = w;
  }

  /** Reads the value at p (requestParameters); returns the index after it. */
  read(p: number, names: NameList): number {
    this.names = names;
    this.top = 0;
    return this.walk(p, 0);
  }

  private walk(p: number, depth: number): number {
    const w = this.w;
    const b = w.b;
    const c = b[p];
    if (depth > 4 || (c !== 0x7b && c !== 0x5b)) return w.valueEnd(p);
    p++;
    if (c === 0x5b) {
      if (b[p] === 0x5d) return p + 1;
      for (let i = 0; ; i++) {
        p = i < 20 ? this.walk(p, depth + 1) : w.valueEnd(p);
        if (b[p] === 0x2c) p++;
        else if (b[p] === 0x5d) return p + 1;
        else throw NOT_SCANNED;
      }
    }
    if (b[p] === 0x7d) return p + 1;
    const base = this.top;
    for (;;) {
      if (b[p] !== 0x22) throw NOT_SCANNED;
      const ks = p + 1;
      const ke = w.stringEnd(p);
      if (w.escaped || b[ke + 1] !== 0x3a) throw PARSE_INSTEAD;
      this.remember(b, base, ks, ke);
      p = ke + 2;
      const v = b[p];
      if (v === 0x22) {
        if (resourceKey(b, ks, ke) && !bytesAre(b, ks, ke, ACCESS_KEY_ID) && !bytesAre(b, ks, ke, REQUEST_ID))
          p = addString(w, this.names, p);
        else p = w.stringEnd(p) + 1;
      } else if (v === 0x5b && resourceKey(b, ks, ke)) {
        p++;
        if (b[p] === 0x5d) p++;
        else {
          for (let i = 0; ; i++) {
            if (i >= 20) p = w.valueEnd(p);
            else if (b[p] === 0x22) p = addString(w, this.names, p);
            else p = this.walk(p, depth + 1);
            if (b[p] === 0x2c) p++;
            else if (b[p] === 0x5d) {
              p++;
              break;
            } else throw NOT_SCANNED;
          }
        }
      } else p = this.walk(p, depth + 1);
      if (b[p] === 0x2c) p++;
      else if (b[p] === 0x7d) {
        this.top = base;
        return p + 1;
      } else throw NOT_SCANNED;
    }
  }

  /** Records key [ks, ke) of the object whose keys start at `base`; throws PARSE_INSTEAD on a repeat or an index key. */
  private remember(b: Uint8Array, base: number, ks: number, ke: number): void {
    const len = ke - ks;
    let digits = len > 0;
    for (let i = ks; i < ke && digits; i++) digits = b[i] >= 0x30 && b[i] <= 0x39;
    if (digits) throw PARSE_INSTEAD;
    const keys = this.keys;
    for (let k = base; k < this.top; k += 2) {
      const s = keys[k];
      if (keys[k + 1] - s !== len) continue;
      let same = true;
      for (let i = 0; i < len && same; i++) same = b[s + i] === b[ks + i];
      if (same) throw PARSE_INSTEAD;
    }
    if (this.top + 2 > keys.length || this.top - base >= 2 * MAX_KEYS) throw PARSE_INSTEAD;
    keys[this.top++] = ks;
    keys[this.top++] = ke;
  }
}

const ARN_KEYS = [Buffer.from('ARN'), Buffer.from('arn'), Buffer.from('resourceName')];

/** The names in a `resources` array at p: `r.ARN ?? r.arn ?? r.resourceName` of each object, added to `names`. */
export function readResourceList(w: JsonWalker, p: number, names: NameList): number {
  const b = w.b;
  if (b[p] !== 0x5b) return w.valueEnd(p);
  p++;
  if (b[p] === 0x5d) return p + 1;
  // Per item: the start and end of its last ARN, arn and resourceName values (-1: absent).
  const at = new Int32Array(6);
  for (;;) {
    if (b[p] !== 0x7b) p = w.valueEnd(p);
    else {
      at.fill(-1);
      p++;
      if (b[p] === 0x7d) p++;
      else {
        for (;;) {
          if (b[p] !== 0x22) throw NOT_SCANNED;
          const ks = p + 1;
          const ke = w.stringEnd(p);
          if (w.escaped || b[ke + 1] !== 0x3a) throw PARSE_INSTEAD;
          p = ke + 2;
          const start = p;
          p = w.valueEnd(p);
          for (let k = 0; k < 3; k++) {
            if (bytesAre(b, ks, ke, ARN_KEYS[k])) {
              at[2 * k] = start;
              at[2 * k + 1] = p;
            }
          }
          if (b[p] === 0x2c) p++;
          else if (b[p] === 0x7d) {
            p++;
            break;
          } else throw NOT_SCANNED;
        }
        // a ?? b ?? c: the first that is present and not null.
        for (let k = 0; k < 3; k++) {
          const s = at[2 * k];
          if (s < 0 || b[s] === 0x6e) continue;
          if (b[s] === 0x22) {
            w.stringEnd(s);
            names.addValue(s, at[2 * k + 1]);
          }
          break;
        }
      }
    }
    if (b[p] === 0x2c) p++;
    else if (b[p] === 0x5d) return p + 1;
    else throw NOT_SCANNED;
  }
}
