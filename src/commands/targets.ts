// Which resources a command acts on: the multi-selection from a view, the
// clicked item, or — from the command palette — a quick pick over the store.

import * as vscode from 'vscode';
import type { ListSource } from '../base/listStore';
import type { TreeNode, ViewNode } from '../models/nodes';

/** VS Code passes (clicked, selection) to view commands; either may be missing. */
export function selected<N extends ViewNode>(clicked: unknown, selection: unknown, accept: (n: ViewNode) => n is N): N[] {
  const list = Array.isArray(selection) && selection.length ? selection : clicked ? [clicked] : [];
  return (list as TreeNode[])
    .map((t) => (t && typeof t === 'object' && 'node' in t ? t.node : undefined))
    .filter((n): n is N => !!n && accept(n));
}

/**
 * The nodes to act on. With nothing selected, asks with a quick pick built
 * from the store's current items (keyboard access from the palette).
 */
export async function resolveTargets<T, N extends ViewNode>(
  clicked: unknown,
  selection: unknown,
  accept: (n: ViewNode) => n is N,
  pick: {
    store: ListSource<T>;
    build: (items: T[]) => N[];
    placeHolder: string;
    canPickMany?: boolean;
    filter?: (n: N) => boolean;
    /** The view's current selection: what a keybinding (which passes no arguments) acts on. */
    viewSelection?: () => readonly unknown[];
  },
): Promise<N[]> {
  const fromView = selected(clicked, selection, accept);
  if (fromView.length) return fromView;
  if (clicked === undefined && pick.viewSelection) {
    const focused = selected(undefined, [...pick.viewSelection()], accept).filter((n) => !pick.filter || pick.filter(n));
    if (focused.length) return pick.canPickMany ? focused : focused.slice(0, 1);
  }
  const snap = await pick.store.settled();
  if (snap.kind !== 'ok') {
    void vscode.window.showWarningMessage('Slipway: the engine is not connected, so there is nothing to pick from.');
    return [];
  }
  const nodes = pick.build(snap.items).filter((n) => !pick.filter || pick.filter(n));
  if (!nodes.length) {
    void vscode.window.showInformationMessage('Slipway: nothing to act on.');
    return [];
  }
  const items = nodes.map((n) => ({ label: n.label, description: n.description, node: n }));
  if (pick.canPickMany) {
    const chosen = await vscode.window.showQuickPick(items, { placeHolder: pick.placeHolder, canPickMany: true });
    return (chosen ?? []).map((c) => c.node);
  }
  const chosen = await vscode.window.showQuickPick(items, { placeHolder: pick.placeHolder });
  return chosen ? [chosen.node] : [];
}

/** Runs `fn` for each target; reports every failure (not just the first) in one message. */
export async function forEachTarget<N>(nodes: N[], fn: (n: N) => Promise<void>): Promise<void> {
  const results = await Promise.allSettled(nodes.map(fn));
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [`${(r.reason as Error)?.message ?? r.reason}`] : []));
  if (errors.length === 1) throw new Error(errors[0]);
  if (errors.length > 1) throw new Error(`${errors.length} of ${nodes.length} failed: ${errors.join(' ')}`);
}
