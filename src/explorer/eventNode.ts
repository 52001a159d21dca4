/** One event from Event history: name, principal, when, and an error marker; opens the event view. */
import * as vscode from 'vscode';
import { eventRowLabel } from '../core/ui/explorerLabels';
import type { CtRecord } from '../core/model/records';
import { ExplorerNode } from './explorerNode';
import type { ExplorerServices } from './services';

export class EventNode extends ExplorerNode {
  constructor(
    parent: ExplorerNode,
    readonly record: CtRecord,
    private readonly services: ExplorerServices,
  ) {
    super(parent);
  }

  treeItem(): vscode.TreeItem {
    const l = eventRowLabel(this.record, this.services.now());
    const item = new vscode.TreeItem(l.label);
    item.description = l.description;
    item.tooltip = l.tooltip;
    item.iconPath = l.failed
      ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'))
      : new vscode.ThemeIcon(this.record.readOnly === 'false' ? 'edit' : 'symbol-event');
    item.contextValue = 'cloudtrailLens:event';
    item.command = { command: 'cloudtrailLens.openRemoteEvent', title: 'Open Event', arguments: [this] };
    return item;
  }

  open(): void {
    this.services.openEvent(this.record, this);
  }
}
