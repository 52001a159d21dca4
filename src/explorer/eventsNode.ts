/**
 * "Recent events" (or "Insights events") under a region: LookupEvents, newest first, a page at a
 * time behind "Load more…", with a filter (one lookup attribute and a time range) shown on the
 * node and clearable.
 */
import * as vscode from 'vscode';
import { describeFilter, isFiltered, type LookupFilter, NO_FILTER, resolveRange } from '../core/query/lookupFilter';
import { PagedList } from '../core/aws/paging';
import type { CtRecord } from '../core/model/records';
import { EventNode } from './eventNode';
import { ExplorerNode } from './explorerNode';
import { ErrorNode, LoadMoreNode, PlaceholderNode } from './messageNodes';
import type { RegionNode } from './regionNode';
import type { ExplorerServices } from './services';

export class EventsNode extends ExplorerNode {
  private filterValue: LookupFilter = NO_FILTER;
  private list: PagedList<CtRecord>;
  /** The last failure, explained once: redraws reuse it instead of logging it again. */
  private explained: { error: unknown; node: ErrorNode } | undefined;

  constructor(
    readonly region: RegionNode,
    private readonly services: ExplorerServices,
    readonly insights: boolean,
  ) {
    super(region);
    this.list = this.newList();
  }

  private newList(): PagedList<CtRecord> {
    const filter = this.filterValue;
    const window = resolveRange(filter.range, this.services.now());
    return new PagedList((token) =>
      this.services.api(this.region.profile, this.region.region).lookupPages(filter, this.insights, token, window),
    );
  }

  get filter(): LookupFilter {
    return this.filterValue;
  }

  /** Replaces the filter and starts over. */
  setFilter(filter: LookupFilter): void {
    this.filterValue = filter;
    this.reset();
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(
      this.insights ? 'Insights events' : 'Recent events',
      vscode.TreeItemCollapsibleState.Collapsed,
    );
    item.id = `events:${this.region.profile}:${this.region.region}:${this.insights ? 'insights' : 'management'}`;
    const filtered = isFiltered(this.filterValue);
    item.description = filtered
      ? `filter: ${describeFilter(this.filterValue)}`
      : this.list.items.length
        ? `${this.list.items.length}${this.list.done ? '' : '+'}`
        : '';
    item.tooltip = `${this.insights ? 'CloudTrail Insights events' : 'Management events'} from Event history (LookupEvents), newest first.${filtered ? `\nFilter: ${describeFilter(this.filterValue)}` : ''}`;
    item.iconPath = new vscode.ThemeIcon(filtered ? 'filter-filled' : this.insights ? 'lightbulb' : 'history');
    item.contextValue = `cloudtrailLens:events${filtered ? ':filtered' : ''}`;
    return item;
  }

  override async children(): Promise<ExplorerNode[]> {
    // The list of this call: a filter set meanwhile replaces this.list, and is drawn by its own refresh.
    const list = this.list;
    if (list.items.length === 0 && !list.done && !list.error) await list.loadMore();
    const nodes: ExplorerNode[] = list.items.map((r) => new EventNode(this, r, this.services));
    if (list.error) {
      if (this.explained?.error !== list.error) {
        const profile = this.region.profileNode.profile;
        this.explained = {
          error: list.error,
          node: new ErrorNode(this, this.services.explain(list.error, profile, this.region.region), profile.name),
        };
      }
      nodes.push(this.explained.node);
    } else if (nodes.length === 0) {
      nodes.push(
        new PlaceholderNode(
          this,
          isFiltered(this.filterValue)
            ? `No events match ${describeFilter(this.filterValue)}.`
            : this.insights
              ? 'No Insights events in the last 90 days.'
              : 'No management events in the last 90 days.',
        ),
      );
    }
    // After a failure the same node retries the page, keeping what was loaded.
    if (!list.done) nodes.push(new LoadMoreNode(this, !!list.error));
    return nodes;
  }

  /** Fetches one more page (joining one under way). */
  async loadMore(): Promise<void> {
    await this.list.loadMore();
    this.services.refresh(this);
  }

  override reset(): void {
    this.list = this.newList();
  }
}
