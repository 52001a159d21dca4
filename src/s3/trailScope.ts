/**
 * Which trail, which hours, which accounts and regions: the questions both S3 commands ask (opening
 * a trail's logs, validating their integrity). The trail comes from the one trail picker. Accounts (organization trails) and regions are discovered in the bucket.
 * Commands may pass the answers in `ScopeArgs` instead (tests, other extensions).
 */
import * as vscode from 'vscode';
import type { CloudTrailApi } from '../awsSdk/cloudTrail';
import type { S3Api } from '../awsSdk/s3';
import { chooseTrail, type TrailPickerDeps } from '../common/trailPicker';
import { parseWhen } from '../core/query/lookupFilter';
import { accountPrefix, type TrailLocation } from '../core/aws/s3Layout';
import { explainS3Error } from '../core/aws/s3Errors';
import type { Trail } from '../core/aws/trailHealth';

export interface TrailContext {
  profile: string;
  trail: Trail;
  trailArn: string;
  name: string;
  /** The CloudTrail API of the trail's home region (ListPublicKeys is asked there). */
  cloudTrail: CloudTrailApi;
  s3: S3Api;
}

export interface TrailScope {
  location: TrailLocation;
  accounts: string[];
  regions: string[];
  window: { start: number; end: number };
}

/** Answers a caller may give instead of the pickers. */
export interface ScopeArgs {
  window?: { start: number; end: number };
  accounts?: string[];
  regions?: string[];
  /** Skip the "download N files?" confirmation. */
  yes?: boolean;
}

/** The trail of a tree node, or one the user picks (the one trail picker); its S3 and CloudTrail APIs in its home region. */
export async function resolveTrail(
  arg: unknown,
  deps: TrailPickerDeps,
  title = 'Which trail?',
): Promise<TrailContext | undefined> {
  const choice = await chooseTrail(deps, arg, { title, needBucket: true });
  if (!choice) return undefined;
  const { profile, trail, region } = choice;
  return {
    profile,
    trail,
    trailArn: choice.arn,
    name: choice.name,
    cloudTrail: deps.accounts.cloudTrail(profile, region),
    s3: deps.accounts.s3(profile, region),
  };
}

const HOUR = 3_600_000;
const WINDOWS = [
  { label: 'Last hour', ms: HOUR },
  { label: 'Last 6 hours', ms: 6 * HOUR },
  { label: 'Last 24 hours', ms: 24 * HOUR },
  { label: 'Last 7 days', ms: 7 * 24 * HOUR },
];

/** A time window: a preset ending now, or a custom UTC start and end (any age: S3 keeps it all). */
export async function pickWindow(title: string): Promise<{ start: number; end: number } | undefined> {
  const pick = await vscode.window.showQuickPick(
    [...WINDOWS.map((w) => ({ label: w.label, ms: w.ms })), { label: 'Custom range…', ms: 0 }],
    { title, ignoreFocusOut: true },
  );
  if (!pick) return undefined;
  const now = Date.now();
  if (pick.ms) return { start: now - pick.ms, end: now };
  const when = (v: string): string | undefined =>
    parseWhen(v) === undefined ? 'A date: 2024-03-01 or 2024-03-01T10:00Z' : undefined;
  const start = await vscode.window.showInputBox({
    title: 'Start (UTC)',
    prompt: 'e.g. 2024-03-01 or 2024-03-01T10:00Z',
    validateInput: when,
    ignoreFocusOut: true,
  });
  if (start === undefined) return undefined;
  const end = await vscode.window.showInputBox({
    title: 'End (UTC)',
    prompt: 'Empty for now',
    ignoreFocusOut: true,
    validateInput: (v) =>
      !v.trim()
        ? undefined
        : (when(v) ??
          ((parseWhen(v) ?? 0) <= (parseWhen(start) ?? 0) ? 'The end must come after the start.' : undefined)),
  });
  if (end === undefined) return undefined;
  return { start: parseWhen(start)!, end: end.trim() ? parseWhen(end)! : now };
}

async function multiPick(
  items: string[],
  title: string,
  preselect: (s: string) => boolean,
): Promise<string[] | undefined> {
  if (items.length <= 1) return items;
  const picks = await vscode.window.showQuickPick(
    items.map((label) => ({ label, picked: preselect(label) })),
    { title, canPickMany: true, ignoreFocusOut: true },
  );
  return picks && picks.length ? picks.map((p) => p.label) : undefined;
}

/**
 * The organization, accounts and regions to cover, read from the bucket's folders: an
 * organization trail writes under `AWSLogs/<org-id>/<account>/`, a multi-region trail one folder
 * per region. Undefined when cancelled; an explained error message when the bucket says no.
 */
export async function pickScope(ctx: TrailContext, args: ScopeArgs, title: string): Promise<TrailScope | undefined> {
  const window = args.window ?? (await pickWindow(`${title}: time window (UTC)`));
  if (!window) return undefined;
  const bucket = ctx.trail.S3BucketName!;
  const prefix = (ctx.trail.S3KeyPrefix ?? '').replace(/^\/+|\/+$/g, '');
  const ownAccount = /^arn:[^:]+:cloudtrail:[^:]*:(\d{12}):/.exec(ctx.trailArn)?.[1] ?? '';
  const home = ctx.trail.HomeRegion ?? ctx.s3.target.region;
  const base = `${prefix ? `${prefix}/` : ''}AWSLogs/`;
  let at = base;
  try {
    let orgId: string | undefined;
    if (ctx.trail.IsOrganizationTrail) {
      const orgs = (await ctx.s3.listFolders(bucket, base)).filter((f) => /^o-[a-z0-9]{10,32}$/.test(f));
      orgId =
        orgs.length > 1 ? await vscode.window.showQuickPick(orgs, { title: `${title}: which organization?` }) : orgs[0];
      if (orgs.length > 1 && !orgId) return undefined;
    }
    const location: TrailLocation = { bucket, prefix, orgId };
    let accounts = args.accounts;
    if (!accounts) {
      at = accountPrefix(location, '').slice(0, -1);
      const found = orgId ? (await ctx.s3.listFolders(bucket, at)).filter((f) => /^\d{12}$/.test(f)) : [ownAccount];
      accounts = await multiPick(
        found.length ? found : [ownAccount],
        `${title}: accounts (${found.length} in the organization's logs)`,
        (a) => a === ownAccount || found.length <= 5,
      );
      if (!accounts) return undefined;
    }
    let regions = args.regions;
    if (!regions) {
      at = `${accountPrefix(location, accounts[0])}CloudTrail/`;
      const found = ctx.trail.IsMultiRegionTrail ? await ctx.s3.listFolders(bucket, at) : [home];
      regions = await multiPick(
        found.length ? found : [home],
        `${title}: regions (${found.length} with logs)`,
        () => true,
      );
      if (!regions) return undefined;
    }
    return { location, accounts, regions, window };
  } catch (e) {
    showS3Error(e, ctx, bucket, (e as { prefix?: string }).prefix ?? at, 'list');
    return undefined;
  }
}

/** Shows an S3 failure explained for its bucket and prefix; returns the explanation's text. */
export function showS3Error(e: unknown, ctx: TrailContext, bucket: string, key: string, op: 'list' | 'get'): string {
  const x = explainS3Error(e, {
    profile: ctx.profile,
    region: ctx.s3.target.region,
    endpoint: ctx.s3.target.endpoint,
    bucket,
    key,
    op,
  });
  void vscode.window.showErrorMessage(`${x.title}. ${x.detail}`);
  return `${x.title}. ${x.detail}`;
}
