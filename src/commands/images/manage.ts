// Tag, remove, inspect, history and prune images.

import * as vscode from 'vscode';
import { formatBytes } from '../../models/format';
import { splitRef } from '../../models/images';
import type { CommandFactory } from '../deps';
import { forEachTarget } from '../targets';
import { imageTargets } from './pick';

/** Docker's reference grammar, simplified: lowercase path components, optional registry port, optional tag. */
export function validateImageRef(v: string): string | undefined {
  if (!v.trim()) return 'Enter a name like my-app:1.0 or registry.local:5000/team/app:dev.';
  if (/\s/.test(v)) return 'An image name cannot contain spaces.';
  const { repository, tag } = splitRef(v.trim());
  if (!/^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-]|__|[-]*[a-z0-9]+)*)*$/.test(repository)) {
    return 'Use lowercase letters, digits and . _ - in the repository, separated by /.';
  }
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) return 'A tag has up to 128 letters, digits, _ . and -, not starting with . or -.';
  return undefined;
}

export const tagImage: CommandFactory = (deps) => async (clicked?: unknown) => {
  const [node] = await imageTargets(deps, clicked, undefined, 'Image to tag');
  if (!node) return;
  const value = await vscode.window.showInputBox({
    title: `Tag ${node.ref}`,
    prompt: 'New name, as repository:tag',
    value: node.repository ? `${node.repository}:${node.tag}` : '',
    validateInput: validateImageRef,
  });
  if (!value) return;
  const { repository, tag } = splitRef(value.trim());
  await deps.conn.requireClient().tagImage(node.id, repository, tag, node.ref);
};

export const removeImages: CommandFactory = (deps) => async (clicked?: unknown, selection?: unknown) => {
  const nodes = await imageTargets(deps, clicked, selection, 'Images to remove', true);
  if (!nodes.length) return;
  const what = nodes.length === 1 ? `image "${nodes[0].ref}"` : `${nodes.length} images`;
  const answer = await vscode.window.showWarningMessage(
    `Remove ${what}?`,
    { modal: true, detail: 'A tag is removed; the image itself goes when no other tag refers to it. Images used by containers are not removed.' },
    'Remove',
  );
  if (answer !== 'Remove') return;
  const client = deps.conn.requireClient();
  await forEachTarget(nodes, (n) => client.removeImage(n.ref, { force: false }, n.ref));
};

export const inspectImage: CommandFactory = (deps) => async (clicked?: unknown) => {
  const [node] = await imageTargets(deps, clicked, undefined, 'Image to inspect');
  if (node) await deps.inspect.open('image', node.id, node.ref);
};

export const imageHistory: CommandFactory = (deps) => async (clicked?: unknown) => {
  const [node] = await imageTargets(deps, clicked, undefined, 'Image whose history to show');
  if (node) await deps.inspect.open('history', node.id, `${node.ref} history`);
};

export const pruneImages: CommandFactory = (deps) => async () => {
  const choice = await vscode.window.showWarningMessage(
    'Prune images?',
    { modal: true, detail: 'Dangling removes untagged images only. All unused also removes tagged images no container uses.' },
    'Dangling',
    'All Unused',
  );
  if (!choice) return;
  const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Pruning images…' }, () =>
    deps.conn.requireClient().pruneImages(choice === 'All Unused'),
  );
  void vscode.window.showInformationMessage(`Pruned ${r.deleted.length} image layers and tags; reclaimed ${formatBytes(r.spaceReclaimed)}.`);
};

export const toggleDangling: CommandFactory = (deps) => async () => {
  await deps.settings.setImagesShowDangling(!deps.settings.imagesShowDangling());
};
