/**
 * From a trail (DescribeTrails) and what its bucket's folders show, the inputs of the Athena
 * table's DDL (athenaTable.ts): the organization folder of an organization trail, the accounts
 * and regions to project, and the sentences that say where they came from. Also the lookup of an
 * existing table for a trail whose organization id is not known yet (read from the tables'
 * location templates), and the regions of the ARNs involved. No SDK, no vscode.
 */
import { findTrailTable, type AthenaTableRef, type TableMetadataLike, type TrailTableSource } from './athenaTable';
import { isRegionCode } from './regions';
import type { TrailLocation } from './s3Layout';

/** The fields of a DescribeTrails entry used here. */
export interface TrailLike {
  Name?: string;
  TrailARN?: string;
  HomeRegion?: string;
  S3BucketName?: string;
  S3KeyPrefix?: string;
  IsOrganizationTrail?: boolean;
  IsMultiRegionTrail?: boolean;
  CloudWatchLogsLogGroupArn?: string;
}

/** What the bucket's folders showed; a field is undefined when that listing failed or was not made. */
export interface BucketFolders {
  /** Folders under `<prefix>/AWSLogs/` (organization ids of an organization trail). */
  orgs?: readonly string[];
  /** Folders under `<prefix>/AWSLogs/[<org>/]` (account ids). */
  accounts?: readonly string[];
  /** Folders under `…/<account>/CloudTrail/` of the first account (regions). */
  regions?: readonly string[];
  /** Why a listing failed, for the notes. */
  problem?: string;
}

const ORG_ID = /^o-[a-z0-9]{10,32}$/;
const ACCOUNT_ID = /^\d{12}$/;

/** The account in a trail ARN (`arn:aws:cloudtrail:region:ACCOUNT:trail/name`). */
export function trailAccount(trailArn: string | undefined): string | undefined {
  return /^arn:[^:]+:cloudtrail:[^:]*:(\d{12}):/.exec(trailArn ?? '')?.[1];
}

/** The region in a log group ARN (`arn:aws:logs:REGION:account:log-group:name:*`). */
export function logGroupRegion(arn: string | undefined): string | undefined {
  const r = /^arn:[^:]+:logs:([^:]+):/.exec(arn ?? '')?.[1];
  return r && isRegionCode(r) ? r : undefined;
}

/** The organization folders among `folders` (`o-` and 10 to 32 lower-case letters or digits). */
export function organizationFolders(folders: readonly string[]): string[] {
  return folders.filter((f) => ORG_ID.test(f));
}

/** Where a trail writes: bucket, prefix without slashes, and the organization folder if known. */
export function trailLocation(trail: TrailLike, orgId?: string): TrailLocation {
  return { bucket: trail.S3BucketName ?? '', prefix: (trail.S3KeyPrefix ?? '').replace(/^\/+|\/+$/g, ''), orgId };
}

export type TableInputs = { source: TrailTableSource; notes: string[] } | { error: string };

/**
 * The DDL's inputs for `trail`. Accounts: the account folders found (an organization trail's
 * members, or several accounts' trails sharing a bucket) and the trail's own account. Regions: the
 * region folders found, plus the home region of a single-region trail; when the bucket could not
 * be listed, a multi-region trail gets `allRegions` (projection over a region without files
 * reads nothing, and costs nothing).
 */
