// The one table of commands: id → factory. Registration wraps each handler so
// a failure becomes one error message and a log line, never an unhandled
// rejection in the extension host.

import * as vscode from 'vscode';
import { errorChain } from '../base/errorChain';
import type { CommandDeps, CommandFactory } from './deps';
import type { CommandId } from './ids';
import { containerVerb } from './containers/lifecycle';
import { removeContainers } from './containers/remove';
import { viewContainerLogs } from './containers/logs';
import { attachShell } from './containers/shell';
import { inspectContainer } from './containers/inspect';
import { openContainerPort } from './containers/openPort';
import { copyContainerId } from './containers/copyId';
import { runImage, runImageInteractive } from './images/run';
import { imageHistory, inspectImage, pruneImages, removeImages, tagImage, toggleDangling } from './images/manage';
import { createVolume, inspectVolume, pruneVolumes, removeVolumes } from './volumes/volumes';
import { createNetwork, inspectNetwork, pruneNetworks, removeNetworks } from './networks/networks';
import { chooseEngine, retryEngine } from './engine/engine';

/**
 * A command whose module loads on first use. The machine commands pull in
 * the machine layer (ssh2); activation must not pay for that.
 */
const lazy =
  (load: () => CommandFactory): CommandFactory =>
  (deps) =>
  (...args: unknown[]) =>
    load()(deps)(...args);

const features = () => require('./lazy') as typeof import('./lazy');

const refresh =
  (key: keyof CommandDeps['stores']): CommandFactory =>
  (deps) =>
  () =>
    deps.stores[key].refresh();

export const COMMANDS: Record<CommandId, CommandFactory> = {
  'slipway.engine.retry': retryEngine,
  'slipway.engine.choose': chooseEngine,
  'slipway.containers.refresh': refresh('containers'),
  'slipway.containers.start': containerVerb('start'),
  'slipway.containers.stop': containerVerb('stop'),
  'slipway.containers.restart': containerVerb('restart'),
  'slipway.containers.pause': containerVerb('pause'),
  'slipway.containers.unpause': containerVerb('unpause'),
  'slipway.containers.remove': removeContainers,
  'slipway.containers.logs': viewContainerLogs,
  'slipway.containers.shell': attachShell,
  'slipway.containers.inspect': inspectContainer,
  'slipway.containers.openPort': openContainerPort,
  'slipway.containers.copyId': copyContainerId,
  'slipway.images.refresh': refresh('images'),
  'slipway.images.run': runImage,
  'slipway.images.runInteractive': runImageInteractive,
  'slipway.images.tag': tagImage,
  'slipway.images.remove': removeImages,
  'slipway.images.inspect': inspectImage,
  'slipway.images.history': imageHistory,
  'slipway.images.prune': pruneImages,
  'slipway.images.toggleDangling': toggleDangling,
  'slipway.volumes.refresh': refresh('volumes'),
  'slipway.volumes.create': createVolume,
  'slipway.volumes.inspect': inspectVolume,
  'slipway.volumes.remove': removeVolumes,
  'slipway.volumes.prune': pruneVolumes,
  'slipway.networks.refresh': refresh('networks'),
  'slipway.networks.create': createNetwork,
  'slipway.networks.inspect': inspectNetwork,
  'slipway.networks.remove': removeNetworks,
  'slipway.networks.prune': pruneNetworks,
  'slipway.machines.refresh': lazy(() => features().machineCommands.refreshMachines),
  'slipway.machines.create': lazy(() => features().machineCommands.createMachine),
  'slipway.machines.start': lazy(() => features().machineCommands.startMachineCommand),
  'slipway.machines.stop': lazy(() => features().machineCommands.stopMachine),
  'slipway.machines.delete': lazy(() => features().machineCommands.deleteMachine),
  'slipway.machines.shell': lazy(() => features().machineCommands.machineShell),
  'slipway.machines.logs': lazy(() => features().machineCommands.machineLogs),
  'slipway.machines.useEngine': lazy(() => features().machineCommands.useMachineEngine),
  'slipway.machines.editConfig': lazy(() => features().machineCommands.editMachineConfig),
  'slipway.machines.revealShare': lazy(() => features().machineCommands.revealShare),
  'slipway.images.build': lazy(() => features().buildImageCommand),
  'slipway.images.runWith': lazy(() => features().runImageCommand),
  'slipway.compose.up': lazy(() => features().composeCommands.composeUp),
  'slipway.compose.upBuild': lazy(() => features().composeCommands.composeUpBuild),
  'slipway.compose.down': lazy(() => features().composeCommands.composeDown),
  'slipway.compose.restart': lazy(() => features().composeCommands.composeRestart),
  'slipway.compose.logs': lazy(() => features().composeCommands.composeLogs),
  'slipway.images.pull': lazy(() => features().pullImageCommand),
  'slipway.images.push': lazy(() => features().pushImageCommand),
};

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  return Object.entries(COMMANDS).map(([id, factory]) => {
    const handler = factory(deps);
    return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(...args);
      } catch (err) {
        // The notification says what happened in one sentence; the log keeps the cause chain and stacks.
        const msg = (err as Error)?.message ?? String(err);
        deps.log.error(`${id} failed:\n${errorChain(err)}`);
        void vscode.window.showErrorMessage(msg, 'Show Log').then((choice) => choice && deps.log.show(true));
      }
    });
  });
}
