import * as vscode from 'vscode';
import type { CommandFactory } from '../deps';
import { containerTargets } from './pick';

export const copyContainerId: CommandFactory = (deps) => async (clicked?: unknown, selection?: unknown) => {
  const nodes = await containerTargets(deps, clicked, selection, { placeHolder: 'Container whose id to copy', many: true });
  if (!nodes.length) return;
  await vscode.env.clipboard.writeText(nodes.map((n) => n.id).join('\n'));
  vscode.window.setStatusBarMessage(`Copied ${nodes.length === 1 ? `the id of "${nodes[0].name}"` : `${nodes.length} ids`}`, 3000);
};
