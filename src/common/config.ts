/** Typed getters, one per setting (package.json `contributes.configuration`). */
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { HARD_MAX_BYTES } from '../core/ingest/decode';
import { isRegionCode } from '../core/aws/regions';

const section = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('cloudtrailLens');

/** The most bytes one file may decompress to (`cloudtrailLens.maxFileSizeMB`). */
export function maxFileBytes(): number {
  const mb = section().get<number>('maxFileSizeMB', 256);
  const bytes = Math.floor((Number.isFinite(mb) && mb > 0 ? mb : 256) * 1024 * 1024);
  return Math.min(bytes, HARD_MAX_BYTES);
}

/** Profiles the explorer shows (`cloudtrailLens.profiles`); empty means all. */
export function shownProfiles(): string[] {
  const v = section().get<unknown>('profiles', []);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Regions shown under every profile besides its own (`cloudtrailLens.regions`). */
export function extraRegions(): string[] {
  const v = section().get<unknown>('regions', []);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && isRegionCode(x)) : [];
}

/**
 * The CloudTrail endpoint override (`cloudtrailLens.endpoint`), for emulators and tests. A
 * restricted setting: VS Code ignores a workspace's value until the workspace is trusted, so a
 * cloned repository cannot send signed requests to a host of its choosing.
 */
export function endpoint(): string | undefined {
  const v = section().get<string>('endpoint', '').trim();
  return v || undefined;
}

/** Per-request timeout (`cloudtrailLens.requestTimeoutSeconds`). */
export function requestTimeoutMs(): number {
  const s = section().get<number>('requestTimeoutSeconds', 20);
  return Math.round((Number.isFinite(s) && s > 0 ? Math.min(s, 300) : 20) * 1000);
}

/** A folder of the user's own detection rules (`cloudtrailLens.detectionsFolder`); '' for none. */
export function detectionsFolder(): string {
  const v = section().get<unknown>('detectionsFolder', '');
  return typeof v === 'string' ? v.trim() : '';
}

/** Whether the SigmaHQ rules pack runs beside the built-in rules (`cloudtrailLens.detections.sigmaHqPack`). */
export function sigmaHqPack(): boolean {
  return section().get<unknown>('detections.sigmaHqPack', true) !== false;
}

/** The pause that ends an activity session (`cloudtrailLens.sessionGapMinutes`), in ms. */
export function sessionGapMs(): number {
  const m = section().get<number>('sessionGapMinutes', 30);
  return Math.round((Number.isFinite(m) && m >= 1 ? Math.min(m, 7 * 24 * 60) : 30) * 60_000);
}

/** Writes the shown profiles or extra regions to the user's settings. */
export async function update(key: 'profiles' | 'regions', value: string[]): Promise<void> {
  await section().update(key, value, vscode.ConfigurationTarget.Global);
}

/** The S3 endpoint override (`cloudtrailLens.s3Endpoint`), restricted like `endpoint`. */
export function s3Endpoint(): string | undefined {
  const v = section().get<string>('s3Endpoint', '').trim();
  return v || undefined;
}

/** Where downloaded trail files are cached (`cloudtrailLens.s3CacheFolder`); `fallback` when unset. */
export function s3CacheFolder(fallback: string): string {
  const v = section().get<string>('s3CacheFolder', '').trim();
  return v || fallback;
}

/** The cache's size cap in bytes (`cloudtrailLens.s3CacheMaxMB`). */
export function s3CacheMaxBytes(): number {
  const mb = section().get<number>('s3CacheMaxMB', 2048);
  return Math.floor((Number.isFinite(mb) && mb > 0 ? mb : 2048) * 1024 * 1024);
}

/** The Athena workgroup queries run in (`cloudtrailLens.athena.workGroup`). */
export function athenaWorkGroup(): string {
  const v = section().get<unknown>('athena.workGroup', 'primary');
  return typeof v === 'string' && v.trim() ? v.trim() : 'primary';
}

/** The Glue database holding trail tables (`cloudtrailLens.athena.database`), lower-case as Glue keeps names. */
export function athenaDatabase(): string {
  const v = section().get<unknown>('athena.database', 'default');
  return typeof v === 'string' && v.trim() ? v.trim().toLowerCase() : 'default';
}

/** Most events one remote search brings back (`cloudtrailLens.athena.maxResults`); past it the result is cut. */
export function athenaMaxResults(): number {
  const n = section().get<number>('athena.maxResults', 10_000);
  return Number.isFinite(n) && n >= 1 ? Math.min(Math.floor(n), 100_000) : 10_000;
}

/** The estimated cost in USD above which a remote query asks before it runs (`cloudtrailLens.athena.askAboveUsd`). */
export function askAboveUsd(): number {
  const n = section().get<number>('athena.askAboveUsd', 1);
  return Number.isFinite(n) && n >= 0 ? n : 1;
}

/** The Athena endpoint override (`cloudtrailLens.athenaEndpoint`), restricted like `endpoint`. */
export function athenaEndpoint(): string | undefined {
  const v = section().get<string>('athenaEndpoint', '').trim();
  return v || undefined;
}

/** The CloudWatch Logs endpoint override (`cloudtrailLens.logsEndpoint`), restricted like `endpoint`. */
export function logsEndpoint(): string | undefined {
  const v = section().get<string>('logsEndpoint', '').trim();
  return v || undefined;
}

/** The user's own MMDB (`cloudtrailLens.enrichment.mmdbPath`): absolute or `~/…`; '' for none. */
export function userMmdbPath(): string {
  const v = section().get<unknown>('enrichment.mmdbPath', '');
  if (typeof v !== 'string' || !v.trim()) return '';
  const p = v.trim();
  return p === '~' || p.startsWith('~/') ? join(homedir(), p.slice(1)) : p;
}

/** Where the AWS IP ranges refresh downloads from (`cloudtrailLens.enrichment.ipRangesUrl`). */
export function ipRangesUrl(): string {
  const v = section().get<unknown>('enrichment.ipRangesUrl', AWS_IP_RANGES_URL);
  return typeof v === 'string' && /^https?:\/\//i.test(v.trim()) ? v.trim() : AWS_IP_RANGES_URL;
}

/** AWS's public address ranges (https://docs.aws.amazon.com/vpc/latest/userguide/aws-ip-ranges.html). */
export const AWS_IP_RANGES_URL = 'https://ip-ranges.amazonaws.com/ip-ranges.json';
