/** The status bar item: the profile and region of the explorer's current selection. */
import * as vscode from 'vscode';
import type { ExplorerNode } from './explorerNode';
import { RegionNode } from './regionNode';

export function explorerStatusBar(view: vscode.TreeView<ExplorerNode>): vscode.Disposable[] {
  const item = vscode.window.createStatusBarItem('cloudtrailLens.activeRegion', vscode.StatusBarAlignment.Left, 10);
  item.name = 'CloudTrail Lens: profile and region';
  item.command = 'cloudtrailLens.explorer.focus';
  const update = (): void => {
    let node: ExplorerNode | undefined = view.selection[0];
    while (node && !(node instanceof RegionNode)) node = node.parent;
    if (!node) return;
    item.text = `$(cloud) ${node.profile} · ${node.region}`;
    item.tooltip = `CloudTrail Lens: profile "${node.profile}", region ${node.region}. The lookup commands use these.`;
    item.show();
  };
  return [item, view.onDidChangeSelection(update)];
}
