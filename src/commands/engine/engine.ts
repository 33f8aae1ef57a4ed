// Retry the connection, and choose which engine to use.

import * as os from 'node:os';
import * as vscode from 'vscode';
import { listContexts, nodeContextFiles } from '../../engine/dockerContext';
import { parseHost, resolveEndpoints } from '../../engine/endpoint';
import type { CommandFactory } from '../deps';

export const retryEngine: CommandFactory = (deps) => async () => {
  await deps.conn.restart();
};

export const chooseEngine: CommandFactory = (deps) => async () => {
  const auto = resolveEndpoints({ env: process.env, platform: process.platform, homeDir: os.homedir(), files: nodeContextFiles });
  const current = deps.settings.engineHost();
  type Item = vscode.QuickPickItem & { host?: string; custom?: boolean };
  const items: Item[] = [
    { label: 'Automatic', description: auto.map((e) => e.name).join(' → '), detail: 'Use DOCKER_HOST, the current docker context or the default socket, whichever answers first.', host: '' },
    ...auto.map((e) => ({ label: e.name, description: e.host, host: e.host })),
    ...listContexts(nodeContextFiles, process.env, os.homedir())
      .filter((c) => !auto.some((e) => e.host === c.host))
      .map((c) => ({ label: `context '${c.name}'`, description: c.host ?? c.problem, host: c.host })),
    { label: 'Enter an address…', description: 'unix://, npipe://, tcp://, ssh://', custom: true },
  ];
  for (const i of items) if (i.host !== undefined && i.host === current) i.label = `$(check) ${i.label}`;
  const chosen = await vscode.window.showQuickPick(items, { placeHolder: 'Which Docker engine should Slipway use?' });
  if (!chosen) return;
  let host = chosen.host ?? '';
  if (chosen.custom) {
    const typed = await vscode.window.showInputBox({
      prompt: 'Engine address',
      value: current,
      placeHolder: 'unix:///var/run/docker.sock',
      validateInput: (v) => {
        try {
          parseHost(v.trim());
          return undefined;
        } catch (e) {
          return (e as Error).message;
        }
      },
    });
    if (typed === undefined) return;
    host = typed.trim();
  }
  await deps.settings.setEngineHost(host);
  // The configuration listener reconnects.
};
