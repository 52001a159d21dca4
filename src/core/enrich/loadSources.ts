/**
 * Opens the enrichment data sets from files (the shipped ones in `dist/ipdata`, the user's MMDB, a
 * refreshed ip-ranges.json): every failure becomes a line in `problems` and a missing data set,
 * so a broken file costs its columns, never the log view.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AsnTable } from './asnTable';
import { awsRangesDate, loadAwsRanges, type AwsRanges } from './awsRanges';
import { IpEnricher, type DataSetInfo, type EnrichSources } from './enricher';
import { GeoDb } from './geoDb';
import { type Centroids, loadCentroids } from './centroids';

/** Where the data files are. */
export interface EnrichPaths {
  /** The folder with country.mmdb, asn.bin, aws-ip-ranges.json, centroids.json and sources.json. */
  readonly dataDir: string;
  /** The user's own MMDB (setting `cloudtrailLens.enrichment.mmdbPath`). */
  readonly userMmdb?: string;
  /** A refreshed ip-ranges.json, used instead of the shipped snapshot when present. */
  readonly awsRanges?: string;
}

function read(path: string): { ok: true; bytes: Buffer } | { ok: false; reason: string } {
  try {
    return { ok: true, bytes: readFileSync(path) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return {
      ok: false,
      reason: code === 'ENOENT' ? `${path} does not exist` : `${path} cannot be read (${code ?? String(e)})`,
    };
  }
}

type SourcesJson = Record<string, { name?: string; licence?: string; date?: string; version?: string } | undefined>;

/** Loads every data set it can; never throws. */
export function loadEnrichSources(paths: EnrichPaths): EnrichSources {
  const problems: string[] = [];
  const info: DataSetInfo[] = [];
  let meta: SourcesJson = {};
  try {
    meta = JSON.parse(readFileSync(join(paths.dataDir, 'sources.json'), 'utf8')) as SourcesJson;
  } catch {
    problems.push('the data sets’ sources.json is missing or not JSON');
  }
  const named = (role: DataSetInfo['role'], fallback: string, date?: string): DataSetInfo => ({
    role,
    name: meta[role]?.name ?? fallback,
    licence: meta[role]?.licence ?? 'unknown',
    date: date ?? meta[role]?.date ?? 'unknown',
    version: meta[role]?.version,
  });

  let country: GeoDb | undefined;
  const c = read(join(paths.dataDir, 'country.mmdb'));
  if (!c.ok) problems.push(`country data: ${c.reason}`);
  else {
    const l = GeoDb.load(c.bytes);
    if (l.ok) {
      country = l.db;
      info.push(named('country', 'country MMDB'));
    } else problems.push(`country data: ${l.reason}`);
  }

  let asn: AsnTable | undefined;
  const a = read(join(paths.dataDir, 'asn.bin'));
  if (!a.ok) problems.push(`ASN data: ${a.reason}`);
  else {
    const l = AsnTable.load(a.bytes);
    if (l.ok) {
      asn = l.table;
      info.push(named('asn', 'ASN table'));
    } else problems.push(`ASN data: ${l.reason}`);
  }

  let aws: AwsRanges | undefined;
  for (const [path, refreshed] of [
    ...(paths.awsRanges ? [[paths.awsRanges, true] as const] : []),
    [join(paths.dataDir, 'aws-ip-ranges.json'), false] as const,
  ]) {
    const r = read(path);
    if (!r.ok) {
      if (!refreshed) problems.push(`AWS ranges: ${r.reason}`);
      continue;
    }
    const l = loadAwsRanges(r.bytes.toString('utf8'));
    if (l.ok) {
      aws = l.ranges;
      const dataSet = named('aws', 'AWS ip-ranges.json', awsRangesDate(l.ranges.createDate));
      info.push(refreshed ? { ...dataSet, name: `${dataSet.name} (refreshed)` } : dataSet);
      break;
    }
    problems.push(`AWS ranges (${path}): ${l.reason}`);
  }

  let user: GeoDb | undefined;
  if (paths.userMmdb) {
    const u = read(paths.userMmdb);
    if (!u.ok) problems.push(`your MMDB: ${u.reason}`);
    else {
      const l = GeoDb.load(u.bytes);
      if (l.ok) {
        user = l.db;
        info.push({
          role: 'user',
          name: `${l.db.databaseType} (${paths.userMmdb})`,
          licence: 'as its publisher states',
          date: l.db.built.toISOString().slice(0, 10),
        });
      } else problems.push(`your MMDB (${paths.userMmdb}): ${l.reason}`);
    }
  }
  let centroids: Centroids | undefined;
  const cc = read(join(paths.dataDir, 'centroids.json'));
  if (!cc.ok) problems.push(`country points: ${cc.reason}`);
  else {
    const l = loadCentroids(cc.bytes.toString('utf8'));
    if (l.ok) centroids = l.centroids;
    else problems.push(`country points: ${l.reason}`);
  }
  return { country, asn, aws, user, centroids, info, problems };
}

/** The user's data files: their own MMDB (a setting) and a refreshed ip-ranges.json (the refresh command). */
export type IpDataPaths = Omit<EnrichPaths, 'dataDir'>;

/**
 * The shipped data sets beside the bundled worker (dist/ipdata), with the user's own files; a
 * missing folder or a broken file costs the columns only.
 */
export function defaultEnricher(paths: IpDataPaths = {}): IpEnricher {
  return new IpEnricher(loadEnrichSources({ ...paths, dataDir: ipDataDir() }));
}

/** dist/ipdata beside the bundle (dist/storeWorker.js), or up the tree for bundles elsewhere (tests, bench). */
function ipDataDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    for (const candidate of [join(dir, 'ipdata'), join(dir, 'dist', 'ipdata')])
      if (existsSync(join(candidate, 'sources.json'))) return candidate;
    dir = dirname(dir);
  }
  return join(__dirname, 'ipdata');
}
