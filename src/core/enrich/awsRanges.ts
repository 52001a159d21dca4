/**
 * AWS's published address ranges (`ip-ranges.json`): which service and region an address belongs to.
 * Prefixes nest (every EC2 prefix is inside an AMAZON one), so an address gets the most specific
 * prefix, and a named service over the catch-all AMAZON. A file that does not parse gives a reason,
 * never an exception.
 */
import type { Address } from './address';
import { cidrRange } from './special';

/** The AWS range an address is in. */
export interface AwsRange {
  readonly service: string;
  readonly region: string;
  readonly prefix: string;
  /** Every service whose prefix covers the address (EC2 and AMAZON, say). */
  readonly services: readonly string[];
}

/** A loaded ip-ranges.json, or why it could not be used. */
export type AwsRangesLoad =
  | { readonly ok: true; readonly ranges: AwsRanges }
  | { readonly ok: false; readonly reason: string };

interface Entry {
  readonly service: string;
  readonly region: string;
  readonly prefix: string;
}

/** Lookup tables per prefix length: masked network → the entries of that prefix. */
export class AwsRanges {
  private readonly v4 = new Map<number, Map<number, Entry[]>>();
  private readonly v6 = new Map<number, Map<string, Entry[]>>();

  constructor(
    /** `createDate` of the file, as AWS wrote it (`2026-08-22-15-17-05`). */
    readonly createDate: string,
    readonly prefixCount: number,
  ) {}

  /** Adds one prefix (called while loading). Returns false for a prefix that does not parse. */
  add(prefix: string, service: string, region: string): boolean {
    const r = cidrRange(prefix);
    if (!r) return false;
    const bits = Number(prefix.slice(prefix.indexOf('/') + 1));
    const e: Entry = { service, region, prefix };
    if (r.family === 4) {
      let m = this.v4.get(bits);
      if (!m) this.v4.set(bits, (m = new Map<number, Entry[]>()));
      const list = m.get(r.lo);
      if (list) list.push(e);
      else m.set(r.lo, [e]);
    } else {
      let m = this.v6.get(bits);
      if (!m) this.v6.set(bits, (m = new Map<string, Entry[]>()));
      const key = r.lo.join(',');
      const list = m.get(key);
      if (list) list.push(e);
      else m.set(key, [e]);
    }
    return true;
  }

  /** The AWS range `a` is in, or undefined when it is not AWS's. */
  lookup(a: Address): AwsRange | undefined {
    const found: Entry[] = [];
    if (a.family === 4) {
      for (const [bits, m] of this.v4) {
        const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
        const hit = m.get((a.v4 & mask) >>> 0);
        if (hit) found.push(...hit.map((e) => ({ ...e, bits })));
      }
    } else {
      for (const [bits, m] of this.v6) {
        const key = a.words
          .map((w, k) => {
            const b = Math.max(0, Math.min(32, bits - 32 * k));
            return b === 0 ? 0 : (w & (~0 << (32 - b))) >>> 0;
          })
          .join(',');
        const hit = m.get(key);
        if (hit) found.push(...hit.map((e) => ({ ...e, bits })));
      }
    }
    if (found.length === 0) return undefined;
    const bitsOf = (e: Entry): number => Number(e.prefix.slice(e.prefix.indexOf('/') + 1));
    found.sort((x, y) => Number(x.service === 'AMAZON') - Number(y.service === 'AMAZON') || bitsOf(y) - bitsOf(x));
    const best = found[0];
    return {
      service: best.service,
      region: best.region,
      prefix: best.prefix,
      services: [...new Set(found.map((e) => e.service))],
    };
  }

  /** Every prefix of `service` (or of any service when undefined), for narrowing a remote query. */
  prefixesOf(service: string | undefined): string[] {
    const out = new Set<string>();
    for (const tables of [this.v4, this.v6] as Map<number, Map<unknown, Entry[]>>[])
      for (const m of tables.values())
        for (const list of m.values())
          for (const e of list) if (service === undefined || e.service === service.toUpperCase()) out.add(e.prefix);
    return [...out];
  }
}

/** Parses the text of an ip-ranges.json. */
export function loadAwsRanges(text: string): AwsRangesLoad {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `ip-ranges.json is not JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    return { ok: false, reason: 'ip-ranges.json is not an object' };
  const d = doc as Record<string, unknown>;
  if (!Array.isArray(d.prefixes)) return { ok: false, reason: 'ip-ranges.json has no "prefixes" list' };
  const v6 = Array.isArray(d.ipv6_prefixes) ? d.ipv6_prefixes : [];
  const ranges = new AwsRanges(
    typeof d.createDate === 'string' ? d.createDate : 'unknown',
    d.prefixes.length + v6.length,
  );
  let bad = 0;
  const take = (p: unknown, key: string): void => {
    if (typeof p !== 'object' || p === null) return void bad++;
    const o = p as Record<string, unknown>;
    const prefix = o[key];
    const service = typeof o.service === 'string' ? o.service : 'AMAZON';
    const region = typeof o.region === 'string' ? o.region : 'GLOBAL';
    if (typeof prefix !== 'string' || !ranges.add(prefix, service, region)) bad++;
  };
  for (const p of d.prefixes) take(p, 'ip_prefix');
  for (const p of v6) take(p, 'ipv6_prefix');
  if (bad > 0 && bad === ranges.prefixCount) return { ok: false, reason: 'ip-ranges.json has no prefix that parses' };
  return { ok: true, ranges };
}

/** "2026-08-22-15-17-05" → "2026-08-22 15:17:05 UTC"; anything else as it is. */
export function awsRangesDate(createDate: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})-(\d{2})-(\d{2})-(\d{2})$/.exec(createDate);
  return m ? `${m[1]} ${m[2]}:${m[3]}:${m[4]} UTC` : createDate;
}

/** What a download of ip-ranges.json held, or why it cannot replace the data in use. */
export type RangesDownload =
  | { readonly ok: true; readonly createDate: string; readonly prefixCount: number }
  | { readonly ok: false; readonly reason: string };

/**
 * Whether a downloaded ip-ranges.json may replace the one in use: it parses, has prefixes, and
 * carries AWS's `createDate` (`YYYY-MM-DD-hh-mm-ss`), so a captive portal's page or a proxy's
 * error never becomes the AWS data.
 */
export function checkRangesDownload(text: string): RangesDownload {
  const l = loadAwsRanges(text);
  if (!l.ok) return l;
  if (!/^\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}$/.test(l.ranges.createDate))
    return { ok: false, reason: 'ip-ranges.json has no createDate as AWS writes it (YYYY-MM-DD-hh-mm-ss)' };
  if (l.ranges.prefixCount === 0) return { ok: false, reason: 'ip-ranges.json lists no prefixes' };
  return { ok: true, createDate: l.ranges.createDate, prefixCount: l.ranges.prefixCount };
}
