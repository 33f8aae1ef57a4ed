// Machine lifecycle: create, start (stages image → disk → boot → ssh → engine),
// stop (ACPI power button via QMP, then kill after a grace period), kill,
// delete, list, status and inspect. Every operation that changes a machine
// holds its lock (lock.ts); stale runtime files from a crash are cleaned first.
// Booting and its retry policy are in boot.ts, the engine check in ping.ts.
//
// QEMU runs detached from the process that started it, so a machine outlives
// a CLI invocation or an editor window. The Docker socket and published ports
// need a process that holds the SSH connection: a MachineSession (session.ts)
// in an editor window, or the agent (agent.ts) that the CLI leaves running.

import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as nodeOs from 'node:os';
import { Emitter } from '../base/emitter';
import { TimeoutError, withTimeout } from '../base/timeout';
import type { SshTarget } from '../ssh/connect';
import { ensureKeyPair, ensurePrivateDir, writePrivateFile } from '../ssh/keys';
import { SshSession } from '../ssh/session';
import { bootQemu } from './boot';
import { probeHost, hostArch, type ProbedHost } from './host';
import { ensureImage, formatSeed, type ImageInfo } from './image';
import { hostOs, localMachinePaths, machinesDir, nameProblem, validateName, type MachinePaths } from './layout';
import { acquireLock, lockHolder } from './lock';
import { pingDocker } from './ping';
import { killAndReap, killPid, waitForExit } from './process';
import { withSftpSockets } from './qemuArgs';
import { QemuImg } from './qemuImg';
import { QmpClient } from './qmp';
import { cleanStale, readRunState, runningAgentPid, runningQemuPid, writeRunState, type RunState } from './runtime';
import { resolveShares, seedMountLines, type ResolvedShare } from './shares';
import { parseSpec, validateSpec, withDefaults, SpecError, type GuestArch, type HostFacts, type MachineSpec } from './spec';
import { MachineNotFoundError, NotRunningError, type MachineEvent, type MachineInspect, type MachineState, type MachineStatus } from './status';

export interface MachinesOptions {
  /** The Slipway root (layout.ts). */
  root: string;
  /** The Slipway root whose images/ holds the guest image; defaults to `root`. */
  imageHome?: string;
  env?: NodeJS.ProcessEnv;
  qemuImg?: QemuImg;
  host?: () => HostFacts;
  probe?: (arch: GuestArch) => Promise<ProbedHost>;
  /** Finds (or builds) the guest image; defaults to image.ts's ensureImage under `imageHome`. */
  resolveImage?: (onProgress: (message: string) => void, arch: GuestArch) => Promise<ImageInfo>;
  /** How long the guest may take from QEMU's start to "slipway: ready". */
  bootTimeoutMs?: number;
}

const GiB = 1024 ** 3;

export function defaultHostFacts(): HostFacts {
  const u = nodeOs.userInfo();
  return {
    arch: hostArch(),
    cpus: nodeOs.availableParallelism?.() ?? nodeOs.cpus().length,
    user: { name: u.username, uid: u.uid, gid: u.gid },
    os: hostOs(),
    home: nodeOs.homedir(),
  };
}

export class Machines {
  private readonly onEventEmitter = new Emitter<MachineEvent>();
  /** Every machine's events; `start`'s own `onEvent` gets the same for one call. */
  readonly onEvent = this.onEventEmitter.event;
  readonly root: string;
  private readonly qemuImg: QemuImg;

  constructor(private readonly opts: MachinesOptions) {
    this.root = opts.root;
    this.qemuImg = opts.qemuImg ?? new QemuImg();
  }

  paths(name: string): MachinePaths {
    return localMachinePaths(this.root, name);
  }

  private hostFacts(): HostFacts {
    return (this.opts.host ?? defaultHostFacts)();
  }

