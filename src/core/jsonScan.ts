/**
 * A strict byte-level JSON walker over one decompressed log file: it finds where values start and
 * end without building them. It accepts only compact JSON (no whitespace between tokens) and
 * throws NOT_SCANNED on anything else — invalid JSON, whitespace, unusual escapes in keys — so
 * the caller falls back to JSON.parse, whose outcome stays the reference.
 *
 * Control bytes inside strings and invalid UTF-8 are ruled out for the whole file beforehand
 * (scanPreflight), so a string's end is just the next quote not escaped by a backslash.
 */

/** Thrown by the walker when the bytes are not compact, valid JSON it fully understands. */
export const NOT_SCANNED = new Error('not scanned');

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export interface SliceBuffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/** Bytes below 0x20 anywhere in [start, end) (JSON allows them only as whitespace, which the walker refuses). */
export function hasControlBytes(b: Uint8Array, start: number, end: number): boolean {
  let i = start;
  // Align to 4 bytes, then test a word at a time: (w - 0x20202020) & ~w & 0x80808080 flags a byte < 0x20.
  while (i < end && ((b.byteOffset + i) & 3) !== 0) if (b[i++] < 0x20) return true;
  const words = (end - i) >> 2;
  if (words > 0) {
    const w32 = new Uint32Array(b.buffer, b.byteOffset + i, words);
    for (let k = 0; k < words; k++) {
      const w = w32[k];
      if (((w - 0x20202020) & ~w & 0x80808080) !== 0) return true;
    }
    i += words << 2;
  }
  while (i < end) if (b[i++] < 0x20) return true;
  return false;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
}

export class JsonWalker {
  readonly b: SliceBuffer;
  readonly utf8: boolean;
  /** The next backslash at or after the last string start searched (b.length when none). */
  private nextBackslash = -1;
  /** Whether the last string passed to stringEnd held an escape. */
  escaped = false;
  private stack = new Uint8Array(64);

  constructor(b: SliceBuffer, utf8: boolean) {
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

  /** `p` is at an opening quote: returns the index of the closing one, and sets `escaped`. */
  stringEnd(p: number): number {
    const b = this.b;
    let q = p + 1;
    // Short strings (most keys) are quicker to walk than to hand to indexOf.
    const stop = q + 24;
    while (q < stop && q < b.length) {
      const c = b[q];
      if (c === QUOTE) {
        this.escaped = false;
        return q;
      }
      if (c === BACKSLASH) return this.escapedEnd(q);
      q++;
    }
    q = b.indexOf(QUOTE, q);
    if (q < 0) throw NOT_SCANNED;
    let bs = this.nextBackslash;
    if (bs <= p) {
      bs = b.indexOf(BACKSLASH, p + 1);
      this.nextBackslash = bs = bs < 0 ? b.length : bs;
    }
    if (bs > q) {
      this.escaped = false;
      return q;
    }
    return this.escapedEnd(bs);
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
        i++;
        continue;
      }
      const e = b[i + 1];
      if (e === 0x75) {
        if (!(isHex(b[i + 2]) && isHex(b[i + 3]) && isHex(b[i + 4]) && isHex(b[i + 5]))) throw NOT_SCANNED;
        i += 6;
      } else if (e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
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
