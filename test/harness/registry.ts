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

/** Why a registry cannot run here, or undefined (Debian's docker-registry, from scripts/host-packages.cjs). */
export function registryUnavailable(): string | undefined {
  return existsSync(BINARY) ? undefined : `${BINARY} is missing; \`node scripts/deps.mjs engine\` installs Debian's docker-registry`;
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
 * A bcrypt htpasswd line, made by Apache's `htpasswd -B` (apache2-utils). Node has
 * no bcrypt, and Python's crypt module is gone from Debian 13's Python 3.13.
 */
export function htpasswdLine(user: string, password: string): string {
  const r = spawnSync('htpasswd', ['-Bbn', user, password], { encoding: 'utf8' });
  if (r.error) throw new Error(`htpasswd could not start (${r.error.message}); \`node scripts/deps.mjs engine\` installs Debian's apache2-utils`, { cause: r.error });
  const line = r.stdout.trim();
  if (r.status !== 0 || !line.startsWith(`${user}:$2`)) throw new Error(`htpasswd -Bbn failed (${r.status}): ${r.stderr.trim()}`);
  return line;
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
