// Compose Up / Down / Restart / Logs on a compose file or a Containers view
// project group, each run as a slipway-compose task in a terminal.

import * as vscode from 'vscode';
import type { ComposeTaskDefinition } from '../../tasks/definitions';
import type { TaskCommandDeps, TaskCommandFactory } from '../build/deps';
import { composeTarget } from './target';

async function runAction(deps: TaskCommandDeps, clicked: unknown, action: ComposeTaskDefinition['action'], extra: Partial<ComposeTaskDefinition> = {}): Promise<void> {
  const target = await composeTarget(deps, clicked);
  if (!target) return;
  if (action === 'down' && extra.volumes === undefined) {
    const name = target.kind === 'project' ? `"${target.project}"` : vscode.workspace.asRelativePath(target.files[0]);
    const keep = 'Down';
    const drop = 'Down and Remove Volumes';
    const choice = await vscode.window.showWarningMessage(`Stop and remove the containers and networks of compose project ${name}?`, { modal: true }, keep, drop);
    if (!choice) return;
    extra = { ...extra, volumes: choice === drop };
  }
  const task =
    target.kind === 'project'
      ? deps.tasks.composeProjectTask(target.project, action, target.files, target.workingDir, extra)
      : deps.tasks.composeFileTask(target.files, action, target.folder, extra);
  await deps.tasks.execute(task);
}

export const composeUp: TaskCommandFactory = (deps) => (clicked?: unknown) => runAction(deps, clicked, 'up', { detached: true });
export const composeUpBuild: TaskCommandFactory = (deps) => (clicked?: unknown) => runAction(deps, clicked, 'up', { detached: true, build: true });
export const composeDown: TaskCommandFactory = (deps) => (clicked?: unknown) => runAction(deps, clicked, 'down');
export const composeRestart: TaskCommandFactory = (deps) => (clicked?: unknown) => runAction(deps, clicked, 'restart');
export const composeLogs: TaskCommandFactory = (deps) => (clicked?: unknown) => runAction(deps, clicked, 'logs', { follow: true });