  loadSpec(name: string): MachineSpec {
    const paths = this.paths(name);
    let text: string;
    try {
      text = readFileSync(paths.config, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new MachineNotFoundError(name);
      throw new Error(`Cannot read "${paths.config}": ${(err as Error).message}`, { cause: err });
    }
    return parseSpec(text, name, this.hostFacts(), paths.config);
  }

  exists(name: string): boolean {
    return existsSync(this.paths(name).config);
  }

  // ---- create / delete --------------------------------------------------

  /** Writes the machine's config and keys. The data disk is made by the first start. */
  async create(name: string, partial: Partial<Omit<MachineSpec, 'name'>> = {}): Promise<MachineSpec> {
    validateName(name);
    const paths = this.paths(name);
    if (existsSync(paths.config)) throw new Error(`Machine "${name}" already exists. Start it with "slipway machine start ${name}", or remove it first with "slipway machine rm ${name}".`);
    const facts = this.hostFacts();
    const spec = withDefaults({ ...partial, name }, name, facts);
    const problems = validateSpec(spec, facts.os);
    if (problems.length) throw new SpecError(`The settings for machine "${name}"`, problems);
    mkdirSync(paths.dir, { recursive: true, mode: 0o755 });
    const lock = await acquireLock(paths.lock, `Machine "${name}"`, 'creating');
    try {
      ensureKeyPair(paths.clientKey, paths.clientPub, `slipway@${name}`);
      ensureKeyPair(paths.hostKey, paths.hostPub, `slipway-host@${name}`);
      writeFileSync(paths.config, JSON.stringify(spec, null, 2) + '\n', { mode: 0o644 });
    } finally {
      lock.release();
    }
    this.emit({ kind: 'state', machine: name, state: 'stopped' });
    return spec;
  }

  /** Deletes the machine and its data disk (images and volumes in it are gone). Refuses a running machine unless `force`. */
  async delete(name: string, opts: { force?: boolean } = {}): Promise<void> {
    const paths = this.paths(name);
    if (!existsSync(paths.dir)) throw new MachineNotFoundError(name);
    if (runningQemuPid(paths) && !opts.force) throw new Error(`Machine "${name}" is running. Stop it first, or force the removal (slipway machine rm -f ${name}).`);
    const lock = await acquireLock(paths.lock, `Machine "${name}"`, 'deleting');
    try {
      await this.killProcesses(paths);
      if (paths.runDirRelocated) rmSync(paths.runDir, { recursive: true, force: true });
    } finally {
      lock.release();
    }
    rmSync(paths.dir, { recursive: true, force: true });
  }

  // ---- status -----------------------------------------------------------

  status(name: string): MachineStatus {
    const paths = this.paths(name);
    if (!existsSync(paths.dir)) throw new MachineNotFoundError(name);
    const base = { name, dockerHost: paths.dockerHost, dockerSocketServed: !!runningAgentPid(paths) || existsSync(paths.dockerSocket) };
    let spec: MachineSpec;
    try {
      spec = this.loadSpec(name);
    } catch (err) {
      return { ...base, state: 'broken', error: (err as Error).message };
    }
    const holder = lockHolder(paths.lock);
    const pid = runningQemuPid(paths);
    const run = pid ? readRunState(paths) : undefined;
    let state: MachineState;
    if (holder?.purpose === 'stopping' && pid) state = 'stopping';
    else if (pid) state = run ? 'running' : 'starting';
    else state = holder?.purpose === 'starting' ? 'starting' : 'stopped';
    return { ...base, state, spec, pid, sshPort: run?.sshPort, accel: run?.accel, startedAt: run?.startedAt, shares: run?.shares, diskUsedBytes: diskUsed(paths.dataDisk) };
  }

  /** Every machine; a machine whose files are broken is listed with its error instead of failing the list. */
  list(): MachineStatus[] {
    let names: string[];
    try {
      names = readdirSync(machinesDir(this.root, hostOs()));
    } catch {
      return [];
    }
    const out: MachineStatus[] = [];
    for (const n of names.sort()) {
      if (nameProblem(n)) continue;
      try {
        out.push(this.status(n));
      } catch (err) {
        out.push({ name: n, state: 'broken', error: (err as Error).message, dockerHost: '', dockerSocketServed: false });
      }
    }
    return out;
  }

  async inspect(name: string): Promise<MachineInspect> {
    const st = this.status(name);
    const paths = this.paths(name);
    const run = st.pid ? readRunState(paths) : undefined;
    const out: MachineInspect = {
      ...st,
      dir: paths.dir,
      paths: { config: paths.config, dataDisk: paths.dataDisk, serialLog: paths.serialLog, qemuLog: paths.qemuLog, dockerSocket: paths.dockerSocket, qmpSocket: paths.qmpSocket, sshKey: paths.clientKey },
      imageVersion: run?.imageVersion,
      bootMs: run?.bootMs,
    };
    if (st.spec && run) out.ssh = { host: '127.0.0.1', port: run.sshPort, user: st.spec.user.name };
    if (existsSync(paths.dataDisk)) out.disk = await this.qemuImg.info(paths.dataDisk).catch(() => undefined);
    return out;
  }

  // ---- start --------------------------------------------------------------

  /**
   * Boots the machine and returns when its Docker engine answers over SSH.
   * Starting a running machine is not an error: it returns its status.
   */
  async start(name: string, opts: { onEvent?: (e: MachineEvent) => void } = {}): Promise<MachineStatus> {
    const paths = this.paths(name);
    const spec = this.loadSpec(name);
    const emit = (e: MachineEvent) => {
      opts.onEvent?.(e);
      this.emit(e);
    };
    const lock = await acquireLock(paths.lock, `Machine "${name}"`, 'starting');
    let child: ChildProcess | undefined;
    try {
      cleanStale(paths);
      if (runningQemuPid(paths) && readRunState(paths)) return this.status(name);
      if (runningQemuPid(paths)) throw new Error(`Machine "${name}" has a QEMU process without start state (pid ${runningQemuPid(paths)}); stop it with "slipway machine stop ${name}" and start again.`);
      emit({ kind: 'state', machine: name, state: 'starting' });
      const t0 = Date.now();

      emit({ kind: 'stage', machine: name, stage: 'image', message: 'Checking the guest image' });
      const onProgress = (message: string) => emit({ kind: 'progress', machine: name, message });
      const image = await (this.opts.resolveImage ?? ((p, arch) => ensureImage({ home: this.opts.imageHome ?? this.root, onProgress: p, arch })))(onProgress, spec.arch);

      emit({ kind: 'stage', machine: name, stage: 'disk', message: 'Preparing the data disk' });
      await this.prepareDisk(spec, paths);
      const probed = await (this.opts.probe ?? ((a: GuestArch) => probeHost(a, this.opts.env)))(spec.arch);
      const shares = withSftpSockets(resolveShares(spec.shares, { virtfs: probed.virtfs }), paths, probed.os);
      for (const s of shares) if (!existsSync(s.hostPath)) emit({ kind: 'warning', machine: name, message: `The shared folder "${s.hostPath}" does not exist; it will be empty in the machine until it is created and the machine restarted.` });
      const seedFile = this.writeSeed(spec, paths, shares);

      emit({ kind: 'stage', machine: name, stage: 'boot', message: `Booting (${probed.accel})` });
      ensurePrivateDir(paths.runDir);
      const booted = await bootQemu(spec, paths, image, probed, seedFile, shares, emit, this.opts.bootTimeoutMs ?? 180_000);
      child = booted.child;

      emit({ kind: 'stage', machine: name, stage: 'ssh', message: `Connecting over SSH (127.0.0.1:${booted.sshPort})` });
      const run: RunState = { pid: booted.pid, sshPort: booted.sshPort, accel: booted.accel, startedAt: new Date(t0).toISOString(), imageVersion: image.version, shares };
      const session = new SshSession(this.sshTargetFor(spec, paths, booted.sshPort), { minMs: 200, maxMs: 2000 }).start();
      try {
        await withTimeout(session.ready(), 60_000, () => new TimeoutError(`SSH to machine "${name}" (127.0.0.1:${booted.sshPort}) did not come up within 60 s; see "${paths.serialLog}".`));
        emit({ kind: 'stage', machine: name, stage: 'engine', message: 'Waiting for the Docker engine' });
        await pingDocker(session, `machine "${name}"`, 30_000);
      } finally {
        session.dispose();
      }
      run.bootMs = Date.now() - t0;
      writeRunState(paths, run);
      child.unref();
      emit({ kind: 'state', machine: name, state: 'running' });
      return this.status(name);
    } catch (err) {
      if (child) await killAndReap(child);
      cleanStale(paths);
      emit({ kind: 'state', machine: name, state: 'stopped' });
      throw err;
    } finally {
      lock.release();
    }
  }

  private async prepareDisk(spec: MachineSpec, paths: MachinePaths): Promise<void> {
    const size = spec.diskGiB * GiB;
    if (!existsSync(paths.dataDisk)) {
      await this.qemuImg.create(paths.dataDisk, size);
      return;
    }
    const info = await this.qemuImg.info(paths.dataDisk);
    if (info.virtualSize < size) await this.qemuImg.resize(paths.dataDisk, size);
  }

  /** The seed file for fw_cfg (vm-images/CONTRACT.md): 0600 in a 0700 directory, since it holds the host's private key. */
  private writeSeed(spec: MachineSpec, paths: MachinePaths, shares: readonly ResolvedShare[]): string {
    const client = ensureKeyPair(paths.clientKey, paths.clientPub, `slipway@${spec.name}`);
    const host = ensureKeyPair(paths.hostKey, paths.hostPub, `slipway-host@${spec.name}`);
    ensurePrivateDir(paths.seedDir);
    const file = `${paths.seedDir}/seed`;
    const text = formatSeed({
      hostname: spec.name,
      user: { ...spec.user, authorizedKeys: [client.publicKey] },
      hostKey: { ed25519Private: host.privateKey, ed25519Public: host.publicKey },
      mounts: seedMountLines(shares),
      time: Math.floor(Date.now() / 1000),
    });
    writePrivateFile(file, text);
    return file;
  }

  // ---- stop / kill ----------------------------------------------------------

  /**
   * Presses the ACPI power button and waits up to `graceMs` for the guest to
   * shut down (it stops dockerd and unmounts the data disk), then kills QEMU.
   * Returns how it ended.
   */
  async stop(name: string, opts: { graceMs?: number; onEvent?: (e: MachineEvent) => void } = {}): Promise<'already-stopped' | 'shutdown' | 'killed'> {
    const paths = this.paths(name);
    if (!existsSync(paths.dir)) throw new MachineNotFoundError(name);
    const emit = (e: MachineEvent) => {
      opts.onEvent?.(e);
      this.emit(e);
    };
    const lock = await acquireLock(paths.lock, `Machine "${name}"`, 'stopping');
    try {
      const pid = runningQemuPid(paths);
      if (!pid) {
        await this.stopAgent(paths);
        cleanStale(paths);
        return 'already-stopped';
      }
      emit({ kind: 'state', machine: name, state: 'stopping' });
      let how: 'shutdown' | 'killed' = 'killed';
      try {
        const qmp = await QmpClient.connect(paths.qmpSocket, { timeoutMs: 5000, machine: name });
        try {
          await qmp.powerdown();
          if (await waitForExit(pid, opts.graceMs ?? 30_000, qmp.closed())) how = 'shutdown';
        } finally {
          qmp.close();
        }
      } catch {
        // QMP unusable: fall through to kill.
      }
      if (how === 'killed') {
        emit({ kind: 'warning', machine: name, message: `Machine "${name}" did not shut down in time; killing QEMU.` });
        killPid(pid);
        await waitForExit(pid, 10_000);
      }
      await this.stopAgent(paths);
      cleanStale(paths);
      emit({ kind: 'state', machine: name, state: 'stopped' });
      return how;
    } finally {
      lock.release();
    }
  }

  /** Kills QEMU at once (no clean shutdown). */
  async kill(name: string): Promise<boolean> {
    const paths = this.paths(name);
    if (!existsSync(paths.dir)) throw new MachineNotFoundError(name);
    const lock = await acquireLock(paths.lock, `Machine "${name}"`, 'stopping');
    try {
      const killed = await this.killProcesses(paths);
      if (killed) await waitForExit(killed, 10_000);
      cleanStale(paths);
      this.emit({ kind: 'state', machine: name, state: 'stopped' });
      return !!killed;
    } finally {
      lock.release();
    }
  }

  private async killProcesses(paths: MachinePaths): Promise<number | undefined> {
    const pid = runningQemuPid(paths);
    if (pid) killPid(pid);
    await this.stopAgent(paths);
    return pid;
  }

  /** Asks the agent to end (it removes the Docker socket) and waits briefly for it. */
  private async stopAgent(paths: MachinePaths): Promise<void> {
    const agent = runningAgentPid(paths);
    if (!agent || agent === process.pid) return;
    try {
      process.kill(agent, 'SIGTERM');
    } catch {
      return;
    }
    if (!(await waitForExit(agent, 5000))) killPid(agent);
  }

  // ---- SSH ----------------------------------------------------------------

  private sshTargetFor(spec: MachineSpec, paths: MachinePaths, port: number): SshTarget {
    return {
      host: '127.0.0.1',
      port,
      username: spec.user.name,
      privateKey: readFileSync(paths.clientKey, 'utf8'),
      hostKey: readFileSync(paths.hostPub, 'utf8'),
      what: `machine "${spec.name}"`,
      // Under TCG the guest's sshd may take a while for the key exchange.
      readyTimeoutMs: 60_000,
    };
  }

  /** The shares of a running machine as its current boot mounted them (none when stopped). */
  runningShares(name: string): ResolvedShare[] {
    const paths = this.paths(name);
    return (runningQemuPid(paths) && readRunState(paths)?.shares) || [];
  }

  /** The SSH target of a running machine (its key, pinned host key and port). */
  sshTarget(name: string): SshTarget {
    const spec = this.loadSpec(name);
    const paths = this.paths(name);
    const run = runningQemuPid(paths) ? readRunState(paths) : undefined;
    if (!run) throw new NotRunningError(name);
    return this.sshTargetFor(spec, paths, run.sshPort);
  }

  private emit(e: MachineEvent): void {
    this.onEventEmitter.fire(e);
  }
}

/** Allocated size of a sparse file (what it costs on the host's disk), or undefined when absent. */
function diskUsed(file: string): number | undefined {
  try {
    const st = statSync(file);
    return st.blocks ? st.blocks * 512 : st.size;
  } catch {
    return undefined;
  }
}

