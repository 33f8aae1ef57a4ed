// Machines: create, start (with a progress notification of the boot stages),
// stop, delete, open a shell, show the console log, use as the engine.

import * as vscode from 'vscode';
import { spawnAgent } from '../../machine/agent';
import { DEFAULT_MACHINE, nameProblem } from '../../machine/layout';
import { START_STAGES, type MachineEvent } from '../../machine/status';
import { buildMachineList, type MachineNode } from '../../models/machines';
import type { MachineStatus } from '../../machine/status';
import type { ViewNode } from '../../models/nodes';
import type { CommandDeps, CommandFactory } from '../deps';
import { resolveTargets } from '../targets';

const isMachine = (n: ViewNode): n is MachineNode & ViewNode => (n as { kind?: string }).kind === 'machine';

async function machineTarget(deps: CommandDeps, clicked: unknown, placeHolder: string, filter?: (n: MachineNode) => boolean): Promise<MachineNode | undefined> {
  const [node] = await resolveTargets(clicked, undefined, isMachine, {
    store: deps.machine().list,
    build: (items: MachineStatus[]) => buildMachineList(items) as (MachineNode & ViewNode)[],
    placeHolder,
    filter,
    viewSelection: () => deps.selection.machines(),
  });
  return node;
}

const STAGE_TITLES: Record<string, string> = {
  image: 'Preparing the machine image',
  disk: 'Preparing the data disk',
  boot: 'Booting',
  ssh: 'Connecting over SSH',
  engine: 'Waiting for the Docker engine',
};

/** Starts `name` with a cancellable-looking (but honest: not cancellable) progress notification of its stages. */
export async function startMachine(deps: CommandDeps, name: string): Promise<void> {
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Starting machine "${name}"`, cancellable: false },
    async (progress) => {
      const step = 100 / (START_STAGES.length + 1);
      const onEvent = (e: MachineEvent) => {
        if (e.kind === 'stage') progress.report({ message: `${STAGE_TITLES[e.stage] ?? e.stage}…`, increment: step });
        else if (e.kind === 'progress' || e.kind === 'guest-stage') progress.report({ message: e.kind === 'progress' ? e.message : `guest: ${e.name}` });
        else if (e.kind === 'warning') deps.log.warn(`machine ${name}: ${e.message}`);
      };
      await deps.machine().machines.start(name, { onEvent });
      progress.report({ message: 'Serving the Docker socket…', increment: step });
      await spawnAgent(deps.machine().machines, name, deps.machine().agentCommand(name));
    },
  );
  deps.machine().list.refresh();
  // The engine list now includes this machine: connect to it.
  await deps.conn.restart();
}

export const createMachine: CommandFactory = (deps) => async () => {
  const name = await vscode.window.showInputBox({
    title: 'Create machine',
    prompt: 'Machine name',
    value: deps.machine().machines.exists(DEFAULT_MACHINE) ? '' : DEFAULT_MACHINE,
    validateInput: (v) => nameProblem(v) ?? (deps.machine().machines.exists(v) ? `Machine "${v}" already exists.` : undefined),
  });
  if (!name) return;
  const spec = await deps.machine().machines.create(name);
  deps.machine().list.refresh();
  const shared = spec.shares.length ? `sharing ${spec.shares.map((s) => s.hostPath).join(', ')} at the same path` : 'no shared folders';
  const start = await vscode.window.showInformationMessage(
    `Created machine "${name}" (${spec.cpus} CPUs, ${spec.memoryMiB} MiB, ${spec.diskGiB} GiB disk, ${shared}).`,
    'Start',
    'Edit Configuration',
  );
  if (start === 'Start') await startMachine(deps, name);
  else if (start === 'Edit Configuration') await openMachineConfig(deps, name, false);
};

/** From the welcome view: start the default machine, creating it first when there is none. */
export const startMachineCommand: CommandFactory = (deps) => async (clicked?: unknown) => {
  let name: string | undefined;
  const snap = await deps.machine().list.settled();
  const machines = snap.kind === 'ok' ? snap.items : [];
  if (clicked !== undefined || machines.length > 1) {
    name = (await machineTarget(deps, clicked, 'Machine to start', (n) => n.state === 'stopped'))?.name;
    if (!name) return;
  } else if (machines.length === 1) {
    name = machines[0].name;
  } else {
    name = DEFAULT_MACHINE;
    await deps.machine().machines.create(name);
    deps.machine().list.refresh();
  }
  await startMachine(deps, name);
};

export const stopMachine: CommandFactory = (deps) => async (clicked?: unknown) => {
  const node = await machineTarget(deps, clicked, 'Machine to stop', (n) => n.state === 'running' || n.state === 'starting');
  if (!node) return;
  const how = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Stopping machine "${node.name}"…` }, () =>
    deps.machine().machines.stop(node.name),
  );
  deps.machine().list.refresh();
  if (how === 'killed') void vscode.window.showWarningMessage(`Machine "${node.name}" did not shut down in time and was stopped forcibly.`);
  await deps.conn.restart();
};

