/**
 * The address ranges that are nobody's place on the Internet (RFC 6890 and its successors): private,
 * loopback, link-local, CGNAT, documentation, and the like. A source IP in one of them is named, not
 * looked up: a country for 10.0.0.1 would be a lie.
 */
import { parseIpv4, parseIpv6, type Address } from './address';

/** The kind of special range an address is in. */
export type SpecialKind =
  | 'private'
  | 'loopback'
  | 'link-local'
  | 'cgnat'
  | 'documentation'
  | 'unspecified'
  | 'multicast'
  | 'reserved'
  | 'unique-local'
  | 'benchmarking';

/** A special range with its name, shown in the column and the card. */
export interface SpecialRange {
  readonly cidr: string;
  readonly kind: SpecialKind;
  readonly label: string;
}

/** Most specific first where ranges nest. */
export const SPECIAL_RANGES: readonly SpecialRange[] = [
  { cidr: '0.0.0.0/8', kind: 'unspecified', label: 'This network (RFC 1122)' },
  { cidr: '10.0.0.0/8', kind: 'private', label: 'Private (RFC 1918)' },
  { cidr: '100.64.0.0/10', kind: 'cgnat', label: 'Carrier-grade NAT (RFC 6598)' },
  { cidr: '127.0.0.0/8', kind: 'loopback', label: 'Loopback' },
  { cidr: '169.254.0.0/16', kind: 'link-local', label: 'Link-local' },
  { cidr: '172.16.0.0/12', kind: 'private', label: 'Private (RFC 1918)' },
  { cidr: '192.0.0.0/24', kind: 'reserved', label: 'IETF protocol assignments' },
  { cidr: '192.0.2.0/24', kind: 'documentation', label: 'Documentation (TEST-NET-1)' },
  { cidr: '192.168.0.0/16', kind: 'private', label: 'Private (RFC 1918)' },
  { cidr: '198.18.0.0/15', kind: 'benchmarking', label: 'Benchmarking (RFC 2544)' },
  { cidr: '198.51.100.0/24', kind: 'documentation', label: 'Documentation (TEST-NET-2)' },
  { cidr: '203.0.113.0/24', kind: 'documentation', label: 'Documentation (TEST-NET-3)' },
  { cidr: '224.0.0.0/4', kind: 'multicast', label: 'Multicast' },
  { cidr: '240.0.0.0/4', kind: 'reserved', label: 'Reserved' },
  { cidr: '::/128', kind: 'unspecified', label: 'Unspecified' },
  { cidr: '::1/128', kind: 'loopback', label: 'Loopback' },
  { cidr: '100::/64', kind: 'reserved', label: 'Discard-only (RFC 6666)' },
  { cidr: '2001:db8::/32', kind: 'documentation', label: 'Documentation (RFC 3849)' },
  { cidr: '3fff::/20', kind: 'documentation', label: 'Documentation (RFC 9637)' },
  { cidr: 'fc00::/7', kind: 'unique-local', label: 'Unique local (RFC 4193)' },
  { cidr: 'fe80::/10', kind: 'link-local', label: 'Link-local' },
  { cidr: 'ff00::/8', kind: 'multicast', label: 'Multicast' },
];

/** A CIDR as the inclusive range it covers, or undefined when it does not parse. */
export function cidrRange(
  cidr: string,
): { family: 4; lo: number; hi: number } | { family: 6; lo: number[]; hi: number[] } | undefined {
  const slash = cidr.indexOf('/');
  if (slash < 0) return undefined;
  const bits = Number(cidr.slice(slash + 1));
  const ip = cidr.slice(0, slash);
  const v4 = parseIpv4(ip);
  if (v4 !== undefined) {
    if (!Number.isInteger(bits) || bits < 0 || bits > 32) return undefined;
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    const lo = (v4 & mask) >>> 0;
    return { family: 4, lo, hi: (lo | (~mask >>> 0)) >>> 0 };
  }
  const w = parseIpv6(ip);
  if (!w || !Number.isInteger(bits) || bits < 0 || bits > 128) return undefined;
  const lo: number[] = [];
  const hi: number[] = [];
  for (let k = 0; k < 4; k++) {
    const b = Math.max(0, Math.min(32, bits - 32 * k));
    const mask = b === 0 ? 0 : (~0 << (32 - b)) >>> 0;
    lo.push((w[k] & mask) >>> 0);
    hi.push((w[k] | (~mask >>> 0)) >>> 0);
  }
  return { family: 6, lo, hi };
}

const parsed = SPECIAL_RANGES.map((r) => ({ r, range: cidrRange(r.cidr)! }));

function within(words: readonly number[], lo: readonly number[], hi: readonly number[]): boolean {
  for (let k = 0; k < 4; k++) {
    if (words[k] < lo[k]) return false;
    if (words[k] > lo[k]) break;
  }
  for (let k = 0; k < 4; k++) {
    if (words[k] > hi[k]) return false;
    if (words[k] < hi[k]) break;
  }
  return true;
}

/** The special range `a` is in, or undefined for an ordinary public address. */
export function specialRange(a: Address): SpecialRange | undefined {
  for (const { r, range } of parsed) {
    if (range.family === 4 && a.family === 4 && a.v4 >= range.lo && a.v4 <= range.hi) return r;
    if (range.family === 6 && a.family === 6 && within(a.words, range.lo, range.hi)) return r;
  }
  return undefined;
}
