// What the views show, as plain data so the models stay free of `vscode`: an icon
// (a codicon id and an optional theme color id, which the views turn into a
// ThemeIcon) and the nodes of a tree.

export interface IconSpec {
  id: string;
  color?: string;
}

/** What every item of a resource view shows; each model adds its own fields. */
export interface ResourceNode {
  /** Stable id: what the engine API (or the machine layer) takes. */
  id: string;
  /** The resource's own name, for messages. */
  name: string;
  label: string;
  description: string;
  tooltip: string;
  icon: IconSpec;
  contextValue: string;
}

export interface ViewNode {
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  icon: IconSpec;
  contextValue: string;
  children?: ViewNode[];
  /** Run when the item is clicked (action items such as Retry). */
  command?: { command: string; title: string; arguments?: unknown[] };
}

/** A node as the tree holds it: the model node plus a path-unique id. */
export interface TreeNode<N extends ViewNode = ViewNode> {
  key: string;
  node: N;
  parent?: TreeNode<N>;
}
