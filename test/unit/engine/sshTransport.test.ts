// The ssh:// transport without Docker: ssh2's loopback server in front of a
// small HTTP server on a unix socket. One SSH connection for many requests,
// a new one after a drop, closed when idle; the errors of an unreachable SSH
// server and of a missing remote socket.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireSshTransport, RemoteEngineError, type SshEngineOptions } from '../../../src/engine/sshTransport';
import { freeLoopbackPort } from '../../../src/machine/runtime';
import { generateKeyPair } from '../../../src/ssh/keys';
import { startLoopbackSshd, type LoopbackSshd } from '../ssh/loopbackSshd';

function get(agent: http.Agent, p: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, host: 'docker', path: p }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

async function eventually(what: string, fn: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !fn(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(fn(), what);
}

describe('ssh:// transport (loopback SSH server)', () => {
  let dir: string;
  let socket: string;
  let api: http.Server;
  let sshd: LoopbackSshd;
  let opts: SshEngineOptions;
  const big = 'x'.repeat(200_000); // several SSH packets

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'slipway-sshtr-'));
    socket = path.join(dir, 'api.sock');
    api = http.createServer((req, res) => res.end(req.url === '/big' ? big : `hello ${req.url}`));
    await new Promise<void>((r) => api.listen(socket, r));
    const client = generateKeyPair('client');
    sshd = await startLoopbackSshd(client.publicKey);
    const home = path.join(dir, 'home');
    mkdirSync(path.join(home, '.ssh'), { recursive: true });
    writeFileSync(path.join(home, '.ssh', 'id_ed25519'), client.privateKey);
    writeFileSync(path.join(home, '.ssh', 'known_hosts'), `[127.0.0.1]:${sshd.port} ${sshd.hostKey.publicKey}\n`);
    opts = { homeDir: home, env: {}, systemKnownHosts: [] };
  });

  after(async () => {
    await sshd?.close();
    api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('carries many requests over one SSH connection, and dials again after a drop', async () => {
    const lease = acquireSshTransport(`ssh://root@127.0.0.1:${sshd.port}${socket}`, opts);
    try {
      const { transport } = lease;
      assert.deepEqual(await Promise.all([get(transport.agent, '/a'), get(transport.agent, '/b'), get(transport.agent, '/c')]), ['hello /a', 'hello /b', 'hello /c']);
      assert.equal((await get(transport.agent, '/big')).length, big.length);
      assert.equal(transport.dials, 1);
      assert.equal(transport.channelKind, 'streamlocal');
      sshd.dropAll();
      await eventually('the drop to be seen', () => sshd.connections.size === 0);
      assert.equal(await get(transport.agent, '/again'), 'hello /again');
      assert.equal(transport.dials, 2);
    } finally {
      lease.release();
    }
  });

  it('closes the SSH connection when idle, and when the last user lets go', async () => {
    const url = `ssh://root@127.0.0.1:${sshd.port}${socket}`;
    const idle = acquireSshTransport(url, { ...opts, idleMs: 20 });
    try {
      await get(idle.transport.agent, '/x');
      await eventually('the idle connection to close', () => sshd.connections.size === 0);
    } finally {
      idle.release();
    }
    const a = acquireSshTransport(url, opts);
    const b = acquireSshTransport(url, opts);
    assert.equal(a.transport, b.transport, 'one transport per endpoint');
    await get(a.transport.agent, '/y');
    a.release();
    assert.equal(await get(b.transport.agent, '/z'), 'hello /z');
    b.release();
    await eventually('the released connection to close', () => sshd.connections.size === 0);
  });

  it('says the SSH server cannot be reached', async () => {
    const port = await freeLoopbackPort();
    const home = opts.homeDir!;
    writeFileSync(path.join(home, '.ssh', 'known_hosts2'), `[127.0.0.1]:${port} ${sshd.hostKey.publicKey}\n`);
    const lease = acquireSshTransport(`ssh://root@127.0.0.1:${port}`, opts);
    try {
      const err = await lease.transport.openSocket().then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof RemoteEngineError);
      assert.equal(err.problem.code, 'ECONNREFUSED');
      assert.equal(err.message, `Cannot reach the SSH server at 127.0.0.1:${port} (connection refused).`);
    } finally {
      lease.release();
      rmSync(path.join(home, '.ssh', 'known_hosts2'));
    }
  });

  it('names a remote socket that does not exist (asked with a quoted test -S)', async () => {
    const odd = path.join(dir, "no such dir's", 'docker.sock');
    const lease = acquireSshTransport(`ssh://root@127.0.0.1:${sshd.port}${encodeURI(odd)}`, opts);
    try {
      const err = await lease.transport.openSocket().then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof RemoteEngineError);
      assert.equal(err.problem.code, 'ENOENT');
      assert.ok(err.message.includes(`${odd} on 127.0.0.1 does not exist`), err.message);
      assert.ok(sshd.commands.includes(`test -S '${odd.replace(/'/g, `'\\''`)}'`), sshd.commands.join('\n'));
    } finally {
      lease.release();
    }
  });

  it('falls back to "docker system dial-stdio" when the channel is refused, and reports its failure', async () => {
    // A socket file nobody listens on: a process that bound it was killed before cleaning up.
    const stale = path.join(dir, 'stale.sock');
    spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    const lease = acquireSshTransport(`ssh://root@127.0.0.1:${sshd.port}${stale}`, opts);
    try {
      const sock = await lease.transport.openSocket();
      assert.equal(lease.transport.channelKind, 'dial-stdio');
      const err = await new Promise<unknown>((resolve) => {
        sock.on('error', resolve);
        sock.on('close', () => resolve(undefined));
        sock.resume();
      });
      assert.ok(err instanceof RemoteEngineError, String(err));
      assert.equal(err.problem.code, 'SSH_DIAL_STDIO');
      assert.match(err.message, /refuses to forward to .*stale\.sock, and "docker system dial-stdio" failed there: /);
      assert.ok(sshd.commands.includes(`docker -H unix://${stale} system dial-stdio`), sshd.commands.join('\n'));
    } finally {
      lease.release();
    }
  });
});
