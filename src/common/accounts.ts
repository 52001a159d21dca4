/**
 * The accounts service (docs/architecture.md, "Accounts"): the AWS profiles in the shared
 * config/credentials files and the ones shown, the regions shown under each, the one builder of
 * SDK client settings (credentials, region, the endpoint override of each service, the request
 * bound), the clients themselves and the trails of the shown profiles. The explorer tree, Athena
 * and CloudWatch Logs, S3 and integrity validation all ask it; none builds a client by hand.
 */
import * as vscode from 'vscode';
import { AthenaApi } from '../awsSdk/athena';
import type { ClientTarget } from '../awsSdk/clientConfig';
import { CloudTrailApi, createClient } from '../awsSdk/cloudTrail';
import { CloudWatchLogsApi } from '../awsSdk/cloudWatchLogs';
import type { CredentialCache } from '../awsSdk/credentials';
import { createS3Client, S3Api } from '../awsSdk/s3';
import { type AwsProfile, loadProfiles } from '../core/aws/profiles';
import type { RateLimiter } from '../core/aws/throttle';
import type { Trail } from '../core/aws/trailHealth';
import * as config from './config';

/** The services the extension calls, each with its own endpoint override setting. */
export type AwsService = 'cloudtrail' | 's3' | 'athena' | 'logs';

const ENDPOINTS: Record<AwsService, () => string | undefined> = {
  cloudtrail: config.endpoint,
  s3: config.s3Endpoint,
  athena: config.athenaEndpoint,
  logs: config.logsEndpoint,
};

/** A trail of a shown profile, listed in its home region. */
export interface ListedTrail {
  profile: string;
  /** The trail's home region (where it is described, and where Athena runs). */
  region: string;
  trail: Trail;
}

export class Accounts implements vscode.Disposable {
  private loaded: Promise<{ profiles: AwsProfile[]; problems: string[] }> | undefined;
  private readonly cloudTrails = new Map<string, CloudTrailApi>();
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Fires after `reload`: profiles, clients and credentials start fresh. */
  readonly onDidReload = this.emitter.event;

  constructor(
    private readonly credentials: CredentialCache,
    /** LookupEvents' limiter, shared by every CloudTrail client (2 requests/s per account and region). */
    private readonly limiter: RateLimiter,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  /** Every profile in the files; problems with the files are logged once per reading. */
  async profiles(): Promise<AwsProfile[]> {
    this.loaded ??= loadProfiles(process.env).then((r) => {
      for (const p of r.problems) this.output.warn(p);
      return r;
    });
    return (await this.loaded).profiles;
  }

  /** The profiles shown: those chosen with "Select Profiles…", or all. */
  async shownProfiles(): Promise<AwsProfile[]> {
    const all = await this.profiles();
    const chosen = config.shownProfiles();
    return chosen.length ? all.filter((p) => chosen.includes(p.name)) : all;
  }

  /** Regions shown under a profile: its own, then the `cloudtrailLens.regions` setting's. */
  regionsFor(profile: AwsProfile): string[] {
    return [...new Set([...(profile.region ? [profile.region] : []), ...config.extraRegions()])];
  }

  /** The one builder of client settings: as whom, where, through which endpoint, how long a request may take. */
  target(service: AwsService, profile: string, region: string): ClientTarget {
    return {
      profile,
      region,
      credentials: this.credentials.forProfile(profile),
      endpoint: ENDPOINTS[service](),
      timeoutMs: config.requestTimeoutMs(),
    };
  }

  /**
   * The CloudTrail API of a profile and region, cached so its rate limit and credentials are shared.
   * A cached client whose endpoint or request bound no longer matches the settings is replaced: the
   * endpoint setting is restricted, so it can appear only once the workspace is trusted, and a
   * client made before must not keep talking to AWS's own host.
   */
  cloudTrail(profile: string, region: string): CloudTrailApi {
    const key = `${profile}|${region}`;
    const target = this.target('cloudtrail', profile, region);
    let api = this.cloudTrails.get(key);
    if (api && (api.target.endpoint !== target.endpoint || api.target.timeoutMs !== target.timeoutMs)) {
      api.dispose();
      api = undefined;
    }
    if (!api) {
      this.cloudTrails.set(key, (api = new CloudTrailApi(target, this.limiter, createClient(target))));
      // Where requests go, for a "Cannot reach AWS" that should have gone to an endpoint override
      // (the setting is restricted: an untrusted workspace, or settings not yet read, leave it out).
      this.output.info(
        `CloudTrail client for ${profile} in ${region}: ${target.endpoint ? `endpoint ${target.endpoint}` : "AWS's own endpoint"}${vscode.workspace.isTrusted ? '' : ' (workspace not trusted: endpoint settings ignored)'}.`,
      );
    }
    return api;
  }

  /** A new Athena API (one per command: its queries and polls end with it). */
  athena(profile: string, region: string): AthenaApi {
    return new AthenaApi(this.target('athena', profile, region));
  }

  /** A new CloudWatch Logs API. */
  logs(profile: string, region: string): CloudWatchLogsApi {
    return new CloudWatchLogsApi(this.target('logs', profile, region));
  }

  /** A new S3 API; the caller disposes it. */
  s3(profile: string, region: string): S3Api {
    const target = this.target('s3', profile, region);
    return new S3Api(target, createS3Client(target));
  }

  /**
   * The trails of the shown profiles and regions, each once, in its home region (a multi-region
   * trail is described in every region). A region that cannot be listed is logged and skipped.
   */
  async trails(): Promise<ListedTrail[]> {
    const out: ListedTrail[] = [];
    for (const p of await this.shownProfiles()) {
      for (const region of this.regionsFor(p)) {
        const trails = await this.cloudTrail(p.name, region)
          .describeTrails()
          .catch((e: unknown) => {
            this.output.warn(`Listing trails of ${p.name} in ${region}: ${(e as Error).message}`);
            return [];
          });
        for (const trail of trails.filter((t) => (t.HomeRegion ?? region) === region))
          out.push({ profile: p.name, region, trail });
      }
    }
    return out;
  }

  /** Drops everything cached — profiles, clients, credentials — after a settings change, an edited file or a sign-in. */
  reload(): void {
    for (const api of this.cloudTrails.values()) api.dispose();
    this.cloudTrails.clear();
    this.credentials.reset();
    this.loaded = undefined;
    this.emitter.fire();
  }

  dispose(): void {
    for (const api of this.cloudTrails.values()) api.dispose();
    this.cloudTrails.clear();
    this.emitter.dispose();
  }
}
