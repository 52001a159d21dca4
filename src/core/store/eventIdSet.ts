/**
 * The eventIDs seen so far, for counting overlapping exports once. CloudTrail eventIDs are UUIDs:
 * those are kept as 128-bit keys in one typed hash table (16 bytes each, off the JS heap's object
 * graph); anything else falls back to a Set of strings. A million 36-character ID strings in a Set
 * cost about 100 MB of heap; as keys they cost 32 MB.
 */

/** Characters of a UUID string, as bytes for uuidKeyBytes (one buffer: IDs are parsed one at a time). */
const scratch = new Uint8Array(36);

/** Parses a lowercase UUID (8-4-4-4-12 hex) into `out[at … at + 3]`; false when `id` is not one. */
export function uuidKey(id: string, out: Uint32Array, at: number): boolean {
  if (id.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = id.charCodeAt(i);
    // Past ASCII it is not a UUID (and a byte would alias a different character).
    if (c > 0x7f) return false;
    scratch[i] = c;
  }
  return uuidKeyBytes(scratch, 0, out, at);
}

/** Each byte's value as a lowercase hex digit, or -1. Lowercase only: 'A' and 'a' are different characters, so "…A" and "…a" stay different IDs. */
const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) HEX['0123456789abcdef'.charCodeAt(i)] = i;
/** Where a UUID's 32 digits are, eight to a key word (the dashes are at 8, 13, 18 and 23). */
const DIGITS = Uint8Array.from([
  0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 14, 15, 16, 17, 19, 20, 21, 22, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35,
]);

/** uuidKey on the 36 bytes at `b[s…]` (the scanner reads IDs from a file's bytes). */
export function uuidKeyBytes(b: Uint8Array, s: number, out: Uint32Array, at: number): boolean {
  if (b[s + 8] !== 45 || b[s + 13] !== 45 || b[s + 18] !== 45 || b[s + 23] !== 45) return false;
  for (let w = 0; w < 4; w++) {
    let word = 0;
    // A digit that is not one makes `bad` negative.
    let bad = 0;
    for (let k = 8 * w; k < 8 * w + 8; k++) {
      const v = HEX[b[s + DIGITS[k]]];
      bad |= v;
      word = (word << 4) | v;
    }
    if (bad < 0) return false;
    out[at + w] = word >>> 0;
  }
  return true;
}

export class EventIdSet {
  private keys = new Uint32Array(4 * 1024);
  private used = new Uint8Array(1024);
  private count = 0;
  private readonly others = new Set<string>();
  private readonly scratch = new Uint32Array(4);

  get size(): number {
    return this.count + this.others.size;
  }

  /** Adds a string ID; false when it was already there. */
  add(id: string): boolean {
    if (uuidKey(id, this.scratch, 0)) return this.addKey(this.scratch, 0);
    if (this.others.has(id)) return false;
    this.others.add(id);
    return true;
  }

  /** Makes room for `more` keys, so adding them grows the table at most once. */
  reserve(more: number): void {
    while ((this.count + more) * 2 > this.used.length) this.grow();
  }

  /** Adds the UUID key at `keys[at … at + 3]` (see uuidKey); false when it was already there. */
  addKey(keys: Uint32Array, at: number): boolean {
    if ((this.count + 1) * 2 > this.used.length) this.grow();
    const a = keys[at];
    const b = keys[at + 1];
    const c = keys[at + 2];
    const d = keys[at + 3];
    const slot = this.find(a, b, c, d);
    if (this.used[slot]) return false;
    this.put(slot, a, b, c, d);
    this.count++;
    return true;
  }

  /** Fills `slot` with the key. Four writes, not keys.set(subarray): a view per key was a million allocations per rehash. */
  private put(slot: number, a: number, b: number, c: number, d: number): void {
    this.used[slot] = 1;
    const o = slot * 4;
    this.keys[o] = a;
    this.keys[o + 1] = b;
    this.keys[o + 2] = c;
    this.keys[o + 3] = d;
  }

  /** The slot holding the key, or the empty slot where it belongs (linear probing). */
  private find(a: number, b: number, c: number, d: number): number {
    const mask = this.used.length - 1;
    // Random UUIDs are uniform already; mixing still spreads sequential or hand-made ones.
    let slot =
      (Math.imul(a ^ Math.imul(b, 0x9e3779b1) ^ Math.imul(c, 0x85ebca6b) ^ Math.imul(d, 0xc2b2ae35), 0x27d4eb2f) >>>
        0) &
      mask;
    const k = this.keys;
    while (this.used[slot]) {
      const o = slot * 4;
      if (k[o] === a && k[o + 1] === b && k[o + 2] === c && k[o + 3] === d) return slot;
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldUsed = this.used;
    this.used = new Uint8Array(oldUsed.length * 2);
    this.keys = new Uint32Array(oldKeys.length * 2);
    for (let s = 0; s < oldUsed.length; s++) {
      if (!oldUsed[s]) continue;
      const o = s * 4;
      const a = oldKeys[o];
      const b = oldKeys[o + 1];
      const c = oldKeys[o + 2];
      const d = oldKeys[o + 3];
      this.put(this.find(a, b, c, d), a, b, c, d);
    }
  }
}