export const deleteMachine: CommandFactory = (deps) => async (clicked?: unknown) => {
  const node = await machineTarget(deps, clicked, 'Machine to delete');
  if (!node) return;
  const running = node.state === 'running' || node.state === 'starting';
  const answer = await vscode.window.showWarningMessage(
    `Delete machine "${node.name}"?`,
    { modal: true, detail: `Its data disk — every image, container and volume in it — is deleted.${running ? ' It is running and will be stopped first.' : ''}` },
    'Delete',
  );
  if (answer !== 'Delete') return;
  await deps.machine().machines.delete(node.name, { force: running });
  deps.machine().list.refresh();
  await deps.conn.restart();
};

export const machineShell: CommandFactory = (deps) => async (clicked?: unknown) => {
  const node = await machineTarget(deps, clicked, 'Machine to open a shell in', (n) => n.state === 'running');
  if (!node) return;
  const cmd = deps.machine().cliCommand(['machine', 'ssh', node.name]);
  vscode.window
    .createTerminal({ name: `Machine: ${node.name}`, shellPath: cmd.exe, shellArgs: cmd.args, env: cmd.env, iconPath: new vscode.ThemeIcon('vm') })
    .show();
};

export const machineLogs: CommandFactory = (deps) => async (clicked?: unknown) => {
  const node = await machineTarget(deps, clicked, 'Machine whose console log to show');
  if (!node) return;
  const file = deps.machine().machines.paths(node.name).serialLog;
  try {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.window.showTextDocument(doc, { preview: true });
  } catch (err) {
    throw new Error(`Machine "${node.name}" has no console log yet (${file}); start it first.`, { cause: err });
  }
};

export const useMachineEngine: CommandFactory = (deps) => async (clicked?: unknown) => {
  const node = await machineTarget(deps, clicked, 'Machine whose engine to use', (n) => n.state === 'running');
  if (!node) return;
  await deps.settings.setEngineHost(node.dockerHost);
};

/** Opens config.json (cpus, memory, disk, shared folders); changes apply at the next start. */
export const editMachineConfig: CommandFactory = (deps) => async (clicked?: unknown) => {
  const node = await machineTarget(deps, clicked, 'Machine to configure');
  if (node) await openMachineConfig(deps, node.name, node.state === 'running' || node.state === 'starting');
};

async function openMachineConfig(deps: CommandDeps, name: string, running: boolean): Promise<void> {
  const file = deps.machine().machines.paths(name).config;
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(file)));
  if (running) void vscode.window.showInformationMessage(`Changes to machine "${name}" (CPUs, memory, shared folders) apply when it is next started.`);
}

/** A shared folder's host side, shown in the OS file manager. */
export const revealShare: CommandFactory = () => async (clicked?: unknown) => {
  const hostPath = (clicked as { node?: { hostPath?: unknown } } | undefined)?.node?.hostPath;
  if (typeof hostPath !== 'string') throw new Error('Choose a shared folder in the Machines view.');
  await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(hostPath));
};

export const refreshMachines: CommandFactory = (deps) => () => deps.machine().list.refresh();
