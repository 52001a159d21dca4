/** The explorer's node contract: each kind of node lives in its own file and stays thin. */
import type * as vscode from 'vscode';

export abstract class ExplorerNode {
  constructor(readonly parent: ExplorerNode | undefined) {}

  abstract treeItem(): vscode.TreeItem;

  /** Children; failures become error nodes inside, never rejections or toasts. */
  children(): Promise<ExplorerNode[]> | ExplorerNode[] {
    return [];
  }

  /** Drops cached data so the next expansion fetches again. */
  reset(): void {
    // Nodes without cached data have nothing to drop.
  }
}
