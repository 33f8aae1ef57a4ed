// "Build Image…": builds a Dockerfile as a slipway-build task, so the output
// streams into a terminal and a failing step lands in the Problems panel.

import * as vscode from 'vscode';
import { tagProblem } from '../../build/tag';
import { defaultTag, isDockerfileName } from '../../tasks/definitions';
import type { TaskCommandFactory } from './deps';
import { fileTarget } from './pickFile';

export const buildImageCommand: TaskCommandFactory = (deps) => async (clicked?: unknown) => {
  const file = await fileTarget(clicked, isDockerfileName, '**/{Dockerfile,Dockerfile.*,*.Dockerfile,*.dockerfile,Containerfile}', 'Dockerfile to build');
  if (!file) return;
  const tag = await vscode.window.showInputBox({
    title: `Build ${vscode.workspace.asRelativePath(file)}`,
    prompt: 'Tag for the image',
    value: defaultTag(file.fsPath),
    validateInput: tagProblem,
  });
  if (tag === undefined) return;
  const folder = vscode.workspace.getWorkspaceFolder(file);
  await deps.tasks.execute(deps.tasks.dockerfileTask(file, folder, tag.trim()));
};