export function tableInputs(
  trail: TrailLike,
  found: BucketFolders,
  orgId: string | undefined,
  allRegions: readonly string[],
): TableInputs {
  const name = trail.Name ?? 'trail';
  if (!trail.S3BucketName)
    return { error: `Trail "${name}" names no S3 bucket, so there are no files for a table to read.` };
  const notes: string[] = [];
  if (trail.IsOrganizationTrail && !orgId) {
    return {
      error: `"${name}" is an organization trail, but no organization folder (AWSLogs/o-…/) was found in s3://${trail.S3BucketName}/${trail.S3KeyPrefix ?? ''}${found.problem ? ` (${found.problem})` : ''}. Its files sit under that folder, so the table needs it: set the table up once the trail has delivered logs, or check the profile may list the bucket (s3:ListBucket).`,
    };
  }
  const own = trailAccount(trail.TrailARN);
  const accountFolders = (found.accounts ?? []).filter((a) => ACCOUNT_ID.test(a));
  const accounts = [...new Set([...accountFolders, ...(own ? [own] : [])])].sort();
  if (accounts.length === 0)
    return {
      error: `No account of "${name}" is known: its ARN names none and the bucket's AWSLogs/ folder holds no account folders.`,
    };
  const home = trail.HomeRegion && isRegionCode(trail.HomeRegion) ? trail.HomeRegion : undefined;
  const regionFolders = (found.regions ?? []).filter(isRegionCode);
  let regions = [...new Set([...regionFolders, ...(!trail.IsMultiRegionTrail && home ? [home] : [])])].sort();
  if (regions.length === 0) regions = trail.IsMultiRegionTrail || !home ? [...allRegions] : [home];
  if (found.accounts === undefined || found.regions === undefined) {
    notes.push(
      `The bucket's folders could not be read${found.problem ? ` (${found.problem})` : ''}: the table covers ${accounts.length === 1 ? `account ${accounts[0]}` : `${accounts.length} accounts`} and ${regions.length} region${regions.length === 1 ? '' : 's'}. Edit projection.account.values and projection.region.values below if the trail writes others.`,
    );
  } else {
    notes.push(
      `Accounts and regions are the folders found in the bucket (${accountFolders.length} account folder${accountFolders.length === 1 ? '' : 's'}, ${regionFolders.length} region folder${regionFolders.length === 1 ? '' : 's'}).`,
    );
  }
  return { source: { trailName: name, ...trailLocation(trail, orgId), accounts, regions }, notes };
}

/** The organization folders named by tables' locations (`…/AWSLogs/o-…/`) over `bucket`. */
function orgsInTables(tables: readonly TableMetadataLike[], bucket: string): string[] {
  const out = new Set<string>();
  for (const t of tables) {
    for (const where of [t.Parameters?.['storage.location.template'], t.Parameters?.location]) {
      if (!where?.startsWith(`s3://${bucket}/`)) continue;
      const m = /\/AWSLogs\/(o-[a-z0-9]{10,32})\//.exec(where);
      if (m) out.add(m[1]);
    }
  }
  return [...out];
}

/**
 * An existing table over the trail's files. For an organization trail whose organization folder is
 * not known, each organization the tables over its bucket name is tried.
 */
export function findTableForTrail(
  tables: readonly TableMetadataLike[],
  trail: TrailLike,
  database: string,
  orgId?: string,
): AthenaTableRef | undefined {
  if (!trail.S3BucketName) return undefined;
  if (!trail.IsOrganizationTrail || orgId) return findTrailTable(tables, trailLocation(trail, orgId), database);
  for (const org of orgsInTables(tables, trail.S3BucketName)) {
    const t = findTrailTable(tables, trailLocation(trail, org), database);
    if (t) return t;
  }
  return undefined;
}

/** The comment lines above the DDL in the document the user reviews. */
export function ddlHeader(source: TrailTableSource, notes: readonly string[], base: string): string {
  const lines = [
    `Athena table for the CloudTrail logs of trail "${source.trailName}" in ${base}`,
    `Partition projection over ${source.accounts.length} account${source.accounts.length === 1 ? '' : 's'}, ${source.regions.length} region${source.regions.length === 1 ? '' : 's'} and every day: nothing to add as logs arrive.`,
    ...notes,
    'Review it; it runs when you choose "Create Table" (edits here are used), or with "Run in Athena" above it.',
  ];
  // A note's text comes from the trail's names and AWS's messages: one comment line each, never a line break into SQL.
  return lines.map((l) => `-- ${l.replace(/[\r\n\u2028\u2029]+/g, ' ')}`).join('\n');
}
