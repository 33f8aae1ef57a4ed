// Everything the extension loads only after activation or on first use, in
// one module that the build bundles apart (dist/features.js): the machine
// layer (ssh2, QEMU helpers), build/run/compose tasks (tar packing, the
// Dockerfile parser) and the commands built on them. extension.ts and the
// command table reach these only through require() (the table through
// src/commands/lazy.ts, which the build maps to the same bundle).

export { createMachineDeps } from './machineDeps';
export { registerTasks } from '../tasks/tasks';
export * from '../commands/lazy';
export { registerDockerfileFeatures } from './dockerfile/register';
export { checkConfig } from '../dockerfile/config';
export { registerDevcontainerMountWarnings } from './devcontainer';
