// ssh:// engines end to end: a real OpenSSH server on loopback in front of the
// tier's dockerd, Slipway's SSH transport, a temp HOME with a hashed
// known_hosts entry. Lists, events, logs and a hijacked exec go over it; the
// trust and login failures say what happened and connect nowhere they should not.

import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { ConnectError, EngineClient } from '../../src/engine/client';
import { acquireSshTransport, type SshEngineOptions } from '../../src/engine/sshTransport';
import { freeLoopbackPort } from '../../src/machine/runtime';
import { cannotRun } from '../harness/ci';
import { docker } from '../harness/images';
import { hashedKnownHostsLine, makeKey, sshdUnavailable, startSshd, tempHome, type Sshd } from '../harness/sshd';
import { daemon, fixture, unique, waitFor } from './fixture';

const ROOT = path.resolve(__dirname, '../../..');

describe('ssh:// engines (real OpenSSH server)', function () {
  let sshd: Sshd;
  let home: ReturnType<typeof tempHome>;
  let url: string;
  const clients: EngineClient[] = [];
  const opts = (): SshEngineOptions => ({ homeDir: home.home, env: {}, systemKnownHosts: [] });
  const remote = (host = url, o: SshEngineOptions = opts()) => {
    const c = new EngineClient({ name: 'remote', source: 'setting', host }, { ssh: o, timeoutMs: 20_000 });
    clients.push(c);
    return c;
  };
  const direct = () => new EngineClient({ name: 'direct', source: 'setting', host: daemon().host });

  before(async function () {
    const why = sshdUnavailable();
    if (why) cannotRun(this, 'the ssh:// engine tests', why);
    sshd = await startSshd();
    home = tempHome([hashedKnownHostsLine('127.0.0.1', sshd.port, sshd.hostKey)]);
    sshd.authorize(home.publicKey);
    url = `ssh://root@127.0.0.1:${sshd.port}${daemon().socket}`;
  });

  after(async () => {
    clients.forEach((c) => c.dispose());
    await sshd?.stop();
    home?.dispose();
  });

  it('lists containers and images as the direct socket does, over one SSH connection', async () => {
    const name = unique('ssh-list');
    docker(daemon().env, 'create', '--name', name, fixture.image!, 'true');
    try {
      const viaSsh = remote();
      const ids = (xs: { Id: string }[]) => xs.map((x) => x.Id).sort();
      assert.deepEqual(ids(await viaSsh.listContainers()), ids(await direct().listContainers()));
      assert.ok((await viaSsh.listContainers()).some((c) => c.Names?.includes(`/${name}`)));
      assert.deepEqual(ids(await viaSsh.listImages()), ids(await direct().listImages()));
      assert.equal((await viaSsh.identify()).apiVersion, (await direct().identify()).apiVersion);
      const lease = acquireSshTransport(url, opts());
      try {
        assert.equal(lease.transport.dials, 1, 'five requests, one SSH connection');
        assert.equal(lease.transport.channelKind, 'streamlocal');
      } finally {
        lease.release();
      }
    } finally {
      docker(daemon().env, 'rm', '-f', name);
    }
  });

  it('streams events, logs and an interactive exec over ssh://', async () => {
    const client = remote();
    const events = (await client.events()) as Readable;
    let seen = '';
    events.on('data', (d: Buffer) => (seen += d.toString()));
    const name = unique('ssh-stream');
    const id = docker(daemon().env, 'run', '-d', '--name', name, fixture.image!, 'sh', '-c', 'echo hello-from-remote; sleep 1000');
    try {
      await waitFor('the start event over ssh://', () => seen.split('\n').some((l) => l.includes(id) && l.includes('"status":"start"')));
      events.destroy();

      const logs = await client.containerLogs(id, { follow: true, tail: -1 }, name);
      let text = '';
      logs.on('data', (d: Buffer) => (text += d.toString()));
      await waitFor('the log line over ssh://', () => text.includes('hello-from-remote'));
      logs.destroy();

      const session = await client.execInteractive(id, ['/bin/sh'], { rows: 24, cols: 80 }, name);
      let out = '';
      session.stream.on('data', (d: Buffer) => (out += d.toString()));
      const ended = new Promise((r) => session.stream.once('end', r));
      session.stream.write('echo sum=$((40+2)); exit 3\n');
      await ended;
      assert.match(out, /sum=42/);
      assert.equal(await session.exitCode(), 3);
    } finally {
      docker(daemon().env, 'rm', '-f', name);
    }
  });

  it('keeps a quiet event stream open past the API timeout, over ssh:// and the socket alike', async () => {
    // Regression: docker-modem's request timeout cut streams after timeoutMs without traffic.
    const timeoutMs = 300;
    const viaSsh = new EngineClient({ name: 'remote', source: 'setting', host: url }, { ssh: opts(), timeoutMs });
    clients.push(viaSsh);
    const viaSocket = new EngineClient({ name: 'direct', source: 'setting', host: daemon().host }, { timeoutMs });
    const streams = await Promise.all([viaSsh.events(), viaSocket.events()]);
    const seen = ['', ''];
    const closed = [false, false];
    streams.forEach((s, i) => {
      s.on('data', (d: Buffer) => (seen[i] += d.toString()));
      s.on('close', () => (closed[i] = true));
      s.on('error', () => undefined);
    });
    await new Promise((r) => setTimeout(r, timeoutMs * 4));
    const name = unique('ssh-quiet');
    const id = docker(daemon().env, 'create', '--name', name, fixture.image!, 'true');
    try {
      await waitFor('the create event on both streams', () => seen.every((t) => t.includes(id)) || closed.some(Boolean));
      assert.deepEqual(closed, [false, false]);
    } finally {
      streams.forEach((s) => s.destroy());
      docker(daemon().env, 'rm', '-f', name);
    }
  });

  it('dials again after the SSH connection drops', async () => {
    const client = remote();
    await client.listContainers();
    const lease = acquireSshTransport(url, opts());
    try {
      const before = lease.transport.dials;
      await lease.transport.disconnect();
      assert.ok(Array.isArray(await client.listContainers()));
      assert.equal(lease.transport.dials, before + 1);
    } finally {
      lease.release();
    }
  });

  it('refuses a host missing from known_hosts without connecting, and says how to record it', async () => {
    const port = await freeLoopbackPort();
    let connections = 0;
    const server = net.createServer((s) => (connections++, s.destroy()));
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    try {
      const err = await remote(`ssh://root@127.0.0.1:${port}`).identify().then(
        () => assert.fail('connected to an unknown host'),
        (e: unknown) => e as ConnectError,
      );
      assert.ok(err instanceof ConnectError);
      assert.equal(err.problem.code, 'HOSTKEY_UNKNOWN');
      assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port} is not in .*known_hosts.*run "ssh -p ${port} root@127\\.0\\.0\\.1" once`));
      assert.equal(connections, 0);
    } finally {
      server.close();
    }
  });

  it('refuses a server whose host key differs from the pinned one', async () => {
    const other = makeKey(path.join(home.home, 'other-host-key'));
    const wrong = tempHome([hashedKnownHostsLine('127.0.0.1', sshd.port, other)]);
    try {
      const err = await remote(url, { homeDir: wrong.home, env: {}, systemKnownHosts: [] }).identify().catch((e: ConnectError) => e);
      assert.ok(err instanceof ConnectError);
      assert.equal(err.problem.code, 'HOSTKEY_MISMATCH');
      assert.match(err.message, /The SSH host key of 127\.0\.0\.1:\d+ is SHA256:\S+, but SHA256:\S+ is recorded in .*known_hosts:1: refusing to connect/);
    } finally {
      wrong.dispose();
    }
  });

  it('says the login was refused for a key the server does not know, and suggests ssh-agent for an encrypted one', async () => {
    const stranger = tempHome([hashedKnownHostsLine('127.0.0.1', sshd.port, sshd.hostKey)]);
    try {
      const err = await remote(url, { homeDir: stranger.home, env: {}, systemKnownHosts: [] }).identify().catch((e: ConnectError) => e);
      assert.ok(err instanceof ConnectError);
      assert.equal(err.problem.code, 'SSH_AUTH');
      assert.match(err.message, /SSH login as root@127\.0\.0\.1 was refused: the server accepted none of .*id_ed25519/);

      makeKey(path.join(stranger.home, '.ssh', 'id_ed25519'), 'secret passphrase');
      const locked = await remote(url, { homeDir: stranger.home, env: {}, systemKnownHosts: [] }).identify().catch((e: ConnectError) => e);
      assert.ok(locked instanceof ConnectError);
      assert.match(locked.message, /id_ed25519 needs a passphrase, which Slipway cannot ask for: add it to ssh-agent with "ssh-add /);
    } finally {
      stranger.dispose();
    }
  });

  it('logs in with a key held by ssh-agent', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'slipway-agent-'));
    const sock = path.join(dir, 'agent.sock');
    const agent: ChildProcess = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    const keyless = tempHome([hashedKnownHostsLine('127.0.0.1', sshd.port, sshd.hostKey)]);
    try {
      const agentKey = path.join(dir, 'agent_key');
      sshd.authorize(home.publicKey, makeKey(agentKey));
      rmSync(path.join(keyless.home, '.ssh', 'id_ed25519'));
      await waitFor('the agent socket', () => spawnSync('ssh-add', ['-l'], { env: { SSH_AUTH_SOCK: sock } }).status === 1);
      const add = spawnSync('ssh-add', [agentKey], { env: { SSH_AUTH_SOCK: sock }, encoding: 'utf8' });
      assert.equal(add.status, 0, add.stderr);
      const client = remote(url, { homeDir: keyless.home, env: { SSH_AUTH_SOCK: sock }, systemKnownHosts: [] });
      assert.ok((await client.listImages()).length > 0);
    } finally {
      sshd.authorize(home.publicKey);
      agent.kill();
      keyless.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names a missing remote socket', async () => {
    const err = await remote(`ssh://root@127.0.0.1:${sshd.port}/nonexistent/docker.sock`).identify().catch((e: ConnectError) => e);
    assert.ok(err instanceof ConnectError);
    assert.equal(err.problem.code, 'ENOENT');
    assert.match(err.message, /\/nonexistent\/docker\.sock on 127\.0\.0\.1 does not exist/);
  });

  it('falls back to "docker system dial-stdio" when the server refuses stream-local forwarding', async () => {
    const strict = await startSshd({ allowStreamLocal: false });
    try {
      strict.authorize(home.publicKey);
      const h = tempHome([hashedKnownHostsLine('127.0.0.1', strict.port, strict.hostKey)]);
      const o = { homeDir: h.home, env: {}, systemKnownHosts: [] };
      strict.authorize(h.publicKey);
      const u = `ssh://root@127.0.0.1:${strict.port}${daemon().socket}`;
      try {
        const ids = (xs: { Id: string }[]) => xs.map((x) => x.Id).sort();
        assert.deepEqual(ids(await remote(u, o).listContainers()), ids(await direct().listContainers()));
        const lease = acquireSshTransport(u, o);
        assert.equal(lease.transport.channelKind, 'dial-stdio');
        lease.release();
        assert.match(strict.log(), /refused streamlocal|streamlocal.*(prohibited|disabled)|open failed/i);
      } finally {
        h.dispose();
      }
    } finally {
      await strict.stop();
    }
  });

  it('a unix:// endpoint stays on its socket when DOCKER_HOST=ssh://… is in the environment', async () => {
    // docker-modem starts from DOCKER_HOST and would dial SSH itself, with no host key check.
    const port = await freeLoopbackPort();
    let connections = 0;
    const server = net.createServer((s) => (connections++, s.destroy()));
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = `ssh://root@127.0.0.1:${port}`;
    try {
      const ids = (await direct().listContainers()).map((c) => c.Id);
      assert.deepEqual(ids.sort(), docker(daemon().env, 'ps', '-aq', '--no-trunc').split('\n').filter(Boolean).sort());
      assert.equal(connections, 0);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
      server.close();
    }
  });

  it('the CLI lists containers with DOCKER_HOST=ssh://, and through a docker context whose endpoint is ssh://', async () => {
    const name = unique('ssh-cli');
    docker(daemon().env, 'create', '--name', name, fixture.image!, 'true');
    const cli = (env: Record<string, string>) =>
      spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'engine', '--containers'], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: home.home, ...env },
        timeout: 30_000,
      });
    const contextDir = path.join(home.home, '.docker');
    try {
      const r = cli({ DOCKER_HOST: url, DOCKER_CONTEXT: '' });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`✔ DOCKER_HOST \\(ssh://root@127\\.0\\.0\\.1:${sshd.port}/`));
      assert.match(r.stdout, new RegExp(`\\b${name}\\b`));

      const meta = path.join(contextDir, 'contexts', 'meta', createHash('sha256').update('remote').digest('hex'));
      mkdirSync(meta, { recursive: true });
      writeFileSync(path.join(meta, 'meta.json'), JSON.stringify({ Name: 'remote', Endpoints: { docker: { Host: url } } }));
      writeFileSync(path.join(contextDir, 'config.json'), JSON.stringify({ currentContext: 'remote' }));
      const c = cli({});
      assert.equal(c.status, 0, c.stdout + c.stderr);
      assert.match(c.stdout, /✔ context 'remote' \(ssh:\/\//);
      assert.match(c.stdout, new RegExp(`\\b${name}\\b`));
    } finally {
      rmSync(contextDir, { recursive: true, force: true });
      docker(daemon().env, 'rm', '-f', name);
    }
  });
});
