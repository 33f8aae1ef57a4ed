// View a container's log in a terminal, following it. History is bounded by
// `slipway.logs.tail` so a 50 MB log does not flood the editor.

import * as vscode from 'vscode';
import { logPty } from '../../terminals/streamPty';
import type { CommandFactory } from '../deps';
import { containerTargets } from './pick';

export const viewContainerLogs: CommandFactory = (deps) => async (clicked?: unknown) => {
  const [node] = await containerTargets(deps, clicked, undefined, { placeHolder: 'Container whose logs to view' });
  if (!node) return;
  const client = deps.conn.requireClient();
  const tail = deps.settings.logsTail();
  const inspect = await client.inspectContainer(node.id, node.name);
  const tty = !!inspect.Config?.Tty;
  const title = `Logs of ${node.name}${tail >= 0 ? ` (last ${tail} lines, then following)` : ' (following)'}`;
  const pty = logPty(title, () =>
    client.containerLogs(node.id, { follow: true, tail, timestamps: deps.settings.logsTimestamps(), tty }, node.name),
  );
  const term = vscode.window.createTerminal({ name: `Logs: ${node.name}`, pty, iconPath: new vscode.ThemeIcon('output') });
  term.show();
};
