// Starts a real dockerd on a private socket, data root and exec root, for the
// engine test tier, the benchmarks and `npm start` on a Linux host with no
// engine. Debian's docker.io (dockerd 20.10 on Debian 12, 26 on 13) comes from
// scripts/host-packages.cjs, installed by `npm test` before each tier.
//
// The daemon runs with --iptables=false: published ports still work from the
// host through docker-proxy, and the host's firewall is left alone.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { which } from './programs';

export interface Dockerd {
  dir: string;
  socket: string;
  host: string;
  /** Environment for the docker CLI pointing at this daemon. */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
  logFile: string;
}

/** Why a real dockerd cannot run here, or undefined when it can. */
export function dockerdUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `engine tests need Linux (this is ${process.platform})`;
  if (!which('dockerd')) return 'dockerd is not installed (`node scripts/deps.mjs engine` installs Debian\'s docker.io)';
  if (process.getuid?.() !== 0) return 'a private dockerd needs root (rootless dockerd is not set up here)';
  return undefined;
}

export async function startDockerd(opts: { dir?: string; readyTimeoutMs?: number } = {}): Promise<Dockerd> {
  const why = dockerdUnavailable();
  if (why) throw new Error(why);
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), 'slipway-dockerd-'));
  mkdirSync(dir, { recursive: true });
  const socket = path.join(dir, 'docker.sock');
  const logFile = path.join(dir, 'dockerd.log');
  const pidFile = path.join(dir, 'dockerd.pid');
  const log = openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    which('dockerd')!,
    [
      '--data-root', path.join(dir, 'data'),
      '--exec-root', path.join(dir, 'exec'),
      '--pidfile', pidFile,
      '--host', `unix://${socket}`,
      '--iptables=false',
      '--ip-masq=false',
      '--storage-driver', 'overlay2',
    ],
    { stdio: ['ignore', log, log], detached: true },
  );
  let exited: string | undefined;
  child.on('exit', (code, sig) => (exited = `dockerd exited (${sig ?? code}); see ${logFile}`));
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
  while (!(await pingSocket(socket))) {
    if (exited) throw new Error(`${exited}\n${tail(logFile)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`dockerd did not answer on ${socket} in time\n${tail(logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const host = `unix://${socket}`;
  return {
    dir,
    socket,
    host,
    logFile,
    env: { ...process.env, DOCKER_HOST: host, DOCKER_CONTEXT: '', DOCKER_CONFIG: path.join(dir, 'cli-config') },
    async stop() {
      if (exited) return;
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await done;
      clearTimeout(t);
      // Containers' mounts live under the exec root; dockerd unmounted them on exit.
      if (!opts.dir) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

/** True when something answers HTTP `GET /_ping` with OK on the socket. */
export function pingSocket(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(socket);
    let data = '';
    s.setTimeout(1000, () => (s.destroy(), resolve(false)));
    s.on('error', () => resolve(false));
    s.on('connect', () => s.write('GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n'));
    s.on('data', (d) => (data += d));
    s.on('close', () => resolve(/^HTTP\/1\.[01] 200/.test(data) && data.endsWith('OK')));
  });
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
}
