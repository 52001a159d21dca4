/** One trail: health in its icon and description; configuration and selectors as children. */
import * as vscode from 'vscode';
import type { CloudTrailApi } from '../awsSdk/cloudTrail';
import type { AwsProfile } from '../core/aws/profiles';
import { TrailChoice, type TrailCarrier } from '../common/trailPicker';
import { describeSelectors, type Trail, type TrailView } from '../core/aws/trailHealth';
import { ExplorerNode } from './explorerNode';
import { DetailNode, ErrorNode } from './messageNodes';
import type { ExplorerServices } from './services';

export class TrailNode extends ExplorerNode implements TrailCarrier {
  private selectors: Promise<ExplorerNode[]> | undefined;

  constructor(
    parent: ExplorerNode,
    readonly trail: Trail,
    private readonly view: TrailView,
    private readonly statusError: string | undefined,
    /** The API of the trail's home region (where its status and selectors are asked). */
    readonly api: CloudTrailApi,
    private readonly services: ExplorerServices,
    readonly profile: AwsProfile,
    /** The region whose "Trails" list shows it (a shadow trail shows in many). */
    private readonly shownIn: string,
  ) {
    super(parent);
  }

  /** What commands run on this node (Athena, S3, integrity) are for: the trail in its home region. */
  get trailChoice(): TrailChoice {
    return new TrailChoice(this.profile.name, this.trail, this.trail.HomeRegion ?? this.api.target.region);
  }

  get hasProblems(): boolean {
    return this.view.problems.length > 0 || !!this.statusError;
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.view.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `trail:${this.profile.name}:${this.shownIn}:${this.trail.TrailARN ?? this.view.name}`;
    item.description = this.view.description;
    const tip = new vscode.MarkdownString();
    tip.appendText(`${this.trail.TrailARN ?? this.view.name}\n`);
    for (const p of this.view.problems) tip.appendMarkdown('\n$(warning) ').appendText(p);
    if (this.statusError) tip.appendMarkdown('\n$(error) ').appendText(`Status unavailable: ${this.statusError}`);
    tip.supportThemeIcons = true;
    item.tooltip = tip;
    item.iconPath = this.hasProblems
      ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
      : new vscode.ThemeIcon(
          this.view.shadow ? 'mirror' : 'pass',
          this.view.shadow ? undefined : new vscode.ThemeColor('testing.iconPassed'),
        );
    // `:logs`: the trail also delivers to CloudWatch Logs ("Search in CloudWatch Logs…" is offered).
    item.contextValue = `cloudtrailLens:trail${this.view.shadow ? ':shadow' : ''}${this.trail.CloudWatchLogsLogGroupArn ? ':logs' : ''}`;
    return item;
  }

  override async children(): Promise<ExplorerNode[]> {
    const rows: ExplorerNode[] = this.view.details.map((d) => new DetailNode(this, d.label, d.value, d.problem));
    if (this.statusError) rows.unshift(new DetailNode(this, 'Status', `unavailable: ${this.statusError}`, true));
    this.selectors ??= this.loadSelectors();
    return [...rows, ...(await this.selectors)];
  }

  private async loadSelectors(): Promise<ExplorerNode[]> {
    const arn = this.trail.TrailARN ?? this.trail.Name ?? '';
    try {
      const [sel, ins] = await Promise.all([
        this.trail.HasCustomEventSelectors === false ? Promise.resolve(undefined) : this.api.eventSelectors(arn),
        this.trail.HasInsightSelectors ? this.api.insightSelectors(arn) : Promise.resolve(undefined),
      ]);
      const rows = describeSelectors(
        sel ?? { EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] },
        ins,
      );
      return rows.map((r) => new DetailNode(this, r.label, r.value, r.problem));
    } catch (e) {
      this.selectors = undefined;
      return [new ErrorNode(this, this.services.explain(e, this.profile, this.api.target.region), this.profile.name)];
    }
  }

  override reset(): void {
    this.selectors = undefined;
  }
}
