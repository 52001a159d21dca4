/**
 * The cost of an Athena query before it runs (Athena has no dry run): the S3 prefixes of exactly
 * the partitions the compiled query reads, projected from the table's location template
 * (`<base><account>/CloudTrail/<region>/<day>/`), whose object sizes the SDK side sums with one
 * ListObjectsV2 chain per prefix. CloudTrail's files are gzipped JSON that Athena cannot split, so
 * a partition's files are read whole and DataScannedInBytes is their compressed size: the sum is
 * the bytes the query scans, give or take files delivered between the estimate and the run.
 * The price is athenaErrors.ts's ATHENA_USD_PER_TB ($5 per TB, 10 MB minimum, AWS's pricing page).
 * Logs Insights: the log group's storedBytes (DescribeLogGroups) in proportion to the share of
 * its span the range covers, at LOGS_INSIGHTS_USD_PER_GB.
 */
import { athenaCostUsd } from './athenaErrors';
import { formatDay, type PartitionScheme } from './athenaTable';

const DAY = 86_400_000;

/**
 * The partition values a compiled query keeps (athenaSql.ts): undefined means every value the
 * table projects. Days are UTC day starts, inclusive, the late-delivery days already added.
 */
export interface PartitionSelection {
  accounts?: readonly string[];
  regions?: readonly string[];
  firstDay?: number;
  lastDay?: number;
}

/** Where a table's files are and which partition values its projection enumerates. */
export interface TableLayout {
  /** `s3://bucket/prefix/AWSLogs/[org/]`. */
  base: string;
  /** The enum projection's values; undefined when not known (the SDK side lists the folders). */
  accounts?: readonly string[];
  regions?: readonly string[];
  /** The first day the date projection enumerates (its range's start), epoch ms. */
  since?: number;
}

/** Most prefixes one estimate lists; past it the estimate is refused by name, not guessed. */
export const MAX_ESTIMATE_PREFIXES = 200_000;

/** CloudWatch Logs Insights: USD per GB of log data scanned (us-east-1, aws.amazon.com/cloudwatch/pricing). */
export const LOGS_INSIGHTS_USD_PER_GB = 0.005;

export interface ProjectedPrefixes {
  bucket: string;
  /** Keys relative to the bucket, each ending in `/`. */
  prefixes: string[];
  /** Whether the day range covers the whole projection (then one prefix per account and region). */
  allDays: boolean;
  /**
   * The listings that cover the prefixes, at most one per prefix: with a day format ordered as
   * its text (yyyy/MM/dd), an account and region's days are consecutive keys, so one chain lists
   * them all — from `startAfter`, ending at the first key past `last` (the last day's prefix).
   */
  chains: ListingChain[];
}

/** One ListObjectsV2 chain: under `prefix`, keys after `startAfter`, until a key past `last` and not under it. */
export interface ListingChain {
  prefix: string;
  startAfter?: string;
  last?: string;
}

/** Whether `key` ends the chain (it sorts past the chain's last prefix and is not under it). */
export function pastChain(c: ListingChain, key: string): boolean {
  return c.last !== undefined && key > c.last && !key.startsWith(c.last);
}

/** `s3://bucket/key/` → bucket and key (with a final `/`, or '' for the bucket's root). */
export function splitS3Url(url: string): { bucket: string; key: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m) return undefined;
  const key = m[2].replace(/\/+$/, '');
  return { bucket: m[1], key: key ? `${key}/` : '' };
}

const dayStart = (ms: number): number => Math.floor(ms / DAY) * DAY;

/**
 * The prefixes the query reads: accounts × regions × days of its selection within the table's
 * projection (a selected value the projection lacks reads nothing, as in Athena). A day range
 * covering every projected day lists each account and region folder once instead. Returns an
 * error sentence when the layout is not an S3 URL or the prefixes would pass `max`.
 */
export function projectPrefixes(
  scheme: PartitionScheme,
  layout: TableLayout & { accounts: readonly string[]; regions: readonly string[] },
  sel: PartitionSelection,
  now: number,
  max = MAX_ESTIMATE_PREFIXES,
): ProjectedPrefixes | { error: string } {
  const at = splitS3Url(layout.base);
  if (!at) return { error: `the table's location ${layout.base} is not an s3:// URL` };
  if (!scheme.account || !scheme.region)
    return { bucket: at.bucket, prefixes: [at.key], allDays: true, chains: [{ prefix: at.key }] };
  const keep = (all: readonly string[], chosen?: readonly string[]): string[] => {
    const set = chosen ? new Set(chosen.map((v) => v.toLowerCase())) : undefined;
    return [...new Set(all)].filter((v) => !set || set.has(v.toLowerCase())).sort();
  };
  const accounts = keep(layout.accounts, sel.accounts);
  const regions = keep(layout.regions, sel.regions);
  const since = dayStart(layout.since ?? Date.UTC(2013, 10, 1));
  const today = dayStart(now);
  const first = Math.max(since, sel.firstDay === undefined ? since : dayStart(sel.firstDay));
  const last = Math.min(today, sel.lastDay === undefined ? today : dayStart(sel.lastDay));
  const allDays = !scheme.day || (first <= since && last >= today);
  const days: string[] = [];
  if (!allDays) for (let d = first; d <= last; d += DAY) days.push(formatDay(d, scheme.day!.format));
  const count = accounts.length * regions.length * (allDays ? 1 : days.length);
  if (count > max)
    return {
      error: `the query reads ${count.toLocaleString('en-US')} partitions, more than the ${max.toLocaleString('en-US')} an estimate lists; narrow the time range`,
    };
  const ordered = !!scheme.day && /^yyyy[^yMd]*MM[^yMd]*dd$/.test(scheme.day.format);
  const prefixes: string[] = [];
  const chains: ListingChain[] = [];
  for (const a of accounts)
    for (const r of regions) {
      const folder = `${at.key}${a}/CloudTrail/${r}/`;
      if (allDays) {
        prefixes.push(folder);
        chains.push({ prefix: folder });
        continue;
      }
      const mine = days.map((d) => `${folder}${d.replace(/\/+$/, '')}/`);
      prefixes.push(...mine);
      if (!mine.length) continue;
      if (ordered && mine.length > 1)
        chains.push({ prefix: folder, startAfter: mine[0].slice(0, -1), last: mine[mine.length - 1] });
      else chains.push(...mine.map((prefix) => ({ prefix })));
    }
  return { bucket: at.bucket, prefixes, allDays, chains };
}

