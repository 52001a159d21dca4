/**
 * A hash table from whole-number keys (below 2^53 − 1, as groupKeys.ts makes them) to numbers,
 * in one typed array: one probe per look-up and no garbage, where a Map of a million heap-number
 * keys costs two hashed look-ups per row and its GC (first-seen rules took 0.5 s at 1M events so).
 * Open addressing, linear probing, doubled past half full. A slot is two doubles side by side,
 * key + 1 (0: empty, so a new table needs no fill) and value: at a million keys the table is
 * tens of megabytes and a look-up's cost is its cache misses, so key and value share one line.
 */
export class KeyTable {
  private slots: Float64Array;
  private mask: number;
  private used = 0;

  /** `capacity`: the keys expected (the table starts with room for them without growing). */
  constructor(capacity = 1024) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.slots = new Float64Array(size * 2);
    this.mask = size - 1;
  }

  get size(): number {
    return this.used;
  }

  /** The slot of `key` (stored as key + 1), or the empty slot where it would go. */
  private slot(stored: number): number {
    let i = mix(stored) & this.mask;
    const slots = this.slots;
    while (slots[2 * i] !== 0 && slots[2 * i] !== stored) i = (i + 1) & this.mask;
    return 2 * i;
  }

  /** Sets `key` to `value` and returns the value it had (`missing` when none). */
  swap(key: number, value: number, missing: number): number {
    const i = this.slot(key + 1);
    const slots = this.slots;
    if (slots[i] !== 0) {
      const old = slots[i + 1];
      slots[i + 1] = value;
      return old;
    }
    this.insert(i, key + 1, value);
    return missing;
  }

  /** The value at `key`; when it has none, sets it to `value` and returns that (one probe either way). */
  intern(key: number, value: number): number {
    const i = this.slot(key + 1);
    if (this.slots[i] !== 0) return this.slots[i + 1];
    this.insert(i, key + 1, value);
    return value;
  }

  private insert(i: number, stored: number, value: number): void {
    this.slots[i] = stored;
    this.slots[i + 1] = value;
    if (++this.used * 4 > this.slots.length) this.grow();
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Float64Array(old.length * 2);
    this.mask = this.slots.length / 2 - 1;
    for (let i = 0; i < old.length; i += 2) {
      if (old[i] === 0) continue;
      const j = this.slot(old[i]);
      this.slots[j] = old[i];
      this.slots[j + 1] = old[i + 1];
    }
  }
}

/** A 32-bit hash of a whole number below 2^53: murmur3's finaliser over both halves, so the low bits a mask keeps depend on every bit. */
function mix(key: number): number {
  let h = (key >>> 0) ^ Math.imul((key / 4294967296) >>> 0, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * The keys of `ordered` (a rule's candidates) as numbers, NaN where a row has none; undefined
 * when the keys are text (too many combinations for a double: the callers' slower path).
 */
export function numericKeys(
  ordered: Uint32Array,
  key: (row: number) => number | string | undefined,
): Float64Array | undefined {
  const out = new Float64Array(ordered.length);
  for (let i = 0; i < ordered.length; i++) {
    const k = key(ordered[i]);
    if (typeof k === 'string') return undefined;
    out[i] = k === undefined ? NaN : k;
  }
  return out;
}

/** Fewer keys than this and the table is small enough that a sieve would only add its passes. */
const SIEVE_FROM = 65_536;

/**
 * Which of `keys` certainly occur once (1 in the mask), when most of them are distinct:
 * grouping by a principal and an address, say, nearly every candidate is a group of its own, and
 * a hash table of a million keys is tens of megabytes whose every look-up misses the cache.
 * Two bitmaps of about a megabyte (seen, seen again) over a hash of each key sort out the keys
 * seen once; a key marked "again" may still occur once (two keys sharing a bit), never the
 * reverse, so callers treat it as repeated and lose nothing. Undefined when it would not pay:
 * few candidates, or a sample of them mostly repeated.
 */
export function certainlyOnce(keys: Float64Array): Uint8Array | undefined {
  const n = keys.length;
  if (n < SIEVE_FROM || !mostlyDistinct(keys)) return undefined;
  let bits = 1 << 20;
  while (bits < n * 8 && bits < 1 << 26) bits *= 2;
  const mask = bits - 1;
  const seen = new Int32Array(bits >>> 5);
  const again = new Int32Array(bits >>> 5);
  const at = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const k = keys[i];
    if (k !== k) continue;
    const h = mix(k) & mask;
    at[i] = h;
    const w = h >>> 5;
    const b = 1 << (h & 31);
    if (seen[w] & b) again[w] |= b;
    else seen[w] |= b;
  }
  const once = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const k = keys[i];
    if (k === k && !(again[at[i] >>> 5] & (1 << (at[i] & 31)))) once[i] = 1;
  }
  return once;
}

/** Whether most of 4,096 keys taken evenly across `keys` are distinct (a sample is enough to choose a path). */
function mostlyDistinct(keys: Float64Array): boolean {
  const stride = Math.max(1, Math.floor(keys.length / 4096));
  const sample = new Set<number>();
  let taken = 0;
  for (let i = 0; i < keys.length; i += stride) {
    if (keys[i] !== keys[i]) continue;
    sample.add(keys[i]);
    taken++;
  }
  return sample.size * 2 > taken;
}
