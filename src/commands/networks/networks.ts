// Create, inspect, remove and prune networks. Built-in networks cannot be
// removed; their items carry `builtin` in the context value so the menu hides it.

import * as vscode from 'vscode';
import { buildNetworkList, type LeafNode } from '../../models/volumesNetworks';
import { type NetworkSummary } from '../../engine/resources';
import type { ViewNode } from '../../models/nodes';
import type { CommandDeps, CommandFactory } from '../deps';
import { forEachTarget, resolveTargets } from '../targets';

const isNetwork = (n: ViewNode): n is LeafNode & ViewNode => (n as { kind?: string }).kind === 'network';

function networkTargets(deps: CommandDeps, clicked: unknown, selection: unknown, placeHolder: string, many = false, removable = false) {
  return resolveTargets(clicked, selection, isNetwork, {
    store: deps.stores.networks,
    viewSelection: () => deps.selection.networks(),
    build: (items: NetworkSummary[]) => buildNetworkList(items) as (LeafNode & ViewNode)[],
    placeHolder,
    canPickMany: many,
    filter: removable ? (n) => !n.contextValue.includes('builtin') : undefined,
  });
}

export function validateNetworkName(v: string): string | undefined {
  if (!v) return 'Enter a name.';
  return /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(v) ? undefined : 'Use letters, digits, _ . or -, starting with a letter or digit.';
}

export const createNetwork: CommandFactory = (deps) => async () => {
  const name = await vscode.window.showInputBox({ title: 'Create network', prompt: 'Network name', validateInput: validateNetworkName });
  if (!name) return;
  const driver = await vscode.window.showQuickPick(['bridge', 'macvlan', 'ipvlan', 'overlay'], { placeHolder: 'Driver (bridge for a single engine)' });
  if (!driver) return;
  await deps.conn.requireClient().createNetwork(name, driver);
};

export const inspectNetwork: CommandFactory = (deps) => async (clicked?: unknown) => {
  const [node] = await networkTargets(deps, clicked, undefined, 'Network to inspect');
  if (node) await deps.inspect.open('network', node.id, node.name);
};

export const removeNetworks: CommandFactory = (deps) => async (clicked?: unknown, selection?: unknown) => {
  const nodes = (await networkTargets(deps, clicked, selection, 'Networks to remove', true, true)).filter((n) => !n.contextValue.includes('builtin'));
  if (!nodes.length) return;
  const what = nodes.length === 1 ? `network "${nodes[0].name}"` : `${nodes.length} networks`;
  const answer = await vscode.window.showWarningMessage(`Remove ${what}?`, { modal: true }, 'Remove');
  if (answer !== 'Remove') return;
  const client = deps.conn.requireClient();
  await forEachTarget(nodes, (n) => client.removeNetwork(n.id, n.name));
};

export const pruneNetworks: CommandFactory = (deps) => async () => {
  const answer = await vscode.window.showWarningMessage('Remove all networks no container uses?', { modal: true }, 'Prune');
  if (answer !== 'Prune') return;
  const r = await deps.conn.requireClient().pruneNetworks();
  void vscode.window.showInformationMessage(r.deleted.length ? `Removed networks: ${r.deleted.join(', ')}.` : 'No unused networks.');
};
