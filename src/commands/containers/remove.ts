// Remove containers, after one confirmation; running ones need force, which
// the confirmation says out loud.

import * as vscode from 'vscode';
import { isRunningState } from '../../models/containers';
import type { CommandFactory } from '../deps';
import { forEachTarget } from '../targets';
import { containerTargets } from './pick';

export const removeContainers: CommandFactory = (deps) => async (clicked?: unknown, selection?: unknown) => {
  const nodes = await containerTargets(deps, clicked, selection, { placeHolder: 'Containers to remove', many: true });
  if (!nodes.length) return;
  const running = nodes.filter((n) => isRunningState(n.state) || n.state === 'paused');
  const what = nodes.length === 1 ? `container "${nodes[0].name}"` : `${nodes.length} containers`;
  const detail = running.length
    ? `${running.length === nodes.length && nodes.length === 1 ? 'It is' : `${running.length} of them ${running.length === 1 ? 'is' : 'are'}`} running and will be stopped first (force). Anonymous volumes are kept.`
    : 'Anonymous volumes are kept.';
  const action = running.length ? 'Force Remove' : 'Remove';
  const answer = await vscode.window.showWarningMessage(`Remove ${what}?`, { modal: true, detail }, action);
  if (answer !== action) return;
  const client = deps.conn.requireClient();
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Removing ${what}` }, () =>
    forEachTarget(nodes, (n) => client.removeContainer(n.id, { force: running.includes(n) }, n.name)),
  );
};
