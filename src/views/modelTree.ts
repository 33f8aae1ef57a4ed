// One TreeDataProvider for every resource view: it renders nodes built by a
// pure model function (src/models/) from a ResourceStore's snapshot. Tree
// items are thin: every visible property comes from the node.

import * as vscode from 'vscode';
import type { TreeNode, ViewNode } from '../models/nodes';
import type { ListSource, Snapshot } from '../base/listStore';


export function toTreeItem(t: TreeNode, expanded: boolean): vscode.TreeItem {
  const n = t.node;
  const item = new vscode.TreeItem(
    n.label,
    n.children ? (expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed) : vscode.TreeItemCollapsibleState.None,
  );
  item.id = t.key;
  item.description = n.description;
  item.tooltip = n.tooltip;
  item.contextValue = n.contextValue;
  item.iconPath = new vscode.ThemeIcon(n.icon.id, n.icon.color ? new vscode.ThemeColor(n.icon.color) : undefined);
  if (n.command) item.command = n.command;
  return item;
}

const ERROR_NODE_ID = '__error__';

export class ModelTreeProvider<T, N extends ViewNode> implements vscode.TreeDataProvider<TreeNode<N>>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode<N> | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subs: vscode.Disposable[] = [];
  private roots: TreeNode<N>[] | undefined;

  constructor(
    private readonly store: ListSource<T>,
    private readonly build: (items: T[]) => N[],
    private readonly opts: {
      expandGroups?: boolean;
      /**
       * Items to show while there is no list (the engine is unreachable): a
       * welcome view cannot show the reason, which the view's message does,
       * and VS Code hides the welcome content while a message is set.
       */
      offline?: () => ViewNode[];
    } = {},
  ) {
    this.subs.push(store.onDidChange(() => this.refresh()));
  }

  /** Rebuild from the current snapshot (a setting that changes the model changed). */
  refresh(): void {
    this.roots = undefined;
    this.changed.fire(undefined);
  }

  getTreeItem(t: TreeNode<N>): vscode.TreeItem {
    return toTreeItem(t, !!this.opts.expandGroups);
  }

  getParent(t: TreeNode<N>): TreeNode<N> | undefined {
    return t.parent;
  }

  async getChildren(t?: TreeNode<N>): Promise<TreeNode<N>[]> {
    if (t) return (t.node.children ?? []).map((c) => ({ key: `${t.key}/${c.id}`, node: c as N, parent: t }));
    if (this.roots) return this.roots;
    let snap: Snapshot<T> = this.store.snapshot;
    if (snap.kind === 'loading') snap = await this.store.settled();
    if (snap.kind === 'error') {
      const errorNode = {
        id: ERROR_NODE_ID,
        label: 'Could not load this list',
        description: snap.message,
        tooltip: snap.message,
        icon: { id: 'error', color: 'errorForeground' },
        contextValue: 'error',
      } as unknown as N;
      return [{ key: ERROR_NODE_ID, node: errorNode }];
    }
    if (snap.kind === 'offline' && this.opts.offline) return this.opts.offline().map((n) => ({ key: `offline/${n.id}`, node: n as N }));
    if (snap.kind !== 'ok') return [];
    this.roots = this.build(snap.items).map((n) => ({ key: n.id, node: n }));
    return this.roots;
  }

  dispose(): void {
    this.subs.forEach((d) => d.dispose());
    this.changed.dispose();
  }
}
