/**
 * The CloudTrail Lens explorer: profiles → regions → trails / recent events / insights events.
 * One client of the accounts service (common/accounts.ts), which owns the profiles, the clients
 * and their credentials; the provider keeps the tree's state and implements the services its
 * nodes use.
 */
import * as vscode from 'vscode';
import type { CloudTrailApi } from '../awsSdk/cloudTrail';
import type { Accounts } from '../common/accounts';
import { explainAwsError, type ExplainedError } from '../core/aws/awsErrors';
import { lookupValueFor } from '../core/query/lookupFilter';
import type { AwsProfile } from '../core/aws/profiles';
import type { CtRecord } from '../core/model/records';
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
  accounts: Accounts;
  eventPanel: EventPanel;
  output: vscode.LogOutputChannel;
}

export class ExplorerProvider implements vscode.TreeDataProvider<ExplorerNode>, ExplorerServices, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<ExplorerNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private profiles: Promise<ProfileNode[]> | undefined;
  private readonly profileNodes = new Map<string, ProfileNode>();
  private view: vscode.TreeView<ExplorerNode> | undefined;
  private readonly reloaded: vscode.Disposable;

  constructor(private readonly deps: ExplorerDeps) {
    this.reloaded = deps.accounts.onDidReload(() => {
      this.profiles = undefined;
      this.refresh();
    });
  }

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
      return node
        ? [new ErrorNode(node, { title: 'Could not list this', detail: (e as Error).message || String(e) }, '')]
        : [];
    }
  }

  getParent(node: ExplorerNode): ExplorerNode | undefined {
    return node.parent;
  }

  /** The profiles shown (all, or those chosen with "Select Profiles…"). */
  roots(): Promise<ProfileNode[]> {
    this.profiles ??= (async () => {
      const profiles = await this.deps.accounts.profiles();
      const shown = await this.deps.accounts.shownProfiles();
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
  allProfiles(): Promise<AwsProfile[]> {
    return this.deps.accounts.profiles();
  }

  api(profile: string, region: string): CloudTrailApi {
    return this.deps.accounts.cloudTrail(profile, region);
  }

  explain(err: unknown, profile: AwsProfile, region: string): ExplainedError {
    const e = explainAwsError(err, {
      profile: profile.name,
      region,
      endpoint: config.endpoint(),
      sso: profile.kind === 'sso',
    });
    // The reason only: error messages from AWS and the SDK carry no secrets.
    this.deps.output.warn(`[${profile.name} ${region}] ${e.title}: ${e.detail}`);
    return e;
  }

  regionsFor(profile: AwsProfile): string[] {
    return this.deps.accounts.regionsFor(profile);
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
        if (events)
          this.pivot(events, record, field, value).catch((e: unknown) =>
            this.deps.output.warn(`Pivot: ${(e as Error).message}`),
          );
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
    for (const p of this.profileNodes.values()) p.reset();
    this.deps.accounts.reload();
  }

  /** Re-reads the profile files, keeping the tree state of unchanged profiles; clients and credentials start fresh. */
  reloadProfiles(): void {
    this.deps.accounts.reload();
  }

  dispose(): void {
    this.reloaded.dispose();
    this.emitter.dispose();
  }
}
