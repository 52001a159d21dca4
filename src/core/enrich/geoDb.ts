/**
 * An MMDB file read through mmdb-lib: the shipped country data set, or the user's own MaxMind
 * GeoLite2/GeoIP2 City, Country or ASN database (which adds city and coordinates, or ASN and org).
 * A missing, corrupt or wrong-type file gives a reason, never an exception.
 */
import { Reader } from 'mmdb-lib';
import type { Address } from './address';
import { formatAddress } from './address';

/** What one MMDB record says about an address (fields it does not have are absent). */
export interface GeoRecord {
  readonly country?: string;
  readonly city?: string;
  readonly lat?: number;
  readonly lon?: number;
  readonly asn?: number;
  readonly org?: string;
}

/** What kind of answers a database gives. */
export type GeoKind = 'country' | 'city' | 'asn';

/** A loaded MMDB, or why it could not be used. */
export type GeoDbLoad = { readonly ok: true; readonly db: GeoDb } | { readonly ok: false; readonly reason: string };

type Raw = Record<string, unknown>;

const obj = (v: unknown): Raw | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Raw) : undefined;

/** Reads the fields both ip-location-db and MaxMind layouts use. */
export function readGeoRecord(raw: unknown): GeoRecord | undefined {
  const r = obj(raw);
  if (!r) return undefined;
  const country =
    (typeof r.country_code === 'string' ? r.country_code : undefined) ??
    (typeof obj(r.country)?.iso_code === 'string' ? (obj(r.country)!.iso_code as string) : undefined) ??
    (typeof obj(r.registered_country)?.iso_code === 'string'
      ? (obj(r.registered_country)!.iso_code as string)
      : undefined);
  const cityNames = obj(obj(r.city)?.names);
  const city = typeof cityNames?.en === 'string' ? cityNames.en : typeof r.city === 'string' ? r.city : undefined;
  const loc = obj(r.location);
  const lat =
    typeof loc?.latitude === 'number' ? loc.latitude : typeof r.latitude === 'number' ? r.latitude : undefined;
  const lon =
    typeof loc?.longitude === 'number' ? loc.longitude : typeof r.longitude === 'number' ? r.longitude : undefined;
  const asn = typeof r.autonomous_system_number === 'number' ? r.autonomous_system_number : undefined;
  const org = typeof r.autonomous_system_organization === 'string' ? r.autonomous_system_organization : undefined;
  return { country, city, lat, lon, asn, org };
}

/** One opened MMDB. */
export class GeoDb {
  private constructor(
    private readonly reader: Reader<Raw>,
    readonly kind: GeoKind,
    readonly databaseType: string,
    readonly built: Date,
  ) {}

  /** Opens `bytes`; `probe` is an address the database must answer for its kind to be known. */
  static load(bytes: Uint8Array, probe = '8.8.8.8'): GeoDbLoad {
    let reader: Reader<Raw>;
    try {
      reader = new Reader<Raw>(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (e) {
      return { ok: false, reason: `not a readable MMDB file (${e instanceof Error ? e.message : String(e)})` };
    }
    const type = String(reader.metadata.databaseType ?? '');
    let sample: GeoRecord | undefined;
    try {
      sample = readGeoRecord(reader.get(probe)) ?? readGeoRecord(reader.get('1.1.1.1'));
    } catch (e) {
      return { ok: false, reason: `the MMDB file is corrupt (${e instanceof Error ? e.message : String(e)})` };
    }
    const lower = type.toLowerCase();
    const kind: GeoKind | undefined =
      lower.includes('asn') || sample?.asn !== undefined
        ? 'asn'
        : lower.includes('city') || sample?.lat !== undefined
          ? 'city'
          : lower.includes('country') || sample?.country !== undefined
            ? 'country'
            : undefined;
    if (!kind)
      return { ok: false, reason: `an MMDB of type "${type}" has no country, city or ASN fields this extension reads` };
    const built = reader.metadata.buildEpoch instanceof Date ? reader.metadata.buildEpoch : new Date(0);
    return { ok: true, db: new GeoDb(reader, kind, type, built) };
  }

  /** What the database says about `a`; undefined for no answer or a record it cannot read. */
  lookup(a: Address): GeoRecord | undefined {
    try {
      return readGeoRecord(this.reader.get(formatAddress(a)));
    } catch {
      return undefined;
    }
  }
}
