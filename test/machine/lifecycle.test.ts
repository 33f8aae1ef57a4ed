// The machine tier: the real guest image booted by real QEMU (TCG here), the
// Docker engine reached through the forwarded socket, ports, persistence,
// crash recovery, host key pinning, permissions, and the CLI with its agent.
// Three boots in all: start, stop + start, kill -9 + start (through the CLI).

import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { Machines } from '../../src/machine/machine';
import { type MachineEvent } from '../../src/machine/status';
import { runningAgentPid, runningQemuPid } from '../../src/machine/runtime';
import { MachineSession, type SessionEvent } from '../../src/machine/session';
import { connectSsh, HostKeyMismatchError } from '../../src/ssh/connect';
import { generateKeyPair } from '../../src/ssh/keys';
import { BUSYBOX_IMAGE, busyboxTarball } from '../harness/images';
import { imageHome, removeTestMachine, requireQemu } from './fixture';
import { dockerCli } from '../harness/programs';
import { freeLoopbackPort as freePort } from '../../src/machine/runtime';
import { refused } from '../harness/net';

const NAME = 'lifecycle';
const CLI = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js');

function httpGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/' }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

/** Resolves with the first session event matching `pred` (subscribe before causing it). */
function nextEvent(session: MachineSession, pred: (e: SessionEvent) => boolean): Promise<SessionEvent> {
  return new Promise((resolve) => {
    const sub = session.onEvent((e) => {
      if (pred(e)) {
        sub.dispose();
        resolve(e);
      }
    });
  });
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program without blocking the event loop: while the test holds the
 * machine session, this very process serves the Docker socket, so a
 * synchronous spawn would deadlock.
 */
function runAsync(exe: string, args: string[], env: NodeJS.ProcessEnv): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(exe, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function docker(env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
  const r = await runAsync(dockerCli(), args, env);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout.trim();
}

function cli(home: string, ...args: string[]): Promise<Ran> {
  return runAsync(process.execPath, [CLI, 'machine', ...args], { ...process.env, SLIPWAY_HOME: home });
}

describe('machine lifecycle (real QEMU and guest image)', function () {
  this.timeout(600_000);
  let home: string;
  let machines: Machines;
  let session: MachineSession | undefined;
  let env: NodeJS.ProcessEnv;
  let image: string;
  const timings: Record<string, number> = {};
  const events: MachineEvent[] = [];

  before(async function () {
    // Building the guest image when it is absent takes minutes; a boot under TCG about one.
    this.timeout(1_800_000);
    requireQemu(this);
    home = mkdtempSync(path.join(os.tmpdir(), 'slipway-machine-'));
    // Machines live in a temp root; the guest image is shared with the default root so it is built once per recipe.
    const images = imageHome();
    machines = new Machines({ root: home, imageHome: images, env: { ...process.env, SLIPWAY_ACCEL: process.env.SLIPWAY_ACCEL ?? 'tcg' } });
    // The CLI (a separate process) must find the same image: link the image cache into the temp root.
    symlinkSync(path.join(images, 'images'), path.join(home, 'images'));
    await machines.create(NAME, { cpus: 2, memoryMiB: 2048, diskGiB: 16 });
    const t0 = Date.now();
    await machines.start(NAME, { onEvent: (e) => events.push(e) });
    timings.firstStartMs = Date.now() - t0;
    session = await MachineSession.open(machines, NAME);
    env = { ...process.env, DOCKER_HOST: session.dockerHost };
  });

  after(async function () {
    await removeTestMachine({ home, machines, session, name: NAME });
    console.log(`      machine timings: ${JSON.stringify(timings)}`);
  });

  it('reported every start stage in order, and the guest stages', () => {
    const stages = events.flatMap((e) => (e.kind === 'stage' ? [e.stage] : []));
    assert.deepEqual(stages, ['image', 'disk', 'boot', 'ssh', 'engine']);
    assert.ok(events.some((e) => e.kind === 'guest-stage' && e.name === 'dockerd'));
    assert.equal(machines.status(NAME).state, 'running');
  });

  it('answers `docker version` through the forwarded socket', async () => {
    const server = await docker(env, 'version', '--format', '{{.Server.Version}} {{.Server.Os}}');
    assert.match(server, /^\d+\.\d+\.\d+\S* linux$/);
    const id = await session!.engine.identify();
    assert.equal(id.os, 'linux');
  });

  it('runs an image imported from a local tarball', async () => {
    await docker(env, 'import', '--change', 'CMD ["/bin/sh"]', '--change', 'ENV PATH=/bin', busyboxTarball(), BUSYBOX_IMAGE);
    image = BUSYBOX_IMAGE;
    assert.equal(await docker(env, 'run', '--rm', image, 'echo', 'hello from the machine'), 'hello from the machine');
  });

  it('forwards a published port to 127.0.0.1 while the container runs, and closes it after', async () => {
    const port = await freePort();
    const opened = nextEvent(session!, (e) => e.kind === 'port-forwarded' && e.hostPort === port);
    const id = await docker(env, 'run', '-d', '--name', 'web', '-p', `${port}:80`, image, 'httpd', '-f', '-p', '80', '-h', '/var/www');
    await opened;
    assert.equal(await httpGet(port), 'hello from slipway test image\n');
    const closed = nextEvent(session!, (e) => e.kind === 'port-closed' && e.hostPort === port);
    await docker(env, 'stop', '-t', '1', id);
    await closed;
    assert.equal(await refused(port), true);
    await docker(env, 'rm', id);
  });

  it('keeps key, seed and socket files private', () => {
    const p = machines.paths(NAME);
    const mode = (f: string) => statSync(f).mode & 0o777;
    assert.equal(mode(path.dirname(p.dockerSocket)), 0o700);
    assert.equal(mode(p.dockerSocket), 0o600);
    assert.equal(mode(p.sshDir), 0o700);
    for (const f of [p.clientKey, p.clientPub, p.hostKey, p.hostPub]) assert.equal(mode(f), 0o600, f);
    assert.equal(mode(p.seedDir), 0o700);
    assert.equal(mode(path.join(p.seedDir, 'seed')), 0o600);
  });

  it('refuses the machine when its pinned host key changed', async () => {
    const p = machines.paths(NAME);
    const pinned = readFileSync(p.hostPub, 'utf8');
    writeFileSync(p.hostPub, generateKeyPair('someone else').publicKey + '\n', { mode: 0o600 });
    try {
      await assert.rejects(connectSsh(machines.sshTarget(NAME)), (err: Error) => {
        assert.ok(err instanceof HostKeyMismatchError);
        assert.match(err.message, /^The SSH host key of machine "lifecycle" at 127\.0\.0\.1:\d+ is SHA256:\S+, but SHA256:\S+ is pinned: refusing to connect\./);
        return true;
      });
    } finally {
      writeFileSync(p.hostPub, pinned, { mode: 0o600 });
    }
    const ok = await connectSsh(machines.sshTarget(NAME));
    ok.end();
  });

  it('keeps a named volume and images across stop and start', async () => {
    await docker(env, 'volume', 'create', 'keep');
    await docker(env, 'run', '--rm', '-v', 'keep:/data', image, 'sh', '-c', 'echo kept > /data/f');
    await session!.dispose();
    session = undefined;
    let t0 = Date.now();
    assert.equal(await machines.stop(NAME), 'shutdown');
    timings.stopMs = Date.now() - t0;
    assert.equal(machines.status(NAME).state, 'stopped');
    assert.equal(existsSync(machines.paths(NAME).qmpSocket), false);
    t0 = Date.now();
    await machines.start(NAME);
    timings.secondStartMs = Date.now() - t0;
    session = await MachineSession.open(machines, NAME);
    assert.equal(await docker(env, 'run', '--rm', '-v', 'keep:/data', image, 'cat', '/data/f'), 'kept');
  });

  it('starts again after QEMU was killed with SIGKILL (through the CLI, with its agent)', async () => {
    await session!.dispose();
    session = undefined;
    const p = machines.paths(NAME);
    const pid = runningQemuPid(p)!;
    process.kill(pid, 'SIGKILL');
    while (runningQemuPid(p)) await new Promise((r) => setTimeout(r, 50));
    assert.equal(existsSync(p.pidFile), true, 'a crash leaves the pid file behind');
    assert.equal(machines.status(NAME).state, 'stopped');

    const t0 = Date.now();
    const start = await cli(home, 'start', NAME);
    timings.cliStartAfterKillMs = Date.now() - t0;
    assert.equal(start.code, 0, start.stderr);
    assert.match(start.stderr, /\[image\][\s\S]*\[disk\][\s\S]*\[boot\][\s\S]*\[ssh\][\s\S]*\[engine\]/);
    assert.ok(runningAgentPid(p), 'the agent serves the socket');

    const envOut = await cli(home, 'env', NAME);
    assert.equal(envOut.code, 0, envOut.stderr);
    const version = await runAsync('/bin/sh', ['-c', `${envOut.stdout}\ndocker version --format '{{.Server.Version}}'`], process.env);
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout.trim(), /^\d+\.\d+\.\d+/);
    // When this fails, the agent's log says whether its SSH connection dropped.
    const kept = await docker(env, 'run', '--rm', '-v', 'keep:/data', image, 'cat', '/data/f').catch((err: Error) => {
      const log = existsSync(p.agentLog) ? readFileSync(p.agentLog, 'utf8').split('\n').slice(-15).join('\n') : '(no agent log)';
      throw new Error(`${err.message}\n--- agent log:\n${log}`);
    });
    assert.equal(kept, 'kept');

    const ssh = await cli(home, 'ssh', NAME, '--', 'sh', '-c', 'echo "$(id -un) $1"; exit 7', 'sh', "it's $(not) run");
    assert.equal(ssh.code, 7, ssh.stderr);
    // The guest user mirrors the host user (root on a root host, else the host's name or "slipway").
    assert.equal(ssh.stdout, `${machines.loadSpec(NAME).user.name} it's $(not) run\n`);

    const inspect = JSON.parse((await cli(home, 'inspect', NAME)).stdout);
    assert.equal(inspect.state, 'running');
    assert.equal(inspect.ssh.host, '127.0.0.1');
    assert.equal(inspect.disk.format, 'qcow2');

    const stop = await cli(home, 'stop', NAME);
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(stop.stdout, `Machine "${NAME}" stopped.\n`);
    assert.equal(existsSync(p.dockerSocket), false, 'the agent removed the socket');
    assert.equal((await cli(home, 'status', NAME)).stdout, 'stopped\n');
  });
});
