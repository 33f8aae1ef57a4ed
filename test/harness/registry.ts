// A real registry on loopback for pull/push tests: Debian's docker-registry
// (distribution 2.8) with a private config and storage directory. The engine
// treats 127.0.0.0/8 as an insecure registry, so plain HTTP works.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Registry {
  /** `127.0.0.1:PORT`, the prefix of image references in it. */
  address: string;
  dir: string;
  stop(): Promise<void>;
}

const BINARY = '/usr/bin/docker-registry';

/** Why a registry cannot run here, or undefined. Installs Debian's docker-registry when root. */
export function registryUnavailable(): string | undefined {
  if (existsSync(BINARY)) return undefined;
  if (process.getuid?.() !== 0) return 'docker-registry is not installed and we are not root to install it';
  spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'docker-registry'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return existsSync(BINARY) ? undefined : 'installing docker-registry with apt-get failed';
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function answers(address: string): Promise<boolean> {
  try {
    const r = await fetch(`http://${address}/v2/`);
    return r.status === 200 || r.status === 401;
  } catch {
    return false;
  }
}

/**
 * A bcrypt htpasswd line. Node has no bcrypt, so Python's crypt (libxcrypt's
 * $2b$) makes it; undefined when python3 cannot.
 */
export function htpasswdLine(user: string, password: string): string | undefined {
  const r = spawnSync('python3', ['-W', 'ignore', '-c', 'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))', password], { encoding: 'utf8' });
  const hash = r.stdout?.trim();
  return r.status === 0 && hash?.startsWith('$2') ? `${user}:${hash}` : undefined;
}

export interface RegistryOptions {
  /** Require this user (htpasswd auth). */
  user?: { name: string; password: string };
}

export async function startRegistry(opts: RegistryOptions = {}): Promise<Registry> {
  const why = registryUnavailable();
  if (why) throw new Error(why);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'slipway-registry-'));
  const authLines: string[] = [];
  if (opts.user) {
    const line = htpasswdLine(opts.user.name, opts.user.password);
    if (!line) throw new Error('cannot make a bcrypt htpasswd entry (python3 with crypt is needed)');
    writeFileSync(path.join(dir, 'htpasswd'), `${line}\n`);
    authLines.push('auth:', '  htpasswd:', '    realm: slipway-test', `    path: ${path.join(dir, 'htpasswd')}`);
  }
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const config = path.join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${path.join(dir, 'data')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: ${address}`,
      ...authLines,
      '',
    ].join('\n'),
  );
  const logFile = path.join(dir, 'registry.log');
  const log = openSync(logFile, 'a');
  const child: ChildProcess = spawn(BINARY, ['serve', config], { stdio: ['ignore', log, log] });
  let exited = false;
  child.on('exit', () => (exited = true));
  const deadline = Date.now() + 20_000;
  while (!(await answers(address))) {
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`docker-registry did not answer on ${address}:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    address,
    dir,
    async stop() {
      if (!exited) {
        const done = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await done;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
