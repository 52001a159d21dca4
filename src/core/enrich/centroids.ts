/**
 * Where on the map a source IP is, for distances (impossible travel): the user's City MMDB's
 * coordinates when it has them, else a point for the address's country (the shipped
 * `centroids.json`, from mledoze/countries' `latlng`, ODbL: data/README.md). A country's point is
 * coarse (the United States is one point): distances between countries are what it can tell.
 */
import type { Enrichment } from './enricher';

/** ISO 3166-1 alpha-2 (upper case) → [latitude, longitude] in degrees. */
export type Centroids = ReadonlyMap<string, readonly [number, number]>;

export type CentroidsLoad =
  | { readonly ok: true; readonly centroids: Centroids }
  | { readonly ok: false; readonly reason: string };

/** A point and how it was placed. */
export interface Place {
  readonly lat: number;
  readonly lon: number;
  /** `city`: the user's MMDB gave coordinates; `country`: the country's point. */
  readonly precision: 'city' | 'country';
  /** `Frankfurt am Main, DE` or `DE`. */
  readonly label: string;
}

const inRange = (lat: unknown, lon: unknown): boolean =>
  typeof lat === 'number' && typeof lon === 'number' && Math.abs(lat) <= 90 && Math.abs(lon) <= 180;

/** Reads centroids.json: {"points": {"DE": [51, 9], …}}. */
export function loadCentroids(text: string): CentroidsLoad {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'centroids.json is not JSON' };
  }
  const points = (doc as { points?: unknown } | null)?.points;
  if (typeof points !== 'object' || points === null || Array.isArray(points))
    return { ok: false, reason: 'centroids.json has no "points" map' };
  const out = new Map<string, readonly [number, number]>();
  for (const [code, p] of Object.entries(points as Record<string, unknown>))
    if (/^[A-Z]{2}$/.test(code) && Array.isArray(p) && inRange(p[0], p[1]))
      out.set(code, [p[0] as number, p[1] as number]);
  return out.size > 0 ? { ok: true, centroids: out } : { ok: false, reason: 'centroids.json lists no country point' };
}

/** The point of one enrichment, if it has one: public addresses only (a private range is nowhere on the map). */
export function placeOf(e: Enrichment, centroids: Centroids | undefined): Place | undefined {
  if (e.kind !== 'public') return undefined;
  const country = e.country?.toUpperCase();
  if (e.lat !== undefined && e.lon !== undefined && inRange(e.lat, e.lon) && !(e.lat === 0 && e.lon === 0))
    return {
      lat: e.lat,
      lon: e.lon,
      precision: 'city',
      label: [e.city, country].filter(Boolean).join(', ') || 'located',
    };
  const c = country ? centroids?.get(country) : undefined;
  return c && country ? { lat: c[0], lon: c[1], precision: 'country', label: country } : undefined;
}

const EARTH_KM = 6371.0088;

/** Great-circle distance in km (haversine). */
export function distanceKm(a: Pick<Place, 'lat' | 'lon'>, b: Pick<Place, 'lat' | 'lon'>): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}
