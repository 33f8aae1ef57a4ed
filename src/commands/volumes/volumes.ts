// Create, inspect, remove and prune volumes.

import * as vscode from 'vscode';
import { formatBytes } from '../../models/format';
import { buildVolumeList, type LeafNode } from '../../models/volumesNetworks';
import { type VolumeSummary } from '../../engine/resources';
import type { ViewNode } from '../../models/nodes';
import type { CommandDeps, CommandFactory } from '../deps';
import { forEachTarget, resolveTargets } from '../targets';

const isVolume = (n: ViewNode): n is LeafNode & ViewNode => (n as { kind?: string }).kind === 'volume';

function volumeTargets(deps: CommandDeps, clicked: unknown, selection: unknown, placeHolder: string, many = false) {
  return resolveTargets(clicked, selection, isVolume, {
    store: deps.stores.volumes,
    viewSelection: () => deps.selection.volumes(),
    build: (items: VolumeSummary[]) => buildVolumeList(items) as (LeafNode & ViewNode)[],
    placeHolder,
    canPickMany: many,
  });
}

/** Volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]+ (the engine's rule). */
export function validateVolumeName(v: string): string | undefined {
  if (!v) return 'Enter a name.';
  return /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(v) ? undefined : 'Use at least two letters, digits, _ . or -, starting with a letter or digit.';
}

export const createVolume: CommandFactory = (deps) => async () => {
  const name = await vscode.window.showInputBox({ title: 'Create volume', prompt: 'Volume name', validateInput: validateVolumeName });
  if (!name) return;
  await deps.conn.requireClient().createVolume(name);
};

export const inspectVolume: CommandFactory = (deps) => async (clicked?: unknown) => {
  const [node] = await volumeTargets(deps, clicked, undefined, 'Volume to inspect');
  if (node) await deps.inspect.open('volume', node.id, node.name);
};

export const removeVolumes: CommandFactory = (deps) => async (clicked?: unknown, selection?: unknown) => {
  const nodes = await volumeTargets(deps, clicked, selection, 'Volumes to remove', true);
  if (!nodes.length) return;
  const what = nodes.length === 1 ? `volume "${nodes[0].name}"` : `${nodes.length} volumes`;
  const answer = await vscode.window.showWarningMessage(`Remove ${what}?`, { modal: true, detail: 'Its data is deleted. Volumes used by a container are not removed.' }, 'Remove');
  if (answer !== 'Remove') return;
  const client = deps.conn.requireClient();
  await forEachTarget(nodes, (n) => client.removeVolume(n.id));
};

export const pruneVolumes: CommandFactory = (deps) => async () => {
  const choice = await vscode.window.showWarningMessage(
    'Prune unused volumes?',
    { modal: true, detail: 'Anonymous removes unused anonymous volumes. All Unused also removes unused named volumes and their data.' },
    'Anonymous',
    'All Unused',
  );
  if (!choice) return;
  const r = await deps.conn.requireClient().pruneVolumes(choice === 'All Unused');
  void vscode.window.showInformationMessage(`Removed ${r.deleted.length} volumes; reclaimed ${formatBytes(r.spaceReclaimed)}.`);
};
