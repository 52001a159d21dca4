/**
 * The CloudTrail Lens explorer: profiles → regions → trails / recent events / insights events.
 * It owns the per-profile-and-region API objects (so rate limits and credentials are shared by
 * every node that calls) and implements the services its nodes use.
 */
import * as vscode from 'vscode';
import { CloudTrailApi, createClient } from '../awsSdk/cloudTrail';
import type { CredentialCache } from '../awsSdk/credentials';
import { explainAwsError, type ExplainedError } from '../core/aws/awsErrors';
import { lookupValueFor } from '../core/query/lookupFilter';
import { type AwsProfile, loadProfiles } from '../core/aws/profiles';
import type { CtRecord } from '../core/model/records';
import type { RateLimiter } from '../core/aws/throttle';
import type { EventPanel } from '../eventView/eventPanel';
import type { PivotField } from '../protocol/eventView';
import * as config from '../common/config';
import { EventsNode } from './eventsNode';
import { ExplorerNode } from './explorerNode';
import { ErrorNode } from './messageNodes';
import { ProfileNode } from './profileNode';
import type { ExplorerServices } from './services';

const LOOKUP_PIVOTS: readonly PivotField[] = ['principal', 'accessKey', 'eventName', 'resource'];

export interface ExplorerDeps {
  credentials: CredentialCache;
  limiter: RateLimiter;
  eventPanel: EventPanel;
  output: vscode.LogOutputChannel;
}

export class ExplorerProvider implements vscode.TreeDataProvider<ExplorerNode>, ExplorerServices, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<ExplorerNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private profiles: Promise<ProfileNode[]> | undefined;
  private readonly profileNodes = new Map<string, ProfileNode>();
  private readonly apis = new Map<string, CloudTrailApi>();
  private view: vscode.TreeView<ExplorerNode> | undefined;

  constructor(private readonly deps: ExplorerDeps) {}

  /** Gives the provider its view, for revealing nodes after a pivot or a lookup command. */
  attach(view: vscode.TreeView<ExplorerNode>): void {
    this.view = view;
  }

  getTreeItem(node: ExplorerNode): vscode.TreeItem {
    return node.treeItem();
  }

  async getChildren(node?: ExplorerNode): Promise<ExplorerNode[]> {
    try {
      return node ? await node.children() : await this.roots();
    } catch (e) {
      // A bug, not an AWS failure (those are error nodes already): still a node, never a silent empty tree.
      this.deps.output.error(`Explorer: ${(e as Error).stack ?? String(e)}`);
      return node ? [new ErrorNode(node, { title: 'Could not list this', detail: (e as Error).message || String(e) }, '')] : [];
    }
  }

  getParent(node: ExplorerNode): ExplorerNode | undefined {
    return node.parent;
  }

  /** The profiles shown (all, or those chosen with "Select Profiles…"). */
  roots(): Promise<ProfileNode[]> {
    this.profiles ??= (async () => {
      const { profiles, problems } = await loadProfiles(process.env);
      for (const p of problems) this.deps.output.warn(p);
      const chosen = config.shownProfiles();
      const shown = chosen.length ? profiles.filter((p) => chosen.includes(p.name)) : profiles;
      void vscode.commands.executeCommand('setContext', 'cloudtrailLens.noProfiles', profiles.length === 0);
      return shown.map((p) => {
        const existing = this.profileNodes.get(p.name);
        // Keep a node (and the filters and pages below it) while its profile is unchanged.
        if (existing && JSON.stringify(existing.profile) === JSON.stringify(p)) return existing;
        const node = new ProfileNode(p, this);
        this.profileNodes.set(p.name, node);
        return node;
      });
    })();
    return this.profiles;
  }

  /** Every profile in the files, shown or not (for "Select Profiles…"). */
  async allProfiles(): Promise<AwsProfile[]> {
    return (await loadProfiles(process.env)).profiles;
  }

  api(profile: string, region: string): CloudTrailApi {
    const key = `${profile}|${region}`;
    let api = this.apis.get(key);
    if (!api) {
      const target = { profile, region, credentials: this.deps.credentials.forProfile(profile), endpoint: config.endpoint(), timeoutMs: config.requestTimeoutMs() };
      this.apis.set(key, (api = new CloudTrailApi(target, this.deps.limiter, createClient(target))));
    }
    return api;
  }

  explain(err: unknown, profile: AwsProfile, region: string): ExplainedError {
    const e = explainAwsError(err, { profile: profile.name, region, endpoint: config.endpoint(), sso: profile.kind === 'sso' });
    // The reason only: error messages from AWS and the SDK carry no secrets.
    this.deps.output.warn(`[${profile.name} ${region}] ${e.title}: ${e.detail}`);
    return e;
  }

  regionsFor(profile: AwsProfile): string[] {
    return [...new Set([...(profile.region ? [profile.region] : []), ...config.extraRegions()])];
  }

  refresh(node?: ExplorerNode): void {
    this.emitter.fire(node);
  }

  now(): number {
    return Date.now();
  }

  openEvent(record: CtRecord, from: ExplorerNode): void {
    const events = from.parent instanceof EventsNode ? from.parent : undefined;
    this.deps.eventPanel.show(record.raw, {
      // Only what LookupEvents can search by: offering the rest would lead nowhere.
      pivotable: events ? LOOKUP_PIVOTS : [],
      pivot: (field, value) => {
        if (events) this.pivot(events, record, field, value).catch((e: unknown) => this.deps.output.warn(`Pivot: ${(e as Error).message}`));
      },
    });
  }

  /** "Show all events with this value", as a LookupEvents filter on the node the event came from. */
  async pivot(node: EventsNode, record: CtRecord, field: PivotField, value: string): Promise<void> {
    const attribute = lookupValueFor(field, value, record);
    if (!attribute) {
      void vscode.window.showInformationMessage(
        `Event history (LookupEvents) cannot be searched by ${field === 'ip' ? 'source IP' : field === 'error' ? 'error code' : field}. Open the trail's log files in CloudTrail Lens to filter on it.`,
      );
      return;
    }
    node.setFilter({ attribute, range: node.filter.range });
    this.refresh(node);
    await this.view?.reveal(node, { expand: true, focus: true, select: true });
  }

  /** Drops everything cached: profiles, clients, credentials (after a settings change or a sign-in). */
  resetAll(): void {
    for (const api of this.apis.values()) api.dispose();
    this.apis.clear();
    this.deps.credentials.reset();
    this.profiles = undefined;
    for (const p of this.profileNodes.values()) p.reset();
    this.refresh();
  }

  /** Re-reads the profile files, keeping the tree state of unchanged profiles; clients and credentials start fresh. */
  reloadProfiles(): void {
    for (const api of this.apis.values()) api.dispose();
    this.apis.clear();
    this.deps.credentials.reset();
    this.profiles = undefined;
    this.refresh();
  }

  dispose(): void {
    for (const api of this.apis.values()) api.dispose();
    this.emitter.dispose();
  }
}
