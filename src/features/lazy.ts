// Everything the extension loads only after activation or on first use, in
// one module that the build bundles apart (dist/features.js): the machine
// layer (ssh2, QEMU helpers), build/run/compose tasks (tar packing, the
// Dockerfile parser) and the commands built on them. extension.ts and the
// command table reach these only through `require('./features/lazy')`.

export { createMachineDeps } from './machineDeps';
export { registerTasks } from '../tasks/tasks';
export * as machineCommands from '../commands/machines/machines';
export { buildImageCommand } from '../commands/build/buildImage';
export { runImageCommand } from '../commands/build/runImage';
export * as composeCommands from '../commands/compose/actions';
export { pullImageCommand, pushImageCommand } from '../commands/pull/transfer';
export { registerDockerfileFeatures } from './dockerfile/register';
export { checkConfig } from '../dockerfile/config';
export { registerDevcontainerMountWarnings } from './devcontainer';
