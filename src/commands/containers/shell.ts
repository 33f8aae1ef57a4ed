// Attach a shell: an exec session with a real pty through the Engine API,
// shown in an integrated terminal, resized with it.

import * as vscode from 'vscode';
import { interactivePty } from '../../terminals/streamPty';
import type { CommandFactory } from '../deps';
import { containerTargets } from './pick';
import { isRunningState } from '../../models/containers';

/** Prefer bash when the image has it. A fixed script, not built from input. */
export const AUTO_SHELL = ['/bin/sh', '-c', 'if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi'];

export function shellCommand(setting: string): string[] {
  return setting ? [setting] : AUTO_SHELL;
}

export const attachShell: CommandFactory = (deps) => async (clicked?: unknown) => {
  const [node] = await containerTargets(deps, clicked, undefined, {
    placeHolder: 'Container to open a shell in',
    filter: (n) => isRunningState(n.state),
  });
  if (!node) return;
  const client = deps.conn.requireClient();
  const cmd = shellCommand(deps.settings.containersShell());
  const pty = interactivePty((rows, cols) => client.execInteractive(node.id, cmd, { rows, cols }, node.name));
  const term = vscode.window.createTerminal({ name: `Shell: ${node.name}`, pty, iconPath: new vscode.ThemeIcon('terminal') });
  term.show();
};
