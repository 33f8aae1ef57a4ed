// "Run Image…": runs an image as a slipway-run task, asking which ports to
// publish (default: the image's exposed ports on 127.0.0.1, random host ports).

import * as vscode from 'vscode';
import { parsePort } from '../../build/run';
import { RUN_TASK } from '../../tasks/definitions';
import { imageTargets } from '../images/pick';
import type { TaskCommandFactory } from './deps';

export const runImageCommand: TaskCommandFactory = (deps) => async (clicked?: unknown) => {
  const ref = typeof clicked === 'string' ? clicked : (await imageTargets(deps, clicked, undefined, 'Image to run'))[0]?.ref;
  if (!ref) return;
  const client = deps.conn.requireClient();
  const info = await client.inspectImage(ref, ref);
  const exposed = Object.keys(info.Config?.ExposedPorts ?? {});
  const ports = await vscode.window.showInputBox({
    title: `Run ${ref}`,
    prompt: 'Ports to publish, separated by spaces (hostPort:containerPort, or ip:hostPort:containerPort). Empty: none.',
    value: exposed.map((p) => `127.0.0.1::${p.replace(/\/tcp$/, '')}`).join(' '),
    validateInput: (v) => {
      for (const p of v.split(/\s+/).filter(Boolean)) {
        try {
          parsePort(p);
        } catch (err) {
          return (err as Error).message;
        }
      }
      return undefined;
    },
  });
  if (ports === undefined) return;
  const folder = vscode.workspace.workspaceFolders?.[0];
  await deps.tasks.execute(deps.tasks.runTask({ type: RUN_TASK, image: ref, ports: ports.split(/\s+/).filter(Boolean) }, folder));
};
