/**
 * A strict byte-level JSON walker over one decompressed log file: it finds where values start and
 * end without building them. It accepts only compact JSON (no whitespace between tokens) and
 * throws NOT_SCANNED on anything else — invalid JSON, whitespace, unusual escapes in keys — so
 * the caller falls back to JSON.parse, whose outcome stays the reference.
 *
 * Strings are checked for control bytes as they are passed; invalid UTF-8 is ruled out for the
 * whole file beforehand (scan.ts), so a string's end is the next quote not escaped by a backslash.
 */

import type { SliceBuffer } from '../store/sliceBuffer';

/** Thrown by the walker when the bytes are not compact, valid JSON it fully understands. */
export const NOT_SCANNED = new Error('not scanned');

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
}

/**
 * Whether bytes [p, p + len) and [q, q + len) of `b` are the same (`dv` views the same bytes): four
 * at a time, read at any offset (one load each once optimized). Keys and values are mostly 8–200
 * bytes: a byte loop took 1.5× as long on 14-byte keys, and Buffer.compare's call alone costs more
 * than comparing most of them.
 */
export function sameBytes(dv: DataView, b: Uint8Array, p: number, q: number, len: number): boolean {
  let i = 0;
  for (; i + 4 <= len; i += 4) if (dv.getInt32(p + i, true) !== dv.getInt32(q + i, true)) return false;
  for (; i < len; i++) if (b[p + i] !== b[q + i]) return false;
  return true;
}

export class JsonWalker {
  readonly b: SliceBuffer;
  readonly utf8: boolean;
  /** The buffer's whole 4-byte words (its start is 4-byte aligned). */
  private readonly words: Uint32Array;
  /** The buffer's bytes, for reading four at any offset (sameBytes). */
  readonly dv: DataView;
  /** Whether the last string passed to stringEnd held an escape. */
  escaped = false;
  private stack = new Uint8Array(64);

  /** `b` must start at a multiple of 4 bytes in its ArrayBuffer. */
  constructor(b: SliceBuffer, utf8: boolean) {
    if ((b.byteOffset & 3) !== 0) throw new RangeError('unaligned buffer');
    this.words = new Uint32Array(b.buffer, b.byteOffset, b.length >> 2);
    this.dv = new DataView(b.buffer, b.byteOffset, b.length);
    this.b = b;
    this.utf8 = utf8;
  }

  /** The text of bytes [start, end) (no escapes in it). */
  text(start: number, end: number): string {
    return this.utf8 ? this.b.utf8Slice(start, end) : this.b.latin1Slice(start, end);
  }

  /** The string value whose quotes sit at `open` and `close` (escaped tells whether it needs JSON.parse). */
  stringValue(open: number, close: number, escaped: boolean): string {
    return escaped ? (JSON.parse(this.text(open, close + 1)) as string) : this.text(open + 1, close);
  }

  /**
   * `p` is at an opening quote: returns the index of the closing one, and sets `escaped`. A control
   * byte (below 0x20) inside the string is invalid JSON: NOT_SCANNED.
   */
  stringEnd(p: number): number {
    const b = this.b;
    let q = p + 1;
    // Up to a 4-byte boundary, then a word at a time: a word holding '"', '\\' or a control byte
    // has a zero byte once xored with '"' or '\\', or a byte below 0x20.
    while ((q & 3) !== 0) {
      const c = b[q];
      if (c === QUOTE) {
        this.escaped = false;
        return q;
      }
      if (c === BACKSLASH) return this.escapedEnd(q);
      if (!(c >= 0x20)) throw NOT_SCANNED;
      q++;
    }
    const words = this.words;
    const n = words.length;
    for (let k = q >> 2; k < n; k++) {
      const w = words[k];
      const x = w ^ 0x22222222;
      const y = w ^ 0x5c5c5c5c;
      if (((((x - 0x01010101) & ~x) | ((y - 0x01010101) & ~y) | ((w - 0x20202020) & ~w)) & 0x80808080) !== 0) {
        q = k << 2;
        break;
      }
      q = (k + 1) << 2;
    }
    for (;;) {
      const c = b[q];
      if (c === QUOTE) {
        this.escaped = false;
        return q;
      }
      if (c === BACKSLASH) return this.escapedEnd(q);
      if (!(c >= 0x20)) throw NOT_SCANNED;
      q++;
    }
  }

