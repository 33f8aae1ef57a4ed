// The runtime files of a machine (run/ in layout.ts): QEMU's pid, the state
// written by start, liveness checks that survive pid reuse, cleanup of what a
// crash (kill -9) leaves behind, and reading the guest's serial log.

import type { ResolvedShare } from './shares';
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readdirSync, readSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as net from 'node:net';
import { isSftpSocketName, type MachinePaths } from './layout';
import { pidAlive } from './lock';
import type { Accel } from './qemuArgs';

export interface RunState {
  pid: number;
  sshPort: number;
  accel: Accel;
  startedAt: string;
  imageVersion: string;
  /** Milliseconds from spawning QEMU to the engine answering, when known. */
  bootMs?: number;
  /** The shares as this boot mounts them (mechanism decided at start); sessions serve the sshfs ones. */
  shares?: ResolvedShare[];
}

export function readPid(file: string): number | undefined {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The pid of this machine's QEMU when it is running. A recycled pid belonging
 * to another program is not mistaken for it: on Linux the process's command
 * line must name this machine's pid file.
 */
export function runningQemuPid(paths: MachinePaths): number | undefined {
  const pid = readPid(paths.pidFile);
  if (!pid || !pidAlive(pid)) return undefined;
  if (process.platform === 'linux') {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (!argv.includes(paths.pidFile)) return undefined;
    } catch {
      return undefined;
    }
  }
  return pid;
}

export function readRunState(paths: MachinePaths): RunState | undefined {
  try {
    return JSON.parse(readFileSync(paths.stateFile, 'utf8')) as RunState;
  } catch {
    return undefined;
  }
}

export function writeRunState(paths: MachinePaths, s: RunState): void {
  writeFileSync(paths.stateFile, JSON.stringify(s, null, 2) + '\n', { mode: 0o600 });
}

/** The agent's pid when it is alive. */
export function runningAgentPid(paths: MachinePaths): number | undefined {
  const pid = readPid(paths.agentPidFile);
  return pid && pidAlive(pid) ? pid : undefined;
}

/**
 * Removes runtime files that no live process owns: after a crash QEMU's pid
 * file, QMP socket and our state remain; a dead agent leaves the Docker socket.
 * Returns the files removed (for logs and tests).
 */
export function cleanStale(paths: MachinePaths): string[] {
  const removed: string[] = [];
  const rm = (f: string) => {
    if (existsSync(f)) {
      rmSync(f, { force: true });
      removed.push(f);
    }
  };
  if (!runningQemuPid(paths)) {
    [paths.pidFile, paths.qmpSocket, paths.stateFile].forEach(rm);
    // The sshfs shares' virtio-serial sockets (QEMU leaves them behind when killed).
    let names: string[] = [];
    try {
      names = readdirSync(paths.runDir);
    } catch {
      // no run/ yet
    }
    names.filter(isSftpSocketName).forEach((n) => rm(path.join(paths.runDir, n)));
  }
  if (!runningAgentPid(paths)) {
    rm(paths.agentPidFile);
    if (!paths.dockerSocket.startsWith('\\\\')) rm(paths.dockerSocket);
  }
  return removed;
}

/** A TCP port on 127.0.0.1 that was free a moment ago (QEMU binds it next; start retries on a clash). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** What the guest reports on its serial console (vm-images/CONTRACT.md). */
export type GuestLine = { kind: 'stage'; name: string; ms: number } | { kind: 'ready' } | { kind: 'error'; message: string };

export function parseGuestLine(line: string): GuestLine | undefined {
  const m = /slipway: (stage (\S+) (\d+)|ready|error (.*))\s*$/.exec(line);
  if (!m) return undefined;
  if (m[2]) return { kind: 'stage', name: m[2], ms: Number(m[3]) };
  if (m[1] === 'ready') return { kind: 'ready' };
  return { kind: 'error', message: (m[4] ?? '').trim() };
}

/**
 * The reason of a guest kernel panic in serial console text ("Kernel panic -
 * not syncing: <reason>"), or undefined. The image boots with panic=-1 and
 * QEMU runs with -no-reboot, so a panic ends QEMU with exit code 0 and nothing
 * in its own log: the serial log is the only place that says why.
 */
export function guestKernelPanic(serial: string): string | undefined {
  const all = [...serial.matchAll(/Kernel panic - not syncing: ?([^\r\n]*)/g)];
  const last = all[all.length - 1];
  return last ? last[1].trim() || 'no reason given' : undefined;
}

/**
 * Follows a growing log file from `offset`, line by line. QEMU writes the
 * serial log itself, so there is no stream to subscribe to; the file is read
 * every `intervalMs` (file watching is unreliable across platforms).
 */
export class LogFollower {
  private timer: NodeJS.Timeout | undefined;
  private partial = '';
  constructor(
    private readonly file: string,
    private readonly onLine: (line: string) => void,
    private offset = 0,
    private readonly intervalMs = 100,
  ) {}

  start(): this {
    this.timer = setInterval(() => this.poll(), this.intervalMs);
    return this;
  }

  poll(): void {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return;
    }
    try {
      // A new boot starts the log afresh: follow it from its beginning.
      if (fstatSync(fd).size < this.offset) {
        this.offset = 0;
        this.partial = '';
      }
      const buf = Buffer.alloc(64 * 1024);
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, this.offset);
        if (n <= 0) break;
        this.offset += n;
        this.partial += buf.subarray(0, n).toString('utf8');
        let nl: number;
        while ((nl = this.partial.indexOf('\n')) >= 0) {
          const line = this.partial.slice(0, nl).replace(/\r$/, '');
          this.partial = this.partial.slice(nl + 1);
          this.onLine(line);
        }
      }
    } finally {
      closeSync(fd);
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.poll();
  }
}
