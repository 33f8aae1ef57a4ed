// Which compose project a compose command acts on: a compose file (explorer,
// editor title, active editor, or picked), or a project group of the
// Containers view, whose files and folder come from the containers' labels.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { isComposeFileName } from '../../compose/discover';
import { projectFromLabels } from '../../compose/labels';
import { composeFilesFor } from '../../tasks/tasks';
import { fileTarget } from '../build/pickFile';
import type { TaskCommandDeps } from '../build/deps';

export type ComposeTarget =
  | { kind: 'files'; files: string[]; folder?: vscode.WorkspaceFolder }
  | { kind: 'project'; project: string; files: string[]; workingDir?: string };

function groupProject(clicked: unknown): string | undefined {
  const node = clicked && typeof clicked === 'object' && 'node' in clicked ? (clicked as { node: unknown }).node : clicked;
  const n = node as { kind?: string; project?: string } | undefined;
  return n?.kind === 'group' && typeof n.project === 'string' ? n.project : undefined;
}

export async function composeTarget(deps: TaskCommandDeps, clicked: unknown): Promise<ComposeTarget | undefined> {
  const project = groupProject(clicked);
  if (project) {
    const snap = deps.stores.containers.snapshot;
    const { files, workingDir } = projectFromLabels(project, snap.kind === 'ok' ? snap.items : []);
    return { kind: 'project', project, files, workingDir };
  }
  const file = await fileTarget(clicked, isComposeFileName, '**/{compose,docker-compose}*.{yaml,yml}', 'Compose file');
  if (!file) return undefined;
  const name = path.basename(file.fsPath);
  const files = /\.override\./.test(name) ? [file.fsPath] : composeFilesFor(file.fsPath);
  return { kind: 'files', files, folder: vscode.workspace.getWorkspaceFolder(file) };
}
