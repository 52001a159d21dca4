/**
 * What a `sourceIPAddress` value is before any data set is asked: an IPv4 or IPv6 address (as numbers
 * the range tables compare), the name of an AWS service CloudTrail writes instead of an address
 * (`ec2.amazonaws.com`, `AWS Internal`), another hostname, or something else. Attacker-controlled
 * text: every branch is bounded and nothing here throws.
 */

/** A parsed address: IPv4 as one unsigned 32-bit number, IPv6 as four words, most significant first. */
export type Address =
  | { readonly family: 4; readonly v4: number }
  | { readonly family: 6; readonly words: readonly number[] };

/** What a source value is when it is not an address. */
export type NonAddress =
  | { readonly kind: 'service'; readonly service: string }
  | { readonly kind: 'hostname' }
  | { readonly kind: 'invalid' }
  | { readonly kind: 'empty' };

const V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i;

/** IPv4 dotted text to its number, or undefined. */
export function parseIpv4(text: string): number | undefined {
  if (!V4.test(text)) return undefined;
  const p = text.split('.').map(Number);
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}

/** IPv6 text (with `::`, an embedded IPv4 tail, and a `%zone` dropped) to four words, or undefined. */
export function parseIpv6(text: string): number[] | undefined {
  if (text.length > 64 || !text.includes(':')) return undefined;
  let t = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = t.indexOf('%');
  if (zone >= 0) t = t.slice(0, zone);
  const groups: number[] = [];
  const tailV4 = /:(\d+\.\d+\.\d+\.\d+)$/.exec(t);
  if (tailV4) {
    const n = parseIpv4(tailV4[1]);
    if (n === undefined) return undefined;
    t = `${t.slice(0, tailV4.index)}:${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const halves = t.split('::');
  if (halves.length > 2) return undefined;
  const part = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const a = part(halves[0]);
  const b = halves.length === 2 ? part(halves[1]) : [];
  if (!a || !b) return undefined;
  if (halves.length === 1 && a.length !== 8) return undefined;
  if (halves.length === 2 && a.length + b.length > 7) return undefined;
  groups.push(...a, ...new Array<number>(8 - a.length - b.length).fill(0), ...b);
  return [0, 1, 2, 3].map((i) => ((groups[2 * i] << 16) | groups[2 * i + 1]) >>> 0);
}

/** The address in `text`, or what `text` is instead. An IPv4-mapped IPv6 address becomes IPv4. */
export function classifySource(text: string): Address | NonAddress {
  const t = text.trim();
  if (t === '') return { kind: 'empty' };
  const n = parseIpv4(t);
  if (n !== undefined) return { family: 4, v4: n };
  const w = parseIpv6(t);
  if (w) {
    if (w[0] === 0 && w[1] === 0 && w[2] === 0xffff) return { family: 4, v4: w[3] };
    return { family: 6, words: w };
  }
  if (t === 'AWS Internal') return { kind: 'service', service: 'AWS Internal' };
  // A top-level label is never all digits: 1.2.3 and 1.2.3.256 are broken addresses, not names.
  if (HOSTNAME.test(t) && /[a-z]/i.test(t.slice(t.lastIndexOf('.') + 1))) {
    const lower = t.toLowerCase();
    if (lower.endsWith('.amazonaws.com') || lower.endsWith('.amazonaws.com.cn') || lower.endsWith('.aws.internal'))
      return { kind: 'service', service: lower };
    return { kind: 'hostname' };
  }
  return { kind: 'invalid' };
}

/** Whether a classification is an address. */
export function isAddress(c: Address | NonAddress): c is Address {
  return 'family' in c;
}

/** An address back to canonical text (IPv6 compressed), for hovers and tests. */
export function formatAddress(a: Address): string {
  if (a.family === 4) return [a.v4 >>> 24, (a.v4 >>> 16) & 255, (a.v4 >>> 8) & 255, a.v4 & 255].join('.');
  const g = a.words.flatMap((w) => [w >>> 16, w & 0xffff]).map((x) => x.toString(16));
  return g.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

/** Compares two IPv6 word tuples. */
export function compareWords(a: ArrayLike<number>, ai: number, b: ArrayLike<number>, bi: number): number {
  for (let k = 0; k < 4; k++) {
    const d = a[ai + k] - b[bi + k];
    if (d !== 0) return d;
  }
  return 0;
}
