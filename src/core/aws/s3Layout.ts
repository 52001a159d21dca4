/**
 * Where CloudTrail puts its files in a bucket, and back again:
 * `<prefix>/AWSLogs/[<org-id>/]<account>/CloudTrail[-Digest]/<region>/YYYY/MM/DD/<file>`.
 * Listing by day prefix keeps S3 listings to what a time window needs; parsing a key back gives
 * the account, region and time a file covers, so listings can be cut to the window precisely.
 */

export type TrailFileKind = 'log' | 'digest';

/** What a trail writes where: the bucket, its optional key prefix, and the organization for org trails. */
export interface TrailLocation {
  bucket: string;
  /** S3KeyPrefix of the trail, without slashes at either end; '' when none. */
  prefix: string;
  /** The organization id (`o-…`) of an organization trail. */
  orgId?: string;
}

/** One key, read back. */
export interface TrailKey {
  kind: TrailFileKind;
  prefix: string;
  orgId?: string;
  account: string;
  region: string;
  /** Log files: the delivery minute in the name; digests: the digest end time. Epoch ms. */
  time: number;
  /** Digests only: the trail name and its home region, from the file name. */
  trailName?: string;
  homeRegion?: string;
}

const DAY = 86_400_000;
const folder = (kind: TrailFileKind): string => (kind === 'log' ? 'CloudTrail' : 'CloudTrail-Digest');
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** The key prefix of everything one account writes (`<prefix>/AWSLogs/[<org>/]<account>/`). */
export function accountPrefix(loc: Pick<TrailLocation, 'prefix' | 'orgId'>, account: string): string {
  const head = loc.prefix.replace(/^\/+|\/+$/g, '');
  return `${head ? `${head}/` : ''}AWSLogs/${loc.orgId ? `${loc.orgId}/` : ''}${account}/`;
}

/** The prefix of one day's files of a kind, for an account and region. */
export function dayPrefix(
  loc: Pick<TrailLocation, 'prefix' | 'orgId'>,
  account: string,
  region: string,
  kind: TrailFileKind,
  day: number,
): string {
  const d = new Date(day);
  return `${accountPrefix(loc, account)}${folder(kind)}/${region}/${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/`;
}

/**
 * Every day prefix a window [start, end] needs, for each account and region. Digests are listed
 * one extra day past the end: the digest covering the window's last hour is delivered up to an
 * hour later, possibly on the next day.
 */
export function windowPrefixes(
  loc: Pick<TrailLocation, 'prefix' | 'orgId'>,
  accounts: readonly string[],
  regions: readonly string[],
  kind: TrailFileKind,
  start: number,
  end: number,
): string[] {
  const out: string[] = [];
  const last = end + (kind === 'digest' ? 2 * 3_600_000 : 0);
  for (const account of accounts) {
    for (const region of regions) {
      for (let day = Math.floor(start / DAY) * DAY; day <= last; day += DAY)
        out.push(dayPrefix(loc, account, region, kind, day));
    }
  }
  return out;
}

const KEY =
  /^(?:(.*)\/)?AWSLogs\/(?:(o-[a-z0-9]{10,32})\/)?(\d{12})\/(CloudTrail|CloudTrail-Digest)\/([a-z0-9-]+)\/(\d{4})\/(\d{2})\/(\d{2})\/([^/]+)$/;
const LOG_NAME = /^(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{8}T\d{4}Z)_[A-Za-z0-9]+\.json(?:\.gz)?$/;
// The trail name may itself hold underscores; the home region and timestamp at the end do not.
const DIGEST_NAME =
  /^(\d{12})_CloudTrail-Digest_([a-z0-9-]+)_(.+)_([a-z]{2}(?:-[a-z]+)+-\d)_(\d{8}T\d{6}Z)\.json(?:\.gz)?$/;

/** `20231015T2205Z` or `20231015T230404Z` as epoch ms; NaN when malformed. */
export function parseCompactTime(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})?Z$/.exec(s);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0)) : NaN;
}

/** A log or digest file name read alone (no folder): enough to identify a file copied anywhere. */
export function parseTrailFileName(name: string): Omit<TrailKey, 'prefix' | 'orgId'> | undefined {
  const base = name.slice(name.replace(/\\/g, '/').lastIndexOf('/') + 1);
  const l = LOG_NAME.exec(base);
  if (l) {
    const time = parseCompactTime(l[3]);
    return Number.isNaN(time) ? undefined : { kind: 'log', account: l[1], region: l[2], time };
  }
  const d = DIGEST_NAME.exec(base);
  if (!d) return undefined;
  const time = parseCompactTime(d[5]);
  return Number.isNaN(time)
    ? undefined
    : { kind: 'digest', account: d[1], region: d[2], time, trailName: d[3], homeRegion: d[4] };
}

/** Reads a log or digest key back; undefined for anything else (CloudTrail-Insight, stray objects). */
export function parseTrailKey(key: string): TrailKey | undefined {
  const m = KEY.exec(key);
  if (!m) return undefined;
  const [, prefix = '', orgId, account, dir, region, , , , name] = m;
  const f = parseTrailFileName(name);
  if (!f || f.account !== account || f.region !== region || f.kind !== (dir === 'CloudTrail' ? 'log' : 'digest'))
    return undefined;
  return { ...f, prefix, orgId };
}

/**
 * Whether a listed key belongs to a window. Log names carry the delivery time, up to ~15 minutes
 * after the events; a 20-minute margin past the end keeps the window's last events.
 */
export function keyInWindow(k: Pick<TrailKey, 'kind' | 'time'>, start: number, end: number): boolean {
  if (k.kind === 'log') return k.time >= start && k.time <= end + 20 * 60_000;
  // A digest ends an hour after it starts: keep those whose hour overlaps the window.
  return k.time > start && k.time - 3_600_000 <= end + 3_600_000;
}

/** The file name of a key or path: what identifies a CloudTrail file wherever it was copied. */
export function baseName(keyOrPath: string): string {
  const p = keyOrPath.replace(/\\/g, '/');
  return p.slice(p.lastIndexOf('/') + 1);
}

/** What identifies a trail file across copies: its name, without `.gz` (a decompressed copy hashes the same). */
export function fileId(keyOrPath: string): string {
  return baseName(keyOrPath).replace(/\.gz$/i, '');
}
