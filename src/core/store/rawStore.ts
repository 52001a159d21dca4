/**
 * Each event's original JSON, kept off the JS heap. Two ways, chosen per file by the loader:
 *
 * - **source**: the file's own gzip bytes, with each row's index in that file's records. A raw is
 *   re-read on demand by decoding the file again (cached for a few files). Costs nothing at load
 *   time and about a tenth of the decompressed size in memory.
 * - **utf8**: UTF-8 bytes in large Buffer blocks, with each row's byte range. For records added one
 *   by one and for files too large to decode again on demand (a plain JSON export).
 *
 * The JS heap holds only per-row numbers; a JS string exists only while a raw is being used.
 */
import { GrowableU32 } from './postings';

/** Turns a file's source bytes back into the raw JSON of each of its records, in record order. */
export type Reread = (source: Uint8Array) => string[];

/** UTF-8 length of a string (lone surrogates count as the 3 bytes of U+FFFD, as TextEncoder writes). */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2;
      i++;
    } else n += 2;
  }
  return n;
}

const BLOCK_BYTES = 16 * 1024 * 1024;
/** A row's `where` value with this bit set names a source; without it, a UTF-8 block. */
const SOURCE_BIT = 0x8000_0000;
const CACHED_SOURCES = 4;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class RawStore {
  private readonly blocks: Uint8Array[] = [];
  private readonly sources: Uint8Array[] = [];
  /** The block `addString` appends to, and how much of it is used. */
  private open: Uint8Array | undefined;
  private openUsed = 0;
  private readonly where = new GrowableU32();
  /** Byte start in a block, or record index in a source. */
  private readonly start = new GrowableU32();
  private readonly end = new GrowableU32();
  private readonly cache = new Map<number, string[]>();
  private heldBytes = 0;

  /** `reread` turns a source back into its raws (decode.ts rereadRaws, injected to keep this file free of Node). */
  constructor(private readonly reread: Reread) {}

  get size(): number {
    return this.where.length;
  }

  /** Bytes held for raws (blocks and sources), for memory reports. */
  get bytes(): number {
    return this.heldBytes;
  }

  /** Appends one row whose raw is `raw`. */
  addString(raw: string): void {
    // Worst case 3 bytes per UTF-16 unit; checking that avoids measuring most strings first.
    const need = raw.length * 3 > BLOCK_BYTES ? utf8Length(raw) : raw.length * 3;
    if (!this.open || this.openUsed + need > this.open.length) {
      this.open = new Uint8Array(Math.max(BLOCK_BYTES, need));
      this.openUsed = 0;
      this.blocks.push(this.open);
      this.heldBytes += this.open.length;
    }
    const written = encoder.encodeInto(raw, this.open.subarray(this.openUsed)).written;
    this.push(this.blocks.length - 1, this.openUsed, this.openUsed + written);
    this.openUsed += written;
  }

  /** Keeps a block of UTF-8 raws as it is (no copy); rows then point into it with `addSlice`. */
  addBlock(bytes: Uint8Array): number {
    this.blocks.push(bytes);
    this.heldBytes += bytes.byteLength;
    // Appending to a block kept as given would overwrite its rows: open a fresh one next time.
    this.open = undefined;
    return this.blocks.length - 1;
  }

  /** Appends one row whose raw is bytes [start, end) of block `block`. */
  addSlice(block: number, start: number, end: number): void {
    this.push(block, start, end);
  }

  /** Keeps a file's source bytes; rows then point into it with `addRecord`. */
  addSource(bytes: Uint8Array): number {
    this.sources.push(bytes);
    this.heldBytes += bytes.byteLength;
    return this.sources.length - 1;
  }

  /** Appends one row whose raw is record `index` of source `source`. */
  addRecord(source: number, index: number): void {
    this.push(source | SOURCE_BIT, index, index);
  }

  /** Appends rows for records 0 … n-1 of source `source`, or only those with `keep[i]` set. */
  addRecords(source: number, n: number, keep?: Uint8Array): void {
    this.append(source | SOURCE_BIT, n, keep);
  }

  /** Appends rows for bytes [offsets[i], offsets[i + 1]) of block `block`, i < n (only where `keep[i]` is set, if given). */
  addSlices(block: number, offsets: Uint32Array, n: number, keep?: Uint8Array): void {
    this.append(block, n, keep, offsets);
  }

  /** Rows i < n (where `keep[i]`, if given) at `where`: bytes [offsets[i], offsets[i + 1]), or record i without offsets. */
  private append(where: number, n: number, keep: Uint8Array | undefined, offsets?: Uint32Array): void {
    this.reserve(n);
    const w = this.where.data;
    const s = this.start.data;
    const e = this.end.data;
    let at = this.where.length;
    for (let i = 0; i < n; i++) {
      if (keep && !keep[i]) continue;
      w[at] = where;
      s[at] = offsets ? offsets[i] : i;
      e[at++] = offsets ? offsets[i + 1] : i;
    }
    this.where.length = this.start.length = this.end.length = at;
  }

  private reserve(more: number): void {
    const total = this.where.length + more;
    this.where.reserve(total);
    this.start.reserve(total);
    this.end.reserve(total);
  }

  private push(where: number, start: number, end: number): void {
    this.where.push(where);
    this.start.push(start);
    this.end.push(end);
  }

  /** The raw JSON of `row` ('' when its source can no longer be read). */
  get(row: number): string {
    const where = this.where.data[row];
    if (where & SOURCE_BIT) return this.fromSource(where & ~SOURCE_BIT, this.start.data[row]);
    return decoder.decode(this.blocks[where].subarray(this.start.data[row], this.end.data[row]));
  }

  private fromSource(source: number, index: number): string {
    let raws = this.cache.get(source);
    if (raws) {
      // Most recently used last, so the first key is the one to evict.
      this.cache.delete(source);
    } else {
      try {
        raws = this.reread(this.sources[source]);
      } catch {
        raws = [];
      }
      if (this.cache.size >= CACHED_SOURCES) this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(source, raws);
    return raws[index] ?? '';
  }
}
