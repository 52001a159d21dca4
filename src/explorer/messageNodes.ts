/**
 * Leaf nodes that carry a message: a placeholder for empty results, an error with its reason
 * (and an action where one helps), a label/value detail row, and "Load more…".
 */
import * as vscode from 'vscode';
import type { ExplainedError } from '../core/aws/awsErrors';
import { ExplorerNode } from './explorerNode';

export class PlaceholderNode extends ExplorerNode {
  constructor(
    parent: ExplorerNode,
    private readonly text: string,
  ) {
    super(parent);
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.text);
    item.contextValue = 'cloudtrailLens:placeholder';
    item.iconPath = new vscode.ThemeIcon('info');
    return item;
  }
}

export class ErrorNode extends ExplorerNode {
  constructor(
    parent: ExplorerNode,
    readonly error: ExplainedError,
    /** The profile it concerns, for the SSO sign-in action. */
    readonly profile: string,
  ) {
    super(parent);
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.error.title);
    item.description = this.error.detail;
    item.tooltip = new vscode.MarkdownString().appendText(`${this.error.title}\n\n${this.error.detail}`);
    item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    item.contextValue = `cloudtrailLens:error${this.error.action ? `:${this.error.action}` : ''}`;
    if (this.error.action === 'ssoLogin')
      item.command = { command: 'cloudtrailLens.ssoLogin', title: 'Sign in with SSO', arguments: [this] };
    return item;
  }
}

export class DetailNode extends ExplorerNode {
  constructor(
    parent: ExplorerNode,
    private readonly label: string,
    private readonly value: string,
    private readonly problem = false,
  ) {
    super(parent);
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label);
    item.description = this.value;
    item.tooltip = `${this.label}: ${this.value}`;
    item.contextValue = 'cloudtrailLens:detail';
    item.iconPath = this.problem
      ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
      : undefined;
    return item;
  }
}

export class LoadMoreNode extends ExplorerNode {
  constructor(
    parent: ExplorerNode,
    /** The last page failed: this retries it. */
    private readonly retry = false,
  ) {
    super(parent);
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.retry ? 'Retry loading…' : 'Load more…');
    item.iconPath = new vscode.ThemeIcon(this.retry ? 'refresh' : 'more');
    item.contextValue = 'cloudtrailLens:loadMore';
    item.command = { command: 'cloudtrailLens.loadMore', title: 'Load more', arguments: [this.parent] };
    return item;
  }
}
