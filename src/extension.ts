// activate(): builds the services and registers the features. Nothing else.
// No engine call happens here: the connection starts after activation returns.

import * as os from 'node:os';
import * as vscode from 'vscode';
import { registerCommands } from './commands/table';
import { InspectDocuments } from './documents/inspect';
import { EngineConnection } from './engine/connection';
import { nodeContextFiles } from './engine/dockerContext';
import { resolveEndpoints } from './engine/endpoint';
import { createStores } from './engine/stores';
import { buildContainerTree } from './models/containers';
import { type ContainerSummary } from './engine/resources';
import { buildImageTree } from './models/images';
import { type ImageSummary } from './engine/resources';
import { buildNetworkList, buildVolumeList } from './models/volumesNetworks';
import { type NetworkSummary, type VolumeSummary } from './engine/resources';
import { settings } from './settings';
import { offlineActions, registerEngineStatus } from './views/engineStatus';
import { ModelTreeProvider } from './views/modelTree';
import { type ViewNode } from './models/nodes';
import { DeferredList } from './views/deferredList';
import { buildMachineList } from './models/machines';
import type { MachineStatus } from './machine/status';
import type { CommandDeps, MachineDeps } from './commands/deps';
import type { SlipwayTasks } from './tasks/tasks';
import type { ExtensionMachineDeps } from './features/machineDeps';
import type { RunInMachine } from './machine/exec';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Slipway', { log: true });
  // The machine layer loads after activation (see machine()).
  let machineDeps: ExtensionMachineDeps | undefined;
  const machine = (): MachineDeps => {
    if (!machineDeps) {
      const { createMachineDeps } = require('./features/lazy') as typeof import('./features/lazy');
      machineDeps = createMachineDeps(context.extensionPath);
    }
    return machineDeps;
  };
  // Build/run/compose tasks (tar packing, the Dockerfile parser) load after activation too.
  let slipwayTasks: SlipwayTasks | undefined;
  const tasks = (): SlipwayTasks => {
    if (!slipwayTasks) {
      const { registerTasks } = require('./features/lazy') as typeof import('./features/lazy');
      const runInMachine: RunInMachine = (name, argv, opts) => (machine(), machineDeps!).runInMachine(name, argv, opts);
      slipwayTasks = registerTasks(context, { conn, machineShares, runInMachine });
    }
    return slipwayTasks;
  };
  // The machine (if any) whose Docker socket an engine address is: its shared folders decide bind-mount warnings.
  const machineShares = (engineHost: string) => {
    const snap = machineList.snapshot;
    const m = snap.kind === 'ok' ? snap.items.find((s) => s.dockerHost === engineHost) : undefined;
    if (!m) return undefined;
    return { machine: m.name, shares: m.shares ?? m.spec?.shares ?? [], os: process.platform as 'linux' | 'darwin' | 'win32' };
  };
  const conn = new EngineConnection(() =>
    resolveEndpoints({
      setting: settings.engineHost(),
      env: process.env,
      platform: process.platform,
      homeDir: os.homedir(),
      files: nodeContextFiles,
      machines: machineDeps?.list.runningEngines(),
    }),
  );
  conn.onState((s) => {
    if (s.kind === 'connected') log.info(`connected to ${s.identity.endpoint.name} (${s.identity.endpoint.host}): Docker ${s.identity.version}`);
    else if (s.kind === 'unreachable') for (const a of s.attempts) log.warn(`${a.endpoint.name}: ${a.problem.reason}`);
  });

  const stores = createStores(conn);

  const containers = new ModelTreeProvider<ContainerSummary, ViewNode>(
    stores.containers,
    (items) => buildContainerTree(items, { groupBy: settings.containersGroupBy(), sortBy: settings.containersSortBy() }),
    { expandGroups: true, offline: offlineActions(conn) },
  );
  const offline = { offline: offlineActions(conn) };
  const images = new ModelTreeProvider<ImageSummary, ViewNode>(
    stores.images,
    (items) => buildImageTree(items, { showDangling: settings.imagesShowDangling(), now: Date.now() }),
    offline,
  );
  const volumes = new ModelTreeProvider<VolumeSummary, ViewNode>(stores.volumes, buildVolumeList, offline);
  const networks = new ModelTreeProvider<NetworkSummary, ViewNode>(stores.networks, buildNetworkList, offline);
  const machineList = new DeferredList<MachineStatus>();
  const machinesProvider = new ModelTreeProvider<MachineStatus, ViewNode>(machineList, buildMachineList);

  const views = [
    vscode.window.createTreeView('slipway.containers', { treeDataProvider: containers, canSelectMany: true, showCollapseAll: true }),
    vscode.window.createTreeView('slipway.images', { treeDataProvider: images, canSelectMany: true, showCollapseAll: true }),
    vscode.window.createTreeView('slipway.volumes', { treeDataProvider: volumes, canSelectMany: true }),
    vscode.window.createTreeView('slipway.networks', { treeDataProvider: networks, canSelectMany: true }),
  ];
  const machinesView = vscode.window.createTreeView('slipway.machines', { treeDataProvider: machinesProvider });

  const inspect = new InspectDocuments(conn);
  const rerender = () => [containers, images, volumes, networks].forEach((p) => p.refresh());
  void vscode.commands.executeCommand('setContext', 'slipway.images.showDangling', settings.imagesShowDangling());

  const commandDeps: CommandDeps = {
    conn,
    stores,
    settings,
    log,
    inspect,
    rerender,
    selection: {
      containers: () => views[0].selection,
      images: () => views[1].selection,
      volumes: () => views[2].selection,
      networks: () => views[3].selection,
      machines: () => machinesView.selection,
    },
    machine,
    get tasks() {
      return tasks();
    },
  };

  context.subscriptions.push(
    log,
    conn,
    ...Object.values(stores),
    containers,
    images,
    volumes,
    networks,
    machineList,
    machinesProvider,
    ...views,
    machinesView,
    { dispose: () => machineDeps?.dispose() },
    inspect,
    registerEngineStatus(conn, views, rerender),
    ...registerCommands(commandDeps),
    settings.onDidChange(['engine.host'], () => void conn.restart()),
    settings.onDidChange(['containers.groupBy', 'containers.sortBy'], () => containers.refresh()),
    settings.onDidChange(['images.showDangling'], () => {
      void vscode.commands.executeCommand('setContext', 'slipway.images.showDangling', settings.imagesShowDangling());
      images.refresh();
    }),
  );

  // Dockerfile diagnostics, quick fixes and language features (our rules and rcjsuen's service).
  const dockerfileChanged = new vscode.EventEmitter<void>();
  context.subscriptions.push(dockerfileChanged, settings.onDidChange(['dockerfile'], () => dockerfileChanged.fire()));
  const registerDockerfile = () => {
    const { registerDockerfileFeatures, checkConfig } = require('./features/lazy') as typeof import('./features/lazy');
    let reported = '';
    registerDockerfileFeatures(
      context,
      {
        get: () => {
          const checked = checkConfig({ rules: settings.dockerfileRules() });
          const problems = checked.problems.join(' ');
          if (problems && problems !== reported) log.warn(`slipway.dockerfile.rules: ${problems}`);
          reported = problems;
          return { ...checked.config, imageTagCompletion: settings.dockerfileImageTagCompletion() };
        },
        onDidChange: dockerfileChanged.event,
      },
      (m) => log.warn(m),
    );
  };

  // devcontainer.json bind mounts that the machine serving the engine does not share.
  const devcontainerContext = new vscode.EventEmitter<void>();
  context.subscriptions.push(
    devcontainerContext,
    { dispose: conn.onState(() => devcontainerContext.fire()).dispose },
    { dispose: machineList.onDidChange(() => devcontainerContext.fire()).dispose },
  );
  const registerDevcontainer = () => {
    const { registerDevcontainerMountWarnings } = require('./features/lazy') as typeof import('./features/lazy');
    context.subscriptions.push(
      registerDevcontainerMountWarnings({
        engineHost: () => (conn.state.kind === 'connected' ? conn.state.identity.endpoint.host : undefined),
        machineShares,
        onDidChange: devcontainerContext.event,
      }),
    );
  };

  // After activation has returned: load the machine layer (so running
  // machines are among the engines to try), then connect. Activation itself
  // never waits on the engine or the disk.
  setTimeout(() => {
    try {
      const m = machine();
      machineList.attach(m.list);
      m.list.start();
    } catch (err) {
      log.error(`machines: ${(err as Error).message}`);
    }
    void conn.start();
    try {
      tasks();
    } catch (err) {
      log.error(`tasks: ${(err as Error).message}`);
    }
    try {
      registerDockerfile();
    } catch (err) {
      log.error(`dockerfile: ${(err as Error).message}`);
    }
    try {
      registerDevcontainer();
    } catch (err) {
      log.error(`devcontainer: ${(err as Error).message}`);
    }
  }, 0);
}

export function deactivate(): void {}
