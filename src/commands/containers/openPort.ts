// Open a published TCP port in the browser; asks which when there are several.

import * as vscode from 'vscode';
import { formatPort, portUrl } from '../../models/containers';
import type { CommandFactory } from '../deps';
import { containerTargets } from './pick';

export const openContainerPort: CommandFactory = (deps) => async (clicked?: unknown) => {
  const [node] = await containerTargets(deps, clicked, undefined, {
    placeHolder: 'Container to open in the browser',
    filter: (n) => n.ports.some((p) => p.protocol === 'tcp'),
  });
  if (!node) return;
  const ports = node.ports.filter((p) => p.protocol === 'tcp');
  if (!ports.length) {
    void vscode.window.showInformationMessage(`Container "${node.name}" publishes no TCP port.`);
    return;
  }
  let port = ports[0];
  if (ports.length > 1) {
    const chosen = await vscode.window.showQuickPick(
      ports.map((p) => ({ label: formatPort(p), description: portUrl(p), port: p })),
      { placeHolder: `Which port of "${node.name}"?` },
    );
    if (!chosen) return;
    port = chosen.port;
  }
  await vscode.env.openExternal(vscode.Uri.parse(portUrl(port)));
};
