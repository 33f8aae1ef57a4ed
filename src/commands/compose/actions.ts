// Compose Up / Down / Restart / Logs on a compose file or a Containers view
// project group, each run as a slipway-compose task in a terminal.

import { existsSync } from 'node:fs';
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
  let task: vscode.Task;
  if (target.kind === 'project') {
    // Compose finds a running project by its labels; the files are only needed
    // (and only passed) when they still exist, and `up` cannot do without them.
    const files = target.files.length && target.files.every((f) => existsSync(f)) ? target.files : [];
    if (action === 'up' && !files.length) {
      throw new Error(
        `Compose project "${target.project}" was started from files that are not available here${target.files.length ? ` (${target.files.join(', ')})` : ''}. Open its compose file and run Compose Up from there.`,
      );
    }
    task = deps.tasks.composeProjectTask(target.project, action, files, target.workingDir, extra);
  } else {
    task = deps.tasks.composeFileTask(target.files, action, target.folder, extra);
  }
  await deps.tasks.execute(task);
}

export const composeUp: TaskCommandFactory = (deps) => (clicked?: unknown) => runAction(deps, clicked, 'up', { detached: true });
export const composeUpBuild: TaskCommandFactory = (deps) => (clicked?: unknown) => runAction(deps, clicked, 'up', { detached: true, build: true });
export const composeDown: TaskCommandFactory = (deps) => (clicked?: unknown) => runAction(deps, clicked, 'down');
export const composeRestart: TaskCommandFactory = (deps) => (clicked?: unknown) => runAction(deps, clicked, 'restart');
export const composeLogs: TaskCommandFactory = (deps) => (clicked?: unknown) => runAction(deps, clicked, 'logs', { follow: true });
