// The commands whose modules load on first use: they bring the machine layer
// (ssh2), tar packing or the Dockerfile parser, which activation must not pay
// for. The build bundles this module into dist/features.js (with
// src/features/lazy.ts, which re-exports it), so table.ts reaches it only
// through require().

export * as machineCommands from './machines/machines';
export { buildImageCommand } from './build/buildImage';
export { runImageCommand } from './build/runImage';
export * as composeCommands from './compose/actions';
export { pullImageCommand, pushImageCommand } from './pull/transfer';
