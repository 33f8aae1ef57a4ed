// Builds what the machine commands and the Machines view need. Loaded lazily
// (after activation) because the machine layer brings ssh2 with it.

import * as path from 'node:path';
import { runInMachine, type RunInMachine } from '../machine/exec';
import { currentRoot } from '../machine/layout';
import { Machines } from '../machine/machine';
import { MachineList } from '../machine/watch';
import type { MachineDeps } from '../commands/deps';

export type ExtensionMachineDeps = MachineDeps & { dispose(): void; runInMachine: RunInMachine };

export function createMachineDeps(extensionPath: string): ExtensionMachineDeps {
  const machines = new Machines({ root: currentRoot(process.env) });
  const list = new MachineList(machines);
  const cli = path.join(extensionPath, 'dist', 'cli.js');
  // The extension host's own Node runs the CLI (in desktop VS Code it is
  // Electron, which behaves as Node with ELECTRON_RUN_AS_NODE).
  const cliCommand = (args: string[]) => ({ exe: process.execPath, args: [cli, ...args], env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
  return {
    machines,
    list,
    cliCommand,
    agentCommand: (name: string) => cliCommand(['machine', '__agent', name]),
    runInMachine: (name, argv, opts) => runInMachine(machines, name, argv, opts),
    dispose: () => list.dispose(),
  };
}
