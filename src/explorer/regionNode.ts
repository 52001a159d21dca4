/** One region under a profile: its trails, recent management events and insights events. */
import * as vscode from 'vscode';
import { regionName } from '../core/aws/regions';
import { EventsNode } from './eventsNode';
import { ExplorerNode } from './explorerNode';
import type { ProfileNode } from './profileNode';
import type { ExplorerServices } from './services';
import { TrailsNode } from './trailsNode';

const PREFETCH_MS = 3000;

export class RegionNode extends ExplorerNode {
  readonly trails: TrailsNode;
  readonly events: EventsNode;
  readonly insights: EventsNode;

  constructor(
    readonly profileNode: ProfileNode,
    readonly region: string,
    services: ExplorerServices,
  ) {
    super(profileNode);
    this.trails = new TrailsNode(this, services);
    this.events = new EventsNode(this, services, false);
    this.insights = new EventsNode(this, services, true);
  }

  get profile(): string {
    return this.profileNode.profile.name;
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.region, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `region:${this.profile}:${this.region}`;
    item.description = regionName(this.region) ?? 'unknown region';
    item.iconPath = new vscode.ThemeIcon('globe');
    item.contextValue =
      this.region === this.profileNode.profile.region ? 'cloudtrailLens:region:home' : 'cloudtrailLens:region';
    return item;
  }

  /**
   * Starts listing trails before the "Trails" row is drawn, so its counts and warning show at
   * once. A node must not refresh itself while VS Code is still taking its children (the tree
   * loses track of them), so waiting here briefly is the safe way; a slow answer just leaves
   * the counts off.
   */
  override async children(): Promise<ExplorerNode[]> {
    await Promise.race([this.trails.children(), new Promise((r) => setTimeout(r, PREFETCH_MS))]);
    return [this.trails, this.events, this.insights];
  }

  override reset(): void {
    for (const c of [this.trails, this.events, this.insights]) c.reset();
  }
}
