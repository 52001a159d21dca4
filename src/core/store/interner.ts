/**
 * Distinct strings numbered 0, 1, 2, … in the order first seen: the store's dictionaries. One open
 * addressing table of ids (Int32Array) and each value's 32-bit hash (Int32Array), instead of a
 * `Map<string, number>`: strings arriving from a decode worker are new string objects, and with a
 * Map each one cost a hash in the runtime, a lookup and an insert into a table of JS objects
 * (~0.7 µs a value at 100,000 events, the largest part of adding a batch). Here a value costs its
 * hash in a JS loop and, when it is new, two typed-array writes; and 12-20 bytes of typed arrays
 * rather than a Map entry and its share of the Map's buckets.
 */
import type { SliceBuffer } from './sliceBuffer';

/**
 * Per process, so values crafted offline (event strings are attacker-influenced) cannot be chosen
 * to collide and turn interning quadratic; a Map's hash is seeded the same way by V8.
 */
const SEED = (Math.random() * 0x100000000) | 0;

/**
 * FNV-1a over UTF-16 code units taken four at a time (as internUtf8 takes four bytes, so ASCII
 * strings and their bytes hash alike), in two lanes of alternate words, the last 0-7 units one at a
 * time; then mixed (sequential IDs differ only at the end). Each step is a bijection of the lane's
 * state, so values that differ in one word never collide before the mix.
 */
export function stringHash(s: string): number {
  let a = (0x811c9dc5 ^ SEED) | 0;
  let b = 0x27d4eb2f;
  const n = s.length;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    a = Math.imul(
      a ^ (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24)),
      0x01000193,
    );
    b = Math.imul(
      b ^
        (s.charCodeAt(i + 4) | (s.charCodeAt(i + 5) << 8) | (s.charCodeAt(i + 6) << 16) | (s.charCodeAt(i + 7) << 24)),
      0x01000193,
    );
  }
  for (; i < n; i++) a = Math.imul(a ^ s.charCodeAt(i), 0x01000193);
  return mix(a, b, n);
}

/** The two lanes and the length, mixed into the hash (internUtf8 ends the same way). */
function mix(a: number, b: number, n: number): number {
  let h = a ^ Math.imul(b ^ n, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}

export class StringInterner {
  /** Value of each id (grows as values are interned; callers may read it, never write). */
  readonly values: string[] = [];
  private hashes = new Int32Array(256);
  /** Slot → id + 1 (0: empty); its length is a power of two, at most half full. */
  private table = new Int32Array(512);
  /** The buffer internUtf8 last read, and a view of it for reading four bytes at a time. */
  private bytes: Uint8Array | undefined;
  private dv: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

  get size(): number {
    return this.values.length;
  }

  /** The id of `value`, adding it when new. */
  intern(value: string): number {
    const h = stringHash(value);
    const t = this.table;
    const mask = t.length - 1;
    const hashes = this.hashes;
    const values = this.values;
    let slot = h & mask;
    for (;;) {
      const e = t[slot];
      if (e === 0) break;
      if (hashes[e - 1] === h && values[e - 1] === value) return e - 1;
      slot = (slot + 1) & mask;
    }
    return this.add(value, h, slot);
  }

  /** Adds `value` (hash h) at `slot`, the empty slot its probe ended on. */
  private add(value: string, h: number, slot: number): number {
    const id = this.values.length;
    this.values.push(value);
    if (id === this.hashes.length) {
      const next = new Int32Array(id * 2);
      next.set(this.hashes);
      this.hashes = next;
    }
    this.hashes[id] = h;
    this.table[slot] = id + 1;
    if ((id + 1) * 2 > this.table.length) this.rehash(this.table.length * 2);
    return id;
  }

  /**
   * The id of the string whose UTF-8 is bytes [s, e) of `b`, adding it when new. For ASCII bytes
   * (nearly all values) no string is made unless the value is new: the bytes are hashed as
   * stringHash hashes code units (equal for ASCII) and compared with the stored value in place.
   */
  internUtf8(b: SliceBuffer, s: number, e: number): number {
    if (b !== this.bytes) {
      this.bytes = b;
      this.dv = new DataView(b.buffer, b.byteOffset, b.length);
    }
    const dv = this.dv;
    const n = e - s;
    let a = (0x811c9dc5 ^ SEED) | 0;
    let c = 0x27d4eb2f;
    let high = 0;
    let i = s;
    for (; i + 8 <= e; i += 8) {
      const x = dv.getInt32(i, true);
      const y = dv.getInt32(i + 4, true);
      high |= x | y;
      a = Math.imul(a ^ x, 0x01000193);
      c = Math.imul(c ^ y, 0x01000193);
    }
    for (; i < e; i++) {
      high |= b[i];
      a = Math.imul(a ^ b[i], 0x01000193);
    }
    if ((high & 0x80808080) !== 0) return this.intern(b.utf8Slice(s, e));
    const h = mix(a, c, n);
    // intern's probe, comparing bytes with the stored string instead of two strings.
    const t = this.table;
    const mask = t.length - 1;
    const hashes = this.hashes;
    const values = this.values;
    let slot = h & mask;
    for (;;) {
      const id = t[slot] - 1;
      if (id < 0) break;
      if (hashes[id] === h && sameAscii(values[id], b, s, n)) return id;
      slot = (slot + 1) & mask;
    }
    return this.add(b.latin1Slice(s, e), h, slot);
  }

  /** The id of `value`, or undefined when it was never interned. */
  idOf(value: string): number | undefined {
    const h = stringHash(value);
    const t = this.table;
    const mask = t.length - 1;
    let slot = h & mask;
    for (;;) {
      const e = t[slot];
      if (e === 0) return undefined;
      if (this.hashes[e - 1] === h && this.values[e - 1] === value) return e - 1;
      slot = (slot + 1) & mask;
    }
  }

  private rehash(size: number): void {
    const t = new Int32Array(size);
    const mask = size - 1;
    const hashes = this.hashes;
    for (let id = 0; id < this.values.length; id++) {
      let slot = hashes[id] & mask;
      while (t[slot] !== 0) slot = (slot + 1) & mask;
      t[slot] = id + 1;
    }
    this.table = t;
  }
}

/** Whether `v` is the n ASCII bytes at b[s…]. */
export function sameAscii(v: string, b: Uint8Array, s: number, n: number): boolean {
  if (v.length !== n) return false;
  for (let i = 0; i < n; i++) if (v.charCodeAt(i) !== b[s + i]) return false;
  return true;
}
