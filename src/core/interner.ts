/**
 * Distinct strings numbered 0, 1, 2, … in the order first seen: the store's dictionaries. One open
 * addressing table of ids (Int32Array) and each value's 32-bit hash (Int32Array), instead of a
 * `Map<string, number>`: strings arriving from a decode worker are new string objects, and with a
 * Map each one cost a hash in the runtime, a lookup and an insert into a table of JS objects
 * (~0.7 µs a value at 100,000 events, the largest part of adding a batch). Here a value costs its
 * hash in a JS loop and, when it is new, two typed-array writes; and 12-20 bytes of typed arrays
 * rather than a Map entry and its share of the Map's buckets.
 */

/**
 * Per process, so values crafted offline (event strings are attacker-influenced) cannot be chosen
 * to collide and turn interning quadratic; a Map's hash is seeded the same way by V8.
 */
const SEED = (Math.random() * 0x100000000) | 0;

/**
 * FNV-1a over UTF-16 code units, in two lanes (even and odd positions: half the serial chain of
 * multiplies, ~1.4× faster on 70-character ARNs), then mixed (sequential IDs differ only at the end).
 */
export function stringHash(s: string): number {
  let a = (0x811c9dc5 ^ SEED) | 0;
  let b = 0x27d4eb2f;
  const n = s.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    a = Math.imul(a ^ s.charCodeAt(i), 0x01000193);
    b = Math.imul(b ^ s.charCodeAt(i + 1), 0x01000193);
  }
  if (i < n) a = Math.imul(a ^ s.charCodeAt(i), 0x01000193);
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
    const id = values.length;
    values.push(value);
    if (id === hashes.length) {
      const next = new Int32Array(hashes.length * 2);
      next.set(hashes);
      this.hashes = next;
    }
    this.hashes[id] = h;
    t[slot] = id + 1;
    if ((id + 1) * 2 > t.length) this.rehash(t.length * 2);
    return id;
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