/** What a finished listing found. */
export interface ScanEstimate {
  bytes: number;
  objects: number;
  prefixes: number;
  /** ListObjectsV2 calls made. */
  requests: number;
}

/** "1.2 GB" */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let v = Math.max(0, bytes);
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${Math.round(v)} bytes` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/** "$0.0049", "$1.25" */
export function formatUsd(usd: number): string {
  if (!Number.isFinite(usd)) return '$?';
  return `$${usd > 0 && usd < 1 ? usd.toPrecision(2) : usd.toFixed(2)}`;
}

/** The estimate's price in USD (Athena bills at least 10 MB a query). */
export function estimateUsd(e: Pick<ScanEstimate, 'bytes'>): number {
  return athenaCostUsd(e.bytes);
}

/** "≈ 1.2 GB, about $0.0059" — short, for a CodeLens. */
export function shortEstimate(e: Pick<ScanEstimate, 'bytes'>): string {
  return `\u2248 ${formatBytes(e.bytes)}, about ${formatUsd(estimateUsd(e))}`;
}

/** The sentence before a run: size, price, files and prefixes. */
export function describeEstimate(e: ScanEstimate): string {
  return `Estimated scan: ${formatBytes(e.bytes)} (about ${formatUsd(estimateUsd(e))} at $5 per TB, 10 MB minimum), ${e.objects.toLocaleString('en-US')} files under ${e.prefixes.toLocaleString('en-US')} partition prefixes.`;
}

/** After the run: what it scanned beside what was estimated. */
export function estimateVsActual(estimatedBytes: number | undefined, actualBytes: number): string {
  const actual = `scanned ${formatBytes(actualBytes)} (about ${formatUsd(athenaCostUsd(actualBytes))})`;
  if (estimatedBytes === undefined) return `${actual}; no estimate`;
  const ratio = estimatedBytes > 0 ? actualBytes / estimatedBytes : undefined;
  return `${actual}; estimated ${formatBytes(estimatedBytes)}${ratio !== undefined ? ` (actual ${(ratio * 100).toFixed(0)}% of it)` : ''}`;
}

/** Whether the run must ask first: past the cap, or no time range (every day of the trail). */
export function mustAsk(estimateUsdValue: number | undefined, capUsd: number, unbounded: boolean): boolean {
  return unbounded || (estimateUsdValue !== undefined && estimateUsdValue > capUsd);
}

/**
 * Logs Insights: the share of the group's stored bytes a range covers. The group spans
 * `retentionDays` (or since its creation); storedBytes is what DescribeLogGroups reports, which AWS
 * documents only as "the number of bytes stored" — whether scanned bytes are counted before or
 * after compression is not documented, so this is an order of magnitude, and says so.
 */
export function logsEstimate(
  g: { storedBytes?: number; retentionDays?: number; creationTime?: number },
  range: { start?: number; end?: number },
  now: number,
): { bytes: number; usd: number; text: string } | undefined {
  if (g.storedBytes === undefined) return undefined;
  const oldest = Math.max(
    g.retentionDays ? now - g.retentionDays * DAY : -Infinity,
    g.creationTime ?? -Infinity,
    range.start ?? -Infinity,
  );
  const spanStart = Math.max(g.retentionDays ? now - g.retentionDays * DAY : -Infinity, g.creationTime ?? -Infinity);
  const end = Math.min(range.end ?? now, now);
  let share = 1;
  if (Number.isFinite(spanStart) && now > spanStart)
    share = Math.max(0, Math.min(1, (end - oldest) / (now - spanStart)));
  const bytes = Math.round(g.storedBytes * share);
  const usd = (bytes / 1024 ** 3) * LOGS_INSIGHTS_USD_PER_GB;
  return {
    bytes,
    usd,
    text: `Estimated scan: about ${formatBytes(bytes)} (${(share * 100).toFixed(0)}% of the ${formatBytes(g.storedBytes)} the log group stores), about ${formatUsd(usd)} at $${LOGS_INSIGHTS_USD_PER_GB} per GB (us-east-1); an order of magnitude: AWS does not document how stored bytes compare with scanned bytes.`,
  };
}
