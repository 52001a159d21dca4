/**
 * One string column of a scanned batch: its distinct values and a row's id, interned from the
 * scanned bytes where a value is plain. Such a value stays a range of those bytes, copied into
 * the batch as it is: no string is made of it in the decoder.
 */
import type { ValueWriter } from '../store/batch';
import { grow } from '../store/grow';
import { StringInterner } from '../store/interner';
import { type JsonWalker, sameBytes } from './jsonScan';

/** One column's distinct values and ids. */
export class Column {
  /** How many distinct values. Value `id` is bytes [spans[2id], spans[2id + 1]) of src, or strings[id] where spans[2id] < 0. */
  size = 0;
  private spans = new Int32Array(2 * 64);
  private readonly strings: (string | undefined)[] = [];
  /**
   * Value → id for values that come as strings (identities), made only once one does: values from
   * plain bytes are told apart by their bytes (distinct UTF-8 or latin1 bytes are distinct
   * strings). Once it exists it holds every value, bytes made into strings. A StringInterner
   * rather than a Map: identities are fresh strings for nearly every event, and a Map cost
   * ~0.8 µs for each (hash, lookup, insert).
   */
  private index: StringInterner | undefined;
  ids: Uint32Array;
  private last = '';
  private lastId = -1;
  private readonly src: Buffer;
  private readonly dv: DataView;
  private readonly text: (s: number, e: number) => string;
  /**
   * Values seen as plain bytes of `src`: an open-addressing table of entry + 1, and per entry its
   * start, end, hash and id (four ints in a row). Small to begin with, and few arrays: a file
   * makes 15 columns, and most hold a handful of values.
   */
  private table = new Int32Array(128);
  private count = 0;
  private entries = new Int32Array(4 * 64);

  /** Values are bytes of `w`'s buffer (src); `text(s, e)`: the string of bytes [s, e) of it (which hold no escape). */
  constructor(cap: number, w: JsonWalker, text: (s: number, e: number) => string) {
    this.ids = new Uint32Array(cap);
    this.src = w.b;
    this.dv = w.dv;
    this.text = text;
  }

  add(row: number, v: string): void {
    // An absent field ('') goes by its (empty) bytes: it alone would make every value a string.
    if (v.length === 0) return this.addBytes(row, 0, 0);
    if (row >= this.ids.length) this.ids = grow(this.ids, row + 1);
    // Neighbouring events often share a value (same caller, agent, region): skip the lookup.
    if (v === this.last && this.lastId >= 0) {
      this.ids[row] = this.lastId;
      return;
    }
    this.ids[row] = this.lastId = this.idOf(v);
    this.last = v;
  }

  private idOf(v: string): number {
    let index = this.index;
    if (index === undefined) {
      index = this.index = new StringInterner();
      for (let id = 0; id < this.size; id++) index.intern(this.valueString(id));
    }
    const id = index.intern(v);
    if (id === this.size) this.push(-1, -1, v);
    return id;
  }

  private valueString(id: number): string {
    const s = this.spans[2 * id];
    return s < 0 ? this.strings[id]! : this.text(s, this.spans[2 * id + 1]);
  }

  private push(s: number, e: number, v: string | undefined): number {
    const id = this.size++;
    if (2 * id >= this.spans.length) this.spans = grow(this.spans, 2 * id + 2);
    this.spans[2 * id] = s;
    this.spans[2 * id + 1] = e;
    if (v !== undefined) this.strings[id] = v;
    return id;
  }

  /** Adds the value whose UTF-8 is bytes [s, e) of src (no escape in them). */
  addBytes(row: number, s: number, e: number): void {
    if (row >= this.ids.length) this.ids = grow(this.ids, row + 1);
    const b = this.src;
    const len = e - s;
    // A hash of the length and up to 12 bytes (start, middle, end), not of every byte. Probing
    // stops after a few values with the same hash, or a long run of others (the value then goes by
    // its string alone, so no input is slow); a run of 8 other values, which half-full linear
    // probing reaches in most files of a few hundred distinct values, made every new value of the
    // column a string.
    let h = Math.imul(len, 0x9e3779b1);
    const dv = this.dv;
    if (len >= 4) {
      h = Math.imul(h ^ dv.getInt32(s, true), 0x85ebca6b);
      h = Math.imul(h ^ dv.getInt32(s + (len >> 1) - 2, true), 0xc2b2ae35);
      h = Math.imul(h ^ dv.getInt32(e - 4, true), 0x27d4eb2f);
    } else for (let i = s; i < e; i++) h = Math.imul(h ^ b[i], 0x01000193);
    // A full finalizer: a product's low bits (the slot) depend only on its inputs' low bits.
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    const table = this.table;
    const entries = this.entries;
    const mask = table.length - 1;
    let probes = 0;
    let collisions = 0;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const at = 4 * (table[slot] - 1);
      if (at < 0) break;
      if (++probes > 64 || (entries[at + 2] === h && ++collisions > 8)) {
        this.add(row, this.text(s, e));
        return;
      }
      if (entries[at + 2] !== h) continue;
      const es = entries[at];
      if (entries[at + 1] - es !== len) continue;
      if (sameBytes(dv, b, es, s, len)) {
        this.ids[row] = entries[at + 3];
        this.lastId = -1;
        return;
      }
    }
    // New bytes. A string only when values also come as strings (it may be one of those).
    let id: number;
    if (this.index !== undefined) id = this.idOf(this.text(s, e));
    else id = this.push(s, e, undefined);
    this.ids[row] = id;
    this.lastId = -1;
    this.insert(s, e, h, id);
  }

  /** Writes this column's values, in id order. */
  writeValues(out: ValueWriter): void {
    for (let id = 0; id < this.size; id++) {
      const s = this.spans[2 * id];
      if (s >= 0) out.addBytes(this.src, s, this.spans[2 * id + 1]);
      else out.addString(this.strings[id]!);
    }
  }

  private insert(s: number, e: number, h: number, id: number): void {
    const entry = this.count++;
    if (4 * entry >= this.entries.length) this.entries = grow(this.entries, 4 * entry + 4);
    const at = 4 * entry;
    this.entries[at] = s;
    this.entries[at + 1] = e;
    this.entries[at + 2] = h;
    this.entries[at + 3] = id;
    if (2 * this.count > this.table.length) this.rehash();
    else this.place(this.table, entry);
  }

  private place(table: Int32Array, entry: number): void {
    const mask = table.length - 1;
    let slot = this.entries[4 * entry + 2] & mask;
    while (table[slot] !== 0) slot = (slot + 1) & mask;
    table[slot] = entry + 1;
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2);
    for (let entry = 0; entry < this.count; entry++) this.place(table, entry);
    this.table = table;
  }
}
