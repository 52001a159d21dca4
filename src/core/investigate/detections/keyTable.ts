/**
 * A hash table from whole-number keys (below 2^53, as groupKeys.ts makes them) to numbers, in
 * typed arrays: one probe per look-up and no garbage, where a Map of a million heap-number keys
 * costs two hashed look-ups per row and its GC (first-seen rules took 0.5 s at 1M events so).
 * Open addressing, linear probing, doubled past half full.
 */
export class KeyTable {
  private keys: Float64Array;
  private values: Float64Array;
  private mask: number;
  private used = 0;

  constructor(capacity = 1024) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.keys = new Float64Array(size).fill(-1);
    this.values = new Float64Array(size);
    this.mask = size - 1;
  }

  get size(): number {
    return this.used;
  }

  private slot(key: number): number {
    const lo = key >>> 0;
    const hi = (key / 4294967296) >>> 0;
    let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 13;
    let i = h & this.mask;
    const keys = this.keys;
    while (keys[i] !== -1 && keys[i] !== key) i = (i + 1) & this.mask;
    return i;
  }

  /** The value at `key`, or `missing` when it has none. */
  get(key: number, missing: number): number {
    const i = this.slot(key);
    return this.keys[i] === key ? this.values[i] : missing;
  }

  /** Sets `key` to `value` and returns the value it had (`missing` when none). */
  swap(key: number, value: number, missing: number): number {
    const i = this.slot(key);
    if (this.keys[i] === key) {
      const old = this.values[i];
      this.values[i] = value;
      return old;
    }
    this.keys[i] = key;
    this.values[i] = value;
    if (++this.used * 2 > this.keys.length) this.grow();
    return missing;
  }

  private grow(): void {
    const { keys, values } = this;
    this.keys = new Float64Array(keys.length * 2).fill(-1);
    this.values = new Float64Array(keys.length * 2);
    this.mask = this.keys.length - 1;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === -1) continue;
      const j = this.slot(keys[i]);
      this.keys[j] = keys[i];
      this.values[j] = values[i];
    }
  }
}
