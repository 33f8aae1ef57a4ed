// Run an image: detached with its exposed ports published on 127.0.0.1, or
// interactive in a terminal (like `docker run -it --rm`).

import * as vscode from 'vscode';
import type { Duplex } from 'node:stream';
import { interactivePty } from '../../terminals/streamPty';
import type { CommandFactory } from '../deps';
import { imageTargets } from './pick';

export const runImage: CommandFactory = (deps) => async (clicked?: unknown) => {
  const [node] = await imageTargets(deps, clicked, undefined, 'Image to run');
  if (!node) return;
  const client = deps.conn.requireClient();
  const info = await client.inspectImage(node.ref, node.ref);
  const exposed = Object.keys(info.Config?.ExposedPorts ?? {});
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of exposed) bindings[p] = [{ HostIp: '127.0.0.1', HostPort: '' }];
  const c = await client.docker.createContainer({
    Image: node.ref,
    ExposedPorts: Object.fromEntries(exposed.map((p) => [p, {}])),
    HostConfig: { PortBindings: bindings },
  });
  await c.start();
  const name = (await c.inspect()).Name.replace(/^\//, '');
  void vscode.window.showInformationMessage(`Started container "${name}" from ${node.ref}.`);
};

export const runImageInteractive: CommandFactory = (deps) => async (clicked?: unknown) => {
  const [node] = await imageTargets(deps, clicked, undefined, 'Image to run interactively');
  if (!node) return;
  const client = deps.conn.requireClient();
  const pty = interactivePty(async () => {
    const c = await client.docker.createContainer({
      Image: node.ref,
      Tty: true,
      OpenStdin: true,
      StdinOnce: true,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Env: ['TERM=xterm-256color'],
      HostConfig: { AutoRemove: true },
    });
    const stream = (await c.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as unknown as Duplex;
    await c.start();
    return {
      stream,
      resize: (h, w) => c.resize({ h, w }).then(() => undefined),
      exitCode: async () => {
        try {
          return (await c.wait()).StatusCode as number;
        } catch {
          return undefined;
        }
      },
    };
  });
  vscode.window.createTerminal({ name: `Run: ${node.ref}`, pty, iconPath: new vscode.ThemeIcon('play') }).show();
};
