/**
 * What detections may ask about a store's source IPs: their country and network (first-seen keys
 * `country`, `asn`) and where they are on the map (impossible travel). The store knows addresses
 * only; the investigation that owns it registers the answers from its IP data (ipFacts.ts), by
 * the source column's dictionary id. A store with none registered has no country, network or
 * place for any event: such rules consider nothing, as for an event without the field.
 */
import type { Place } from '../../enrich/centroids';
import type { EventStore } from '../../store/store';

/** The derived key names a first-seen or correlation rule may use. */
export const IP_KEY_NAMES = ['country', 'asn'] as const;
export type IpKeyName = (typeof IP_KEY_NAMES)[number];

export interface SourcePlaces {
  /** A source value's country code or ASN, lower case; '' when unknown (or not an address). */
  key(valueId: number, name: IpKeyName): string;
  /** A source value's point on the map, if it has one. */
  place(valueId: number): Place | undefined;
}

const registry = new WeakMap<EventStore, SourcePlaces>();

export function setSourcePlaces(store: EventStore, places: SourcePlaces): void {
  registry.set(store, places);
}

export function sourcePlaces(store: EventStore): SourcePlaces | undefined {
  return registry.get(store);
}

export function isIpKeyName(name: string): name is IpKeyName {
  return (IP_KEY_NAMES as readonly string[]).includes(name);
}