  /** From the first backslash of a string: validates each escape as JSON.parse would, returns the closing quote. */
  private escapedEnd(i: number): number {
    const b = this.b;
    const n = b.length;
    this.escaped = true;
    while (i < n) {
      const c = b[i];
      if (c === QUOTE) return i;
      if (c !== BACKSLASH) {
        if (c < 0x20) throw NOT_SCANNED;
        i++;
        continue;
      }
      const e = b[i + 1];
      if (e === 0x75) {
        if (!(isHex(b[i + 2]) && isHex(b[i + 3]) && isHex(b[i + 4]) && isHex(b[i + 5]))) throw NOT_SCANNED;
        i += 6;
      } else if (
        e === QUOTE ||
        e === BACKSLASH ||
        e === 0x2f ||
        e === 0x62 ||
        e === 0x66 ||
        e === 0x6e ||
        e === 0x72 ||
        e === 0x74
      ) {
        i += 2;
      } else {
        throw NOT_SCANNED;
      }
    }
    throw NOT_SCANNED;
  }

  /** `p` is at a number: returns the index after it (JSON's grammar exactly). */
  numberEnd(p: number): number {
    const b = this.b;
    let i = p;
    if (b[i] === 0x2d) i++;
    let c = b[i];
    if (c === 0x30) i++;
    else if (c >= 0x31 && c <= 0x39) {
      do c = b[++i];
      while (c >= 0x30 && c <= 0x39);
    } else throw NOT_SCANNED;
    if (b[i] === 0x2e) {
      c = b[++i];
      if (!(c >= 0x30 && c <= 0x39)) throw NOT_SCANNED;
      do c = b[++i];
      while (c >= 0x30 && c <= 0x39);
    }
    if ((b[i] | 0x20) === 0x65) {
      c = b[++i];
      if (c === 0x2b || c === 0x2d) c = b[++i];
      if (!(c >= 0x30 && c <= 0x39)) throw NOT_SCANNED;
      do c = b[++i];
      while (c >= 0x30 && c <= 0x39);
    }
    return i;
  }

  /** `p` is at a value that is not a string, object or array: returns the index after it. */
  scalarEnd(p: number): number {
    const b = this.b;
    switch (b[p]) {
      case 0x74: // true
        if (b[p + 1] === 0x72 && b[p + 2] === 0x75 && b[p + 3] === 0x65) return p + 4;
        break;
      case 0x66: // false
        if (b[p + 1] === 0x61 && b[p + 2] === 0x6c && b[p + 3] === 0x73 && b[p + 4] === 0x65) return p + 5;
        break;
      case 0x6e: // null
        if (b[p + 1] === 0x75 && b[p + 2] === 0x6c && b[p + 3] === 0x6c) return p + 4;
        break;
      default:
        return this.numberEnd(p);
    }
    throw NOT_SCANNED;
  }

  /** `p` is at an object key's quote: returns the index after its ':' (the value's start). */
  private afterKey(p: number): number {
    if (this.b[p] !== QUOTE) throw NOT_SCANNED;
    const q = this.stringEnd(p);
    if (this.b[q + 1] !== 0x3a) throw NOT_SCANNED;
    return q + 2;
  }

  /** `p` is at any value: returns the index after it, validating everything inside. */
  valueEnd(p: number): number {
    const b = this.b;
    let c = b[p];
    if (c === QUOTE) return this.stringEnd(p) + 1;
    if (c !== 0x7b && c !== 0x5b) return this.scalarEnd(p);
    let stack = this.stack;
    let depth = 0;
    for (;;) {
      // At a value.
      c = b[p];
      if (c === QUOTE) p = this.stringEnd(p) + 1;
      else if (c === 0x7b || c === 0x5b) {
        if (depth === stack.length) {
          const grown = new Uint8Array(depth * 2);
          grown.set(stack);
          this.stack = stack = grown;
        }
        stack[depth++] = c;
        p++;
        if (b[p] === c + 2) {
          // Empty: '{}' or '[]'.
          depth--;
          p++;
        } else {
          if (c === 0x7b) p = this.afterKey(p);
          continue;
        }
      } else p = this.scalarEnd(p);
      // After a value: close what ends here, then go on to the next value.
      for (;;) {
        if (depth === 0) return p;
        c = b[p];
        const open = stack[depth - 1];
        if (c === 0x2c) {
          p = open === 0x7b ? this.afterKey(p + 1) : p + 1;
          break;
        }
        if (c !== open + 2) throw NOT_SCANNED;
        depth--;
        p++;
      }
    }
  }
}
