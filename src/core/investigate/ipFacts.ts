/**
 * Where the store's source IPs are: one enrichment per distinct `sourceIp` value (dictionary id),
 * never per event, made on first use so loading never waits for it. From it come the row sets of
 * the `country:`, `asn:`, `org:`, `aws:` and `awsService:` terms and the country and ASN top values.
 */
import type { Facet } from '../../protocol/logViewer';
import { placeOf, type Place } from '../enrich/centroids';
import type { Enrichment, IpEnricher } from '../enrich/enricher';
import type { EventStore } from '../store/store';
import { DEFAULT_TOP } from './facets';
import type { SourcePlaces } from './detections/places';

/** The row-set families this module names (lower-case, as `SET_FIELDS` has them). */
export const IP_SET_FAMILIES = ['country', 'asn', 'org', 'aws', 'awsservice'] as const;

export class IpFacts {
  /** By dictionary id; holes where no one asked yet. */
  private readonly byId: Array<Enrichment | undefined> = [];
  private enricherValue: IpEnricher | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly makeEnricher: () => IpEnricher,
  ) {}

  /** The enricher, opened on first use (reading the data files). */
  get enricher(): IpEnricher {
    return (this.enricherValue ??= this.makeEnricher());
  }

  /** The enrichment of every distinct source value so far, by dictionary id. */
  private all(): readonly Enrichment[] {
    const values = this.store.dictionary('sourceIp').values;
    for (let id = 0; id < values.length; id++) this.byId[id] ??= this.enricher.enrich(values[id]);
    return this.byId as readonly Enrichment[];
  }

  /** The enrichment of one row's source IP (that IP alone: showing rows never waits for every address). */
  ofRow(row: number): Enrichment {
    return this.ofId(this.store.valueId('sourceIp', row));
  }

  /** The enrichment of one source value by its dictionary id. */
  ofId(id: number): Enrichment {
    return (this.byId[id] ??= this.enricher.enrich(this.store.dictionary('sourceIp').values[id] ?? ''));
  }

  /** A source value's point on the map (the user's City MMDB, else its country's point). */
  placeOfId(id: number): Place | undefined {
    return placeOf(this.ofId(id), this.enricher.sources.centroids);
  }

  /** A source value's country code or ASN as first-seen rules key it (lower case; '' none). */
  keyOfId(id: number, name: 'country' | 'asn'): string {
    return IpFacts.keys(this.ofId(id), name)[0] ?? '';
  }

  /** What detections ask of the store's source IPs (detections/places.ts), answered from here. */
  places(): SourcePlaces {
    return { key: (id, name) => this.keyOfId(id, name), place: (id) => this.placeOfId(id) };
  }

  /** The keys one enrichment has in one family (lower-case). */
  private static keys(e: Enrichment, family: (typeof IP_SET_FAMILIES)[number]): string[] {
    switch (family) {
      case 'country':
        return e.country ? [e.country.toLowerCase()] : [];
      case 'asn':
        return e.asn !== undefined ? [String(e.asn)] : [];
      case 'org':
        return e.org ? [e.org.toLowerCase()] : [];
      case 'aws':
        return e.kind === 'public' || e.kind === 'service' ? [e.aws || e.kind === 'service' ? 'true' : 'false'] : [];
      case 'awsservice':
        return e.aws ? e.aws.services.map((s) => s.toLowerCase()) : [];
    }
  }

  /** The rows of every key of `family`, over everything loaded. */
  rowSets(family: (typeof IP_SET_FAMILIES)[number]): Map<string, Uint32Array> {
    const all = this.all();
    const keysById = all.map((e) => IpFacts.keys(e, family));
    const counts = new Map<string, number>();
    const n = this.store.size;
    for (let r = 0; r < n; r++)
      for (const k of keysById[this.store.valueId('sourceIp', r)]) counts.set(k, (counts.get(k) ?? 0) + 1);
    const out = new Map<string, Uint32Array>();
    const fill = new Map<string, number>();
    for (const [k, c] of counts) {
      out.set(k, new Uint32Array(c));
      fill.set(k, 0);
    }
    for (let r = 0; r < n; r++)
      for (const k of keysById[this.store.valueId('sourceIp', r)]) {
        const at = fill.get(k)!;
        out.get(k)![at] = r;
        fill.set(k, at + 1);
      }
    // aws: has two values whatever is loaded: aws:false over logs with no outside address is
    // no event, not an unknown value (a rule may name it).
    if (family === 'aws') for (const k of ['true', 'false']) if (!out.has(k)) out.set(k, new Uint32Array(0));
    return out;
  }

  /** Country and ASN top values over `rows`, counted per distinct IP first. */
  facets(rows: ArrayLike<number>, top = DEFAULT_TOP): Facet[] {
    const all = this.all();
    const perIp = new Uint32Array(all.length);
    for (let i = 0; i < rows.length; i++) perIp[this.store.valueId('sourceIp', rows[i])]++;
    const tally = (key: (e: Enrichment) => string | undefined): { counts: Map<string, number>; missing: number } => {
      const counts = new Map<string, number>();
      let missing = 0;
      for (let id = 0; id < all.length; id++) {
        if (perIp[id] === 0) continue;
        const k = key(all[id]);
        if (k === undefined) missing += perIp[id];
        else counts.set(k, (counts.get(k) ?? 0) + perIp[id]);
      }
      return { counts, missing };
    };
    const facet = (name: string, title: string, t: ReturnType<typeof tally>): Facet => ({
      name,
      title,
      distinct: t.counts.size,
      missing: t.missing,
      values: [...t.counts]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, top)
        .map(([value, count]) => ({ value, count })),
    });
    return [
      facet(
        'country',
        'Countries',
        tally((e) => e.country),
      ),
      facet(
        'asn',
        'Networks (ASN)',
        tally((e) => (e.asn === undefined ? undefined : String(e.asn))),
      ),
    ];
  }
}
