// What the machine layer reports: states, start stages, events (for the CLI, a
// progress notification, the tree and the status bar alike), a machine's
// status and inspect data, and the two errors callers tell apart.

import type { Accel } from './qemuArgs';
import type { ImageInfo as DiskInfo } from './qemuImg';
import type { ResolvedShare } from './shares';
import type { MachineSpec } from './spec';

export type MachineState = 'stopped' | 'starting' | 'running' | 'stopping' | 'broken';
export type StartStage = 'image' | 'disk' | 'boot' | 'ssh' | 'engine';
export const START_STAGES: readonly StartStage[] = ['image', 'disk', 'boot', 'ssh', 'engine'];

/** Everything a machine operation reports, for the CLI, a progress notification, the tree and the status bar alike. */
export type MachineEvent =
  | { kind: 'stage'; machine: string; stage: StartStage; message: string }
  | { kind: 'guest-stage'; machine: string; name: string; ms: number }
  | { kind: 'progress'; machine: string; message: string }
  | { kind: 'warning'; machine: string; message: string }
  | { kind: 'state'; machine: string; state: MachineState };

export interface MachineStatus {
  name: string;
  state: MachineState;
  /** Why the machine is broken (state "broken"), e.g. an invalid config.json. */
  error?: string;
  spec?: MachineSpec;
  pid?: number;
  sshPort?: number;
  accel?: Accel;
  startedAt?: string;
  /** Host bytes the data disk takes now (it grows with use and shrinks after fstrim); undefined before the first start. */
  diskUsedBytes?: number;
  /** Shared folders as the running machine mounted them (mechanism decided); undefined when not running. */
  shares?: ResolvedShare[];
  dockerHost: string;
  /** True when a process (the agent or an editor window) serves the Docker socket. */
  dockerSocketServed: boolean;
}

export interface MachineInspect extends MachineStatus {
  dir: string;
  paths: { config: string; dataDisk: string; serialLog: string; qemuLog: string; dockerSocket: string; qmpSocket: string; sshKey: string };
  ssh?: { host: string; port: number; user: string };
  disk?: DiskInfo;
  imageVersion?: string;
  bootMs?: number;
}

export class MachineNotFoundError extends Error {
  constructor(name: string) {
    super(`Machine "${name}" does not exist. Create it with "slipway machine create ${name}".`);
    this.name = 'MachineNotFoundError';
  }
}

export class NotRunningError extends Error {
  constructor(name: string) {
    super(`Machine "${name}" is not running. Start it with "slipway machine start ${name}".`);
    this.name = 'NotRunningError';
  }
}
