/** A profile from the shared config/credentials files; its children are the regions shown. */
import * as vscode from 'vscode';
import type { AwsProfile } from '../core/aws/profiles';
import { ExplorerNode } from './explorerNode';
import { DetailNode, PlaceholderNode } from './messageNodes';
import { RegionNode } from './regionNode';
import type { ExplorerServices } from './services';

const KIND_ICONS: Record<string, string> = {
  sso: 'organization',
  assumeRole: 'key',
  process: 'terminal',
  env: 'symbol-variable',
  static: 'account',
  webIdentity: 'globe',
  unknown: 'question',
};

export class ProfileNode extends ExplorerNode {
  private readonly regions = new Map<string, RegionNode>();

  constructor(
    readonly profile: AwsProfile,
    private readonly services: ExplorerServices,
  ) {
    super(undefined);
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.profile.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `profile:${this.profile.name}`;
    item.description = this.profile.detail;
    item.tooltip = [
      `Profile ${this.profile.name}`,
      this.profile.detail,
      this.profile.region ? `Region ${this.profile.region}` : '',
      ...this.profile.problems,
    ]
      .filter(Boolean)
      .join('\n');
    item.iconPath = this.profile.problems.length
      ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
      : new vscode.ThemeIcon(KIND_ICONS[this.profile.kind] ?? 'account');
    item.contextValue = `cloudtrailLens:profile${this.profile.kind === 'sso' ? ':sso' : ''}`;
    return item;
  }

  /** The region node for `region`, made on first use so its state (filters, pages) is kept. */
  region(region: string): RegionNode {
    let node = this.regions.get(region);
    if (!node) this.regions.set(region, (node = new RegionNode(this, region, this.services)));
    return node;
  }

  override reset(): void {
    for (const r of this.regions.values()) r.reset();
  }

  override children(): ExplorerNode[] {
    const nodes: ExplorerNode[] = this.profile.problems.map((p) => new DetailNode(this, 'Problem', p, true));
    const regions = this.services.regionsFor(this.profile);
    if (regions.length === 0) {
      nodes.push(new PlaceholderNode(this, 'No region: the profile sets none. Use "Add Region…".'));
      return nodes;
    }
    return [...nodes, ...regions.map((r) => this.region(r))];
  }
}
