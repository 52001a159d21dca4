/**
 * Where a source IP is: one answer per distinct value, from the special ranges, AWS's ranges, the
 * country MMDB, the ASN table and the user's own MMDB (which wins where it answers). Callers enrich
 * a store's distinct source values, never every event.
 */
import { classifySource, isAddress } from './address';
import type { AsnTable } from './asnTable';
import type { AwsRange, AwsRanges } from './awsRanges';
import type { Centroids } from './centroids';
import type { GeoDb, GeoRecord } from './geoDb';
import { specialRange, type SpecialKind } from './special';

/** What a source value turned out to be. */
export type EnrichmentKind = 'public' | 'special' | 'service' | 'hostname' | 'invalid' | 'empty';

/** Everything known about one source value: where an MMDB places it (country ISO 3166-1 alpha-2, city, ASN…), and more. */
export interface Enrichment extends GeoRecord {
  readonly kind: EnrichmentKind;
  /** The special range's name (`Private (RFC 1918)`) or the service name CloudTrail wrote. */
  readonly label?: string;
  readonly special?: SpecialKind;
  readonly aws?: AwsRange;
}

/** A data set as the event view's hover names it. */
export interface DataSetInfo {
  readonly role: 'country' | 'asn' | 'aws' | 'user';
  readonly name: string;
  readonly licence: string;
  readonly date: string;
  readonly version?: string;
}

/** The data sets an enricher reads; any may be missing, with its reason in `problems`. */
export interface EnrichSources {
  readonly country?: GeoDb;
  readonly asn?: AsnTable;
  readonly aws?: AwsRanges;
  readonly user?: GeoDb;
  /** A point per country, for distances when no city is known (impossible travel). */
  readonly centroids?: Centroids;
  readonly info: readonly DataSetInfo[];
  readonly problems: readonly string[];
}

/** Caches per distinct value; bounded so a hostile stream of unique garbage cannot grow it without end. */
export class IpEnricher {
  private readonly cache = new Map<string, Enrichment>();

  constructor(
    readonly sources: EnrichSources,
    private readonly maxCache = 1_000_000,
  ) {}

  /** The enrichment of one `sourceIPAddress` value. */
  enrich(value: string): Enrichment {
    const hit = this.cache.get(value);
    if (hit) return hit;
    const e = this.compute(value);
    if (this.cache.size < this.maxCache) this.cache.set(value, e);
    return e;
  }

  private compute(value: string): Enrichment {
    const c = classifySource(value);
    if (!isAddress(c)) {
      if (c.kind === 'service') return { kind: 'service', label: c.service };
      return { kind: c.kind };
    }
    const special = specialRange(c);
    if (special) return { kind: 'special', label: special.label, special: special.kind };
    const { country, asn, aws, user } = this.sources;
    const base = country?.lookup(c);
    const fromAsn = asn?.lookup(c);
    const mine = user?.lookup(c);
    return strip({
      kind: 'public',
      country: mine?.country ?? base?.country,
      city: mine?.city,
      lat: mine?.lat,
      lon: mine?.lon,
      asn: mine?.asn ?? fromAsn?.asn,
      org: mine?.org ?? fromAsn?.org,
      aws: aws?.lookup(c),
    });
  }
}

function strip(e: Enrichment): Enrichment {
  return Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)) as unknown as Enrichment;
}

/** One short line for a column or a card: "US · AS15169 Google LLC", "AWS (EC2, eu-west-1)", "Private (RFC 1918)". */
export function describeEnrichment(e: Enrichment): string {
  switch (e.kind) {
    case 'special':
    case 'service':
      return e.label ?? '';
    case 'hostname':
      return 'a hostname, not an address';
    case 'invalid':
      return 'not an address';
    case 'empty':
      return '';
    case 'public': {
      const parts: string[] = [];
      if (e.aws) parts.push(`AWS (${e.aws.service}, ${e.aws.region})`);
      const place = [e.city, e.country].filter(Boolean).join(', ');
      if (place) parts.push(place);
      if (e.asn !== undefined) parts.push(`AS${e.asn}${e.org ? ` ${e.org}` : ''}`);
      return parts.join(' · ');
    }
  }
}
