// A real OpenSSH server (Debian's openssh-server) on 127.0.0.1 and a free
// port, with a private sshd_config, host key, authorized_keys and pid file in
// a temp directory: the "remote host" of ssh:// engine tests and benchmarks.
// Also makes client keys and a temp HOME whose known_hosts pins the server.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freeLoopbackPort } from '../../src/machine/runtime';

export const SSHD = '/usr/sbin/sshd';

/** Why a private sshd cannot run here, or undefined. */
export function sshdUnavailable(): string | undefined {
  if (!existsSync(SSHD)) return `${SSHD} is missing; \`node scripts/deps.mjs engine\` installs Debian's openssh-server`;
  if (spawnSync('ssh-keygen', ['-?']).error) return 'ssh-keygen is missing; `node scripts/deps.mjs engine` installs Debian\'s openssh-client';
  return undefined;
}

export interface Sshd {
  dir: string;
  port: number;
  /** The server's public host key line ("ssh-ed25519 AAAA…"). */
  hostKey: string;
  /** Replaces the authorized keys (one public key line each). */
  authorize(...publicKeys: string[]): void;
  log(): string;
  stop(): Promise<void>;
}

/** Makes an ed25519 key pair with ssh-keygen; `passphrase` encrypts the private key. */
export function makeKey(file: string, passphrase = ''): string {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  rmSync(file, { force: true });
  rmSync(file + '.pub', { force: true });
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', 'slipway-test', '-f', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
  return readFileSync(file + '.pub', 'utf8').trim();
}

export async function startSshd(opts: { allowStreamLocal?: boolean } = {}): Promise<Sshd> {
  const why = sshdUnavailable();
  if (why) throw new Error(why);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'slipway-sshd-'));
  // sshd insists on its privilege separation directory.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const hostKeyFile = path.join(dir, 'host_ed25519');
  const hostKey = makeKey(hostKeyFile).split(' ').slice(0, 2).join(' ');
  const authorized = path.join(dir, 'authorized_keys');
  writeFileSync(authorized, '', { mode: 0o600 });
  const port = await freeLoopbackPort();
  const config = path.join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKeyFile}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorized}`,
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      `AllowStreamLocalForwarding ${opts.allowStreamLocal === false ? 'no' : 'yes'}`,
      'AllowTcpForwarding yes',
      'StrictModes no',
      'UsePAM no',
      'PrintMotd no',
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );
  let log = '';
  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => (log += d.toString('utf8')));
  let exited: string | undefined;
  child.on('exit', (code, sig) => (exited = `sshd exited (${sig ?? code})`));
  const deadline = Date.now() + 15_000;
  while (!/Server listening on 127\.0\.0\.1/.test(log)) {
    if (exited) throw new Error(`${exited}:\n${log}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`sshd did not start listening:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    dir,
    port,
    hostKey,
    authorize: (...keys) => writeFileSync(authorized, keys.map((k) => k + '\n').join(''), { mode: 0o600 }),
    log: () => log,
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

/** A known_hosts line for host:port as OpenSSH's HashKnownHosts writes it (|1|salt|hmac). */
export function hashedKnownHostsLine(host: string, port: number, keyLine: string): string {
  const name = port === 22 ? host : `[${host}]:${port}`;
  const salt = randomBytes(20);
  const hmac = createHmac('sha1', salt).update(name).digest();
  return `|1|${salt.toString('base64')}|${hmac.toString('base64')} ${keyLine}`;
}

/** A temp HOME with ~/.ssh/known_hosts holding `knownHosts` lines and a client key at ~/.ssh/id_ed25519. */
export function tempHome(knownHosts: string[]): { home: string; publicKey: string; dispose(): void } {
  const home = mkdtempSync(path.join(os.tmpdir(), 'slipway-home-'));
  const ssh = path.join(home, '.ssh');
  mkdirSync(ssh, { mode: 0o700 });
  const publicKey = makeKey(path.join(ssh, 'id_ed25519'));
  writeFileSync(path.join(ssh, 'known_hosts'), knownHosts.map((l) => l + '\n').join(''), { mode: 0o600 });
  return { home, publicKey, dispose: () => rmSync(home, { recursive: true, force: true }) };
}
