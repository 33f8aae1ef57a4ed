// Booting QEMU until the guest says it is ready: spawn detached with the
// command line from qemuArgs.ts, follow the serial console for the guest's
// stage and ready lines (runtime.ts parses them), and the retry policy: another
// port when one was taken between our check and QEMU's bind, and one more
// boot after a guest kernel crash while booting.

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, rmSync } from 'node:fs';
import { SEED_FW_CFG_NAME, type ImageInfo } from './image';
import type { ProbedHost } from './host';
import type { MachinePaths } from './layout';
import { killAndReap, readTail } from './process';
import { qemuArgs, type Accel } from './qemuArgs';
import { freeLoopbackPort, guestKernelPanic, LogFollower, parseGuestLine } from './runtime';
import type { ResolvedShare } from './shares';
import type { MachineSpec } from './spec';
import type { MachineEvent } from './status';

export interface BootedQemu {
  child: ChildProcess;
  pid: number;
  sshPort: number;
  accel: Accel;
}

/** Boots `spec` and resolves once the guest reports ready; the child is still referenced (the caller unrefs it). */
export async function bootQemu(
  spec: MachineSpec,
  paths: MachinePaths,
  image: ImageInfo,
  probed: ProbedHost,
  seedFile: string,
  shares: readonly ResolvedShare[],
  emit: (e: MachineEvent) => void,
  timeoutMs: number,
): Promise<BootedQemu> {
  let panics = 0;
  for (let attempt = 0; ; attempt++) {
    const sshPort = await freeLoopbackPort();
    const cmd = qemuArgs(spec, probed, paths, image, { sshPort, seed: [{ name: SEED_FW_CFG_NAME, file: seedFile }], shares });
    if (attempt === 0) for (const message of cmd.warnings) emit({ kind: 'warning', machine: spec.name, message });
    rmSync(paths.serialLog, { force: true });
    const log = openSync(paths.qemuLog, 'w', 0o600);
    let child: ChildProcess;
    try {
      child = spawn(probed.qemu, cmd.args, { detached: true, stdio: ['ignore', log, log], windowsHide: true });
    } finally {
      closeSync(log);
    }
    try {
      await waitReady(spec.name, child, paths, emit, timeoutMs);
      return { child, pid: child.pid!, sshPort, accel: cmd.accel };
    } catch (err) {
      await killAndReap(child);
      const qemuLog = readTail(paths.qemuLog);
      // Another program took the port between our check and QEMU's bind: try another.
      if (attempt < 2 && /host forwarding rule|hostfwd/i.test(qemuLog)) continue;
      // A guest kernel that crashed while booting gets one more try: under emulation
      // (TCG) the kernel's boot-time code patching now and then trips over a stale
      // breakpoint ("Oops: int3" in an idle CPU), and the next boot gets through. The
      // data disk is safe: its journal is replayed, as after a killed machine.
      const panic = guestKernelPanic(readTail(paths.serialLog, 16_000));
      if (panic !== undefined && panics++ < 1) {
        emit({ kind: 'warning', machine: spec.name, message: `The machine's kernel crashed while booting (${panic}); starting it once more.` });
        continue;
      }
      throw err;
    }
  }
}

function waitReady(name: string, child: ChildProcess, paths: MachinePaths, emit: (e: MachineEvent) => void, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      follower.stop();
      clearTimeout(timer);
      child.removeListener('exit', onExit);
      child.removeListener('error', onSpawnError);
      if (err) reject(err);
      else resolve();
    };
    const follower = new LogFollower(paths.serialLog, (line) => {
      const g = parseGuestLine(line);
      if (!g) return;
      if (g.kind === 'stage') emit({ kind: 'guest-stage', machine: name, name: g.name, ms: g.ms });
      else if (g.kind === 'ready') finish();
      else finish(new Error(`Machine "${name}" failed to boot: ${g.message} (see "${paths.serialLog}").`));
    }).start();
    const onExit = (code: number | null, signal: string | null) => {
      follower.poll();
      const panic = guestKernelPanic(readTail(paths.serialLog, 16_000));
      const why = panic !== undefined ? `its kernel crashed (kernel panic: ${panic})` : readTail(paths.qemuLog).trim() || `exit ${code ?? signal}`;
      finish(new Error(`QEMU exited before machine "${name}" was ready: ${why} (logs: "${paths.qemuLog}", "${paths.serialLog}").`));
    };
    const onSpawnError = (err: Error) => finish(new Error(`Cannot run QEMU: ${err.message}`, { cause: err }));
    child.once('exit', onExit);
    child.once('error', onSpawnError);
    const timer = setTimeout(
      () => finish(new Error(`Machine "${name}" did not become ready within ${Math.round(timeoutMs / 1000)} s; see "${paths.serialLog}".`)),
      timeoutMs,
    );
  });
}
