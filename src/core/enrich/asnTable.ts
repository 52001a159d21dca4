/**
 * The shipped ASN data set: ip-location-db's `asn` CSV (RouteViews + the RIRs + DB-IP ASN Lite, CC BY 4.0),
 * packed at build time by scripts/ipData.mjs into sorted range arrays read in place, without a copy:
 * a lookup is a binary search. Layout (little-endian u32): magic "CTLASN01", [v4Rows, v6Rows, entries,
 * orgBytes], v4 starts, ends, entry indexes; v6 starts and ends (4 words each), entry indexes; entry
 * ASNs, org offsets (entries + 1); the org names as UTF-8.
 */
import { compareWords, type Address } from './address';

/** An autonomous system. */
export interface AsnInfo {
  readonly asn: number;
  readonly org: string;
}

/** A loaded table, or why it could not be read. */
export type AsnTableLoad =
  | { readonly ok: true; readonly table: AsnTable }
  | { readonly ok: false; readonly reason: string };

const MAGIC = 'CTLASN01';
const decoder = new TextDecoder();

/** The packed table over a buffer it does not copy. */
export class AsnTable {
  private constructor(
    private readonly v4Start: Uint32Array,
    private readonly v4End: Uint32Array,
    private readonly v4Entry: Uint32Array,
    private readonly v6Start: Uint32Array,
    private readonly v6End: Uint32Array,
    private readonly v6Entry: Uint32Array,
    private readonly asns: Uint32Array,
    private readonly orgAt: Uint32Array,
    private readonly orgBytes: Uint8Array,
  ) {}

  /** Reads a packed table; a wrong magic, a truncated file or counts that do not fit give a reason. */
  static load(bytes: Uint8Array): AsnTableLoad {
    if (bytes.length < 24) return { ok: false, reason: 'the ASN table is truncated' };
    if (decoder.decode(bytes.subarray(0, 8)) !== MAGIC) return { ok: false, reason: 'not a CloudTrail Lens ASN table' };
    // Aligned words: copy once when the buffer is not 4-byte aligned (a Node Buffer from the pool may not be).
    const aligned = bytes.byteOffset % 4 === 0 ? bytes : new Uint8Array(bytes);
    const head = new DataView(aligned.buffer, aligned.byteOffset, 24);
    const [n4, n6, ne, nb] = [8, 12, 16, 20].map((o) => head.getUint32(o, true));
    const words = 6 + n4 * 3 + n6 * 9 + ne * 2 + 1;
    if (words * 4 + nb !== aligned.length) return { ok: false, reason: 'the ASN table is truncated or corrupt' };
    let at = aligned.byteOffset + 24;
    const take = (n: number): Uint32Array => {
      const a = new Uint32Array(aligned.buffer, at, n);
      at += n * 4;
      return a;
    };
    const t = new AsnTable(
      take(n4),
      take(n4),
      take(n4),
      take(n6 * 4),
      take(n6 * 4),
      take(n6),
      take(ne),
      take(ne + 1),
      new Uint8Array(aligned.buffer, aligned.byteOffset + words * 4, nb),
    );
    return { ok: true, table: t };
  }

  /** Row counts, for the hover and the bench. */
  get size(): { v4: number; v6: number; systems: number } {
    return { v4: this.v4Start.length, v6: this.v6Entry.length, systems: this.asns.length };
  }

  /** The AS announcing `a`, or undefined. */
  lookup(a: Address): AsnInfo | undefined {
    let row = -1;
    if (a.family === 4) {
      let lo = 0;
      let hi = this.v4Start.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        if (this.v4Start[mid] <= a.v4) {
          row = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (row < 0 || this.v4End[row] < a.v4) return undefined;
      return this.entry(this.v4Entry[row]);
    }
    let lo = 0;
    let hi = this.v6Entry.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (compareWords(this.v6Start, mid * 4, a.words, 0) <= 0) {
        row = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (row < 0 || compareWords(this.v6End, row * 4, a.words, 0) < 0) return undefined;
    return this.entry(this.v6Entry[row]);
  }

  private entry(i: number): AsnInfo | undefined {
    if (i >= this.asns.length) return undefined;
    const org = decoder.decode(this.orgBytes.subarray(this.orgAt[i], this.orgAt[i + 1]));
    return { asn: this.asns[i], org };
  }
}
