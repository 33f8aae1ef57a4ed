// Start, stop, restart, pause, unpause: one factory, one table entry each.

import * as vscode from 'vscode';
import type { ContainerVerb } from '../../engine/client';
import { isRunningState, type ContainerNode } from '../../models/containers';
import type { CommandFactory } from '../deps';
import { forEachTarget } from '../targets';
import { containerTargets } from './pick';

const PROGRESS: Record<ContainerVerb, string> = {
  start: 'Starting',
  stop: 'Stopping',
  restart: 'Restarting',
  pause: 'Pausing',
  unpause: 'Unpausing',
  kill: 'Killing',
};

const APPLIES: Record<ContainerVerb, (n: ContainerNode) => boolean> = {
  start: (n) => !isRunningState(n.state) && n.state !== 'paused',
  stop: (n) => isRunningState(n.state) || n.state === 'paused',
  restart: () => true,
  pause: (n) => isRunningState(n.state),
  unpause: (n) => n.state === 'paused',
  kill: (n) => isRunningState(n.state),
};

export function containerVerb(verb: ContainerVerb): CommandFactory {
  return (deps) => async (clicked?: unknown, selection?: unknown) => {
    const nodes = await containerTargets(deps, clicked, selection, {
      placeHolder: `Container to ${verb}`,
      many: true,
      filter: APPLIES[verb],
    });
    if (!nodes.length) return;
    const client = deps.conn.requireClient();
    const names = nodes.length === 1 ? `"${nodes[0].name}"` : `${nodes.length} containers`;
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `${PROGRESS[verb]} ${names}` },
      () => forEachTarget(nodes, (n) => client.containerAction(n.id, verb, n.name)),
    );
  };
}
