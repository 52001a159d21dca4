/**
 * "Trails" under a region: DescribeTrails (shadow trails included) with each trail's status,
 * fetched together so problems show without expanding each trail.
 */
import * as vscode from 'vscode';
import { describeTrail, type Trail, type TrailStatus } from '../core/aws/trailHealth';
import { ExplorerNode } from './explorerNode';
import { ErrorNode, PlaceholderNode } from './messageNodes';
import type { RegionNode } from './regionNode';
import type { ExplorerServices } from './services';
import { TrailNode } from './trailNode';

export class TrailsNode extends ExplorerNode {
  private loaded: Promise<ExplorerNode[]> | undefined;
  private problems = 0;
  private count: number | undefined;

  constructor(
    private readonly region: RegionNode,
    private readonly services: ExplorerServices,
  ) {
    super(region);
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Trails', vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `trails:${this.region.profile}:${this.region.region}`;
    item.iconPath = new vscode.ThemeIcon(
      this.problems ? 'warning' : 'list-tree',
      this.problems ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined,
    );
    item.description =
      this.count === undefined ? '' : `${this.count}${this.problems ? ` · ${this.problems} with problems` : ''}`;
    item.contextValue = 'cloudtrailLens:trails';
    return item;
  }

  override children(): Promise<ExplorerNode[]> {
    this.loaded ??= this.load();
    return this.loaded;
  }

  private async load(): Promise<ExplorerNode[]> {
    const profile = this.region.profileNode.profile;
    const api = this.services.api(profile.name, this.region.region);
    let trails: Trail[];
    try {
      trails = await api.describeTrails();
    } catch (e) {
      this.loaded = undefined; // try again on the next expansion
      return [new ErrorNode(this, this.services.explain(e, profile, this.region.region), profile.name)];
    }
    // A shadow trail is managed in its home region: ask there about its status and selectors.
    const home = (t: Trail) =>
      t.HomeRegion && t.HomeRegion !== this.region.region ? this.services.api(profile.name, t.HomeRegion) : api;
    const statuses = await Promise.all(
      trails.map((t) =>
        home(t)
          .trailStatus(t.TrailARN ?? t.Name ?? '')
          .then(
            (s): TrailStatus | Error => s,
            (e: unknown): Error =>
              Object.assign(new Error(this.services.explain(e, profile, this.region.region).detail), {
                name: 'StatusError',
              }),
          ),
      ),
    );
    const now = this.services.now();
    const nodes = trails.map((t, i) => {
      const st = statuses[i];
      return new TrailNode(
        this,
        t,
        describeTrail(t, this.region.region, now, st instanceof Error ? undefined : st),
        st instanceof Error ? st.message : undefined,
        home(t),
        this.services,
        profile,
        this.region.region,
      );
    });
    this.count = nodes.length;
    this.problems = nodes.filter((n) => n.hasProblems).length;
    return nodes.length
      ? nodes
      : [
          new PlaceholderNode(
            this,
            `No trails in ${this.region.region}. Without a trail, only the 90-day Event history is kept.`,
          ),
        ];
  }

  override reset(): void {
    this.loaded = undefined;
    this.count = undefined;
    this.problems = 0;
  }
}
