// Shared folders in a real machine (fixture.ts: a virtio-9p share, an sshfs share
// served by this process over a virtio-serial port, the same over the SSH channel,
// and a read-only 9p share, all mounted at the same path as on the host). Containers bind-mount them exactly as they would with a local engine.

import * as assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { MachineSession, type SessionEvent } from '../../src/machine/session';
import { sftpPortName } from '../../src/machine/qemuArgs';
import { connectPort, parseProcMounts, PORT_SCRIPT } from '../../src/machine/sshfsMounts';
import { connectSsh } from '../../src/ssh/connect';
import { execOn, openExecChannel } from '../../src/ssh/exec';
import { BUSYBOX_IMAGE } from '../harness/images';
import { waitUntil } from '../harness/wait';
import { docker, dockerOk, requireQemu, sharedMachine, type SharedMachine } from './fixture';

describe('shared folders (real QEMU and guest image)', function () {
  this.timeout(300_000);
  let m: SharedMachine;
  let hostDirs: SharedMachine['dirs'];
  let env: NodeJS.ProcessEnv;
  const events: SessionEvent[] = [];
  const ok = dockerOk;

  before(async function () {
    this.timeout(1_800_000);
    requireQemu(this);
    m = await sharedMachine();
    ({ dirs: hostDirs, env } = m);
    assert.deepEqual(m.session.shareErrors, []);
    m.session.onEvent((e) => events.push(e));
  });

  // Mocha runs a suite's own tests before its nested suites: every test sits in a nested
  // suite so that they run in the order written.
  describe('the running machine', () => {
    it('records the mechanism of each share', () => {
      assert.deepEqual(
        m.machines.runningShares(m.name).map((s) => `${s.mechanism}${s.readOnly ? ' ro' : ''}`),
        ['9p', 'sshfs', '9p ro', 'sshfs'],
      );
    });

    it('serves one sshfs share over its virtio-serial port and the other over the SSH channel', async () => {
      assert.deepEqual(await sshfsStdin(), { [hostDirs.sshfs]: 'port', [hostDirs['sshfs-ssh']]: 'pipe' });
    });

    it('gives each sshfs mount 1 MiB of read-ahead (FUSE starts at 128 KiB)', async () => {
      const c = await connectSsh(m.machines.sshTarget(m.name));
      try {
        for (const dir of [hostDirs.sshfs, hostDirs['sshfs-ssh']]) {
          const r = await execOn(c, ['sh', '-c', 'cat "/sys/class/bdi/$(mountpoint -d "$1")/read_ahead_kb"', 'sh', dir]);
          assert.equal(r.stdout.trim(), '1024', `${dir}: ${r.stderr}`);
        }
      } finally {
        c.end();
      }
    });
  });

  for (const mech of ['9p', 'sshfs', 'sshfs-ssh'] as const) {
    describe(`${mech} share`, () => {
      const dir = () => hostDirs[mech];
      const run = (...cmd: string[]) => ok(env, 'run', '--rm', '-v', `${dir()}:${dir()}`, '-w', dir(), BUSYBOX_IMAGE, ...cmd);

      it('a container bind-mounting it at the same path reads a file written on the host', async () => {
        writeFileSync(path.join(dir(), 'from host.txt'), 'hello from the host ✓\n');
        assert.equal(await run('cat', `${dir()}/from host.txt`), 'hello from the host ✓');
      });

      it('the host reads a file the container wrote, owned by the host user', async () => {
        await run('sh', '-c', 'echo written in a container > made-in-container.txt && mkdir -p sub/deeper && echo x > sub/deeper/f');
        const f = path.join(dir(), 'made-in-container.txt');
        assert.equal(readFileSync(f, 'utf8'), 'written in a container\n');
        assert.equal(statSync(f).uid, process.getuid!());
        assert.equal(statSync(path.join(dir(), 'sub', 'deeper', 'f')).uid, process.getuid!());
      });

      it('sees renames and deletes from either side at once', async () => {
        writeFileSync(path.join(dir(), 'old name'), 'r\n');
        renameSync(path.join(dir(), 'old name'), path.join(dir(), 'new name'));
        assert.equal(await run('sh', '-c', 'ls; cat "new name"; test ! -e "old name" && echo gone'), ['from host.txt', 'made-in-container.txt', 'new name', 'sub', 'r', 'gone'].join('\n'));
        await run('sh', '-c', 'rm "new name" && mv made-in-container.txt renamed.txt');
        assert.equal(existsSync(path.join(dir(), 'new name')), false);
        assert.equal(existsSync(path.join(dir(), 'renamed.txt')), true);
      });

      it('passes modes and symlinks through both ways', async () => {
        await run('sh', '-c', 'echo "#!/bin/sh" > tool.sh && chmod 755 tool.sh && ln -s renamed.txt link');
        assert.equal(statSync(path.join(dir(), 'tool.sh')).mode & 0o777, 0o755);
        assert.equal(readFileSync(path.join(dir(), 'link'), 'utf8'), 'written in a container\n');
        writeFileSync(path.join(dir(), 'private'), 'p\n');
        chmodSync(path.join(dir(), 'private'), 0o600);
        symlinkSync('private', path.join(dir(), 'host-link'));
        assert.equal(await run('sh', '-c', 'stat -c %a private; cat host-link'), '600\np');
      });
    });
  }

  /** For each sshfs mount in the guest: whether sshfs's stdin is a virtio-serial port or a pipe (the SSH channel). */
  async function sshfsStdin(): Promise<Record<string, string>> {
    const c = await connectSsh(m.machines.sshTarget(m.name));
    try {
      const r = await execOn(c, ['sudo', '-n', 'sh', '-c', 'for p in $(pidof sshfs); do readlink /proc/$p/fd/0; tr "\\0" "\\n" < /proc/$p/cmdline | sed -n 3p; done']);
      const lines = r.stdout.split('\n').filter(Boolean);
      const out: Record<string, string> = {};
      for (let i = 0; i + 1 < lines.length; i += 2) out[lines[i + 1]] = /^\/dev\/vport/.test(lines[i]) ? 'port' : /^pipe:/.test(lines[i]) ? 'pipe' : lines[i];
      return out;
    } finally {
      c.end();
    }
  }

  describe('read-only shares and confinement', () => {
    it('refuses writes to a read-only share and still reads it', async () => {
      const dir = hostDirs.ro;
      const r = await docker(env, 'run', '--rm', '-v', `${dir}:${dir}`, BUSYBOX_IMAGE, 'sh', '-c', `cat "${dir}/r.txt"; echo x > "${dir}/w.txt"`);
      assert.equal(r.out, 'read me');
      assert.notEqual(r.code, 0);
      assert.match(r.err, /Read-only file system/);
      assert.equal(existsSync(path.join(dir, 'w.txt')), false);
    });

    for (const mech of ['sshfs', 'sshfs-ssh'] as const)
      it(`does not let a symlink in the ${mech} share reach host files outside it`, async () => {
        const dir = hostDirs[mech];
        symlinkSync(hostDirs.outside, path.join(dir, 'escape'));
        symlinkSync('../outside/secret', path.join(dir, 'escape-relative'));
        // In the guest the links point at guest paths, where the outside folder is not shared: nothing to read.
        const r = await docker(env, 'run', '--rm', '-v', `${dir}:${dir}`, BUSYBOX_IMAGE, 'sh', '-c', `cat "${dir}/escape/secret"; cat "${dir}/escape-relative"; ls "${hostDirs.outside}"`);
        assert.doesNotMatch(r.out, /not for the guest/);
        assert.notEqual(r.code, 0);
      });
  });

  describe('the sshfs session', () => {
    it('unmounts the sshfs shares when their session closes, and mounts them again with the next one', async () => {
      const dirs = [hostDirs.sshfs, hostDirs['sshfs-ssh']];
      const sshfsMounted = async () => {
        const c = await connectSsh(m.machines.sshTarget(m.name));
        try {
          const mounts = parseProcMounts((await execOn(c, ['cat', '/proc/mounts'])).stdout);
          return dirs.filter((d) => mounts.some((m) => m.path === d && m.type.startsWith('fuse')));
        } finally {
          c.end();
        }
      };
      for (const dir of dirs) writeFileSync(path.join(dir, 'across sessions.txt'), 'still here\n');
      assert.deepEqual(await sshfsMounted(), dirs);
      assert.ok(!events.some((e) => e.kind === 'share-lost'), JSON.stringify(events));
      await m.session.dispose();
      // sshfs exits and unmounts once its SFTP server is gone.
      await waitUntil('the sshfs mounts to go', async () => (await sshfsMounted()).length === 0, { timeoutMs: 60_000, everyMs: 200 });
      // Twice: each new session must find the port clean (nothing left over from the last sshfs).
      for (let round = 0; round < 2; round++) {
        if (round) await m.session.dispose();
        m.session = await MachineSession.open(m.machines, m.name, m.sessionOptions);
        assert.deepEqual(m.session.shareErrors, []);
        for (const dir of dirs) assert.equal(await ok(env, 'run', '--rm', '-v', `${dir}:${dir}`, BUSYBOX_IMAGE, 'cat', `${dir}/across sessions.txt`), 'still here');
      }
      assert.deepEqual(await sshfsStdin(), { [hostDirs.sshfs]: 'port', [hostDirs['sshfs-ssh']]: 'pipe' });
    });

    it('kills a server blocked writing to its port once its channel closes, and frees the port', async () => {
      // The sshfs-ssh share's port is unused (that share goes over the SSH channel). A writer
      // on it blocks as soon as this end stops reading, as sshfs does when a session ends mid-write.
      const share = m.machines.runningShares(m.name).find((s) => s.hostPath === hostDirs['sshfs-ssh']);
      assert.ok(share?.sftpSocket);
      const c = await connectSsh(m.machines.sshTarget(m.name));
      try {
        const marker = 'slipway-sftp test-blocked-writer';
        const guestMnt = `${hostDirs['sshfs-ssh']}-not-mounted`;
        const writerArgv = ['sudo', '-n', 'sh', '-c', PORT_SCRIPT, 'sh', sftpPortName(share.tag), marker, guestMnt, 'dd', 'if=/dev/zero', 'bs=12345'];
        const aborted = new Promise<Error>(() => undefined);
        const port = await connectPort(share.sftpSocket, marker, aborted);
        const channel = await openExecChannel(c, writerArgv);
        channel.resume();
        const exited = new Promise<void>((r) => channel.on('close', () => r()));
        await port.connected;
        // The writer's bytes arrive here (so it runs and the port works); then this end stops reading.
        let received = 0;
        port.socket.on('data', (d: Buffer) => (received += d.length));
        port.socket.resume(); // connectPort paused it: a listener alone does not restart a paused socket
        await waitUntil('1 MiB from the writer', () => received >= 2 ** 20, { timeoutMs: 60_000, everyMs: 20 });
        port.socket.pause();
        // The writer's command line (and its script's) are the only ones with "bs=12345"; the bracket keeps pgrep's own shell out.
        const pids = async () => (await execOn(c, ['sh', '-c', 'pgrep -f "bs=1234[5]" || true'])).stdout.trim();
        assert.notEqual(await pids(), '', 'the writer runs');
        // Blocked: dd sleeps in the kernel and has written nothing since the last look (its
        // write count, /proc/PID/io wchar, stands still while the buffers between us are full).
        const ddState = async () =>
          (await execOn(c, ['sudo', '-n', 'sh', '-c', 'for p in $(pgrep -x dd); do grep -q "bs=12345" /proc/$p/cmdline && echo "$(cut -d" " -f3 /proc/$p/stat) $(grep wchar /proc/$p/io)"; done'])).stdout.trim();
        let last = '';
        await waitUntil('the writer to block on the full port', async () => {
          const now = await ddState();
          const blocked = /^[SD] wchar: \d+$/.test(now) && now === last;
          last = now;
          return blocked;
        }, { timeoutMs: 60_000, everyMs: 250 });
        // This end goes away while the writer is blocked: only the channel's end of file can stop it now.
        port.socket.destroy();
        channel.close();
        await exited;
        await waitUntil('the blocked writer to be killed', async () => (await pids()) === '', { timeoutMs: 30_000, everyMs: 200 });
        // The port is free again: the next script opens it and its marker arrives.
        const again = await connectPort(share.sftpSocket, `${marker} again`, aborted);
        const second = await openExecChannel(c, ['sudo', '-n', 'sh', '-c', PORT_SCRIPT, 'sh', sftpPortName(share.tag), `${marker} again`, guestMnt, 'true']);
        second.resume();
        const secondExit = new Promise<number | null>((r) => second.on('exit', (code: number | null) => r(code)));
        await again.connected;
        assert.equal(await secondExit, 0);
        again.socket.destroy();
      } finally {
        c.end();
      }
    });

    it('mounts again after the session closes in the middle of a large write over the port', async () => {
      const dir = hostDirs.sshfs;
      const big = path.join(dir, 'big');
      const total = 200 * 2 ** 20;
      rmSync(big, { force: true });
      // A container writes without pause; the session ends under it, leaving requests in flight.
      let writing = true;
      const writer = docker(env, 'run', '--rm', '-v', `${dir}:${dir}`, BUSYBOX_IMAGE, 'dd', 'if=/dev/zero', `of=${big}`, 'bs=1M', `count=${total / 2 ** 20}`).finally(() => (writing = false));
      const size = () => (existsSync(big) ? statSync(big).size : 0);
      // In flight, provably: the file has grown on the host and dd has not finished.
      await waitUntil('8 MiB of the write on the host', () => size() >= 8 * 2 ** 20 || !writing, { timeoutMs: 120_000, everyMs: 20 });
      const atClose = size();
      assert.ok(writing && atClose < total, `the write ended (${atClose} of ${total} bytes on the host) before the session could close under it`);
      await m.session.dispose();
      await writer;
      m.session = await MachineSession.open(m.machines, m.name, m.sessionOptions);
      assert.deepEqual(m.session.shareErrors, []);
      assert.equal(await ok(env, 'run', '--rm', '-v', `${dir}:${dir}`, BUSYBOX_IMAGE, 'sh', '-c', 'cat "$1/across sessions.txt"; rm -f "$1/big"', 'sh', dir), 'still here');
    });

    it('reports a share lost when its sshfs dies in the guest, detaches the mount and mounts it again by itself', async () => {
      const dir = hostDirs.sshfs;
      const seen: SessionEvent[] = [];
      const remounted = new Promise<void>((resolve) =>
        m.session.onEvent((e) => {
          if ((e.kind === 'share-lost' || e.kind === 'share-mounted') && e.guestPath === dir) seen.push(e);
          if (e.kind === 'share-mounted' && e.guestPath === dir) resolve();
        }),
      );
      const c = await connectSsh(m.machines.sshTarget(m.name));
      try {
        // The port share's sshfs: the one whose stdin is a virtio-serial port.
        const kill = 'for p in $(pidof sshfs); do case "$(readlink /proc/$p/fd/0)" in /dev/vport*) kill -9 $p;; esac; done';
        assert.equal((await execOn(c, ['sudo', '-n', 'sh', '-c', kill])).code, 0);
        await remounted;
        const lost = seen[0];
        assert.equal(lost.kind, 'share-lost');
        assert.match(lost.kind === 'share-lost' ? lost.error.message : '', /was unmounted/);
        assert.equal(lost.kind === 'share-lost' && lost.retryInMs, 1000);
        assert.deepEqual(seen.slice(1).map((e) => e.kind), ['share-mounted']);
        // Exactly one mount at the path: the dead one was detached, not stacked under.
        const mounts = parseProcMounts((await execOn(c, ['cat', '/proc/mounts'])).stdout);
        assert.equal(mounts.filter((x) => x.path === dir).length, 1);
      } finally {
        c.end();
      }
      assert.equal(await ok(env, 'run', '--rm', '-v', `${dir}:${dir}`, BUSYBOX_IMAGE, 'cat', `${dir}/across sessions.txt`), 'still here');
      assert.deepEqual(await sshfsStdin(), { [hostDirs.sshfs]: 'port', [hostDirs['sshfs-ssh']]: 'pipe' });
    });

    it('reports shares that cannot be mounted when the session opens, and mounts them once they can', async () => {
      const dirs = [hostDirs.sshfs, hostDirs['sshfs-ssh']];
      await m.session.dispose();
      const c = await connectSsh(m.machines.sshTarget(m.name));
      try {
        const mountedAt = async () => parseProcMounts((await execOn(c, ['cat', '/proc/mounts'])).stdout).some((x) => dirs.includes(x.path));
        await waitUntil('the closed session\'s sshfs mounts to go', async () => !(await mountedAt()), { timeoutMs: 60_000, everyMs: 200 });
        // Without /dev/fuse no sshfs can mount.
        let r = await execOn(c, ['sudo', '-n', 'mv', '/dev/fuse', '/dev/fuse.away']);
        assert.equal(r.code, 0, r.stderr);
        const pending = new Set(dirs);
        let allMounted!: () => void;
        const mounted = new Promise<void>((resolve) => (allMounted = resolve));
        const onEvent = (e: SessionEvent) => {
          if (e.kind === 'share-mounted' && pending.delete(e.guestPath) && !pending.size) allMounted();
        };
        try {
          m.session = await MachineSession.open(m.machines, m.name, { ...m.sessionOptions, onEvent });
        } finally {
          r = await execOn(c, ['sudo', '-n', 'mv', '/dev/fuse.away', '/dev/fuse']);
        }
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(
          m.session.shareErrors.map((e) => e.message.match(/^Could not mount the shared folder "(.*?)" at/)?.[1]).sort(),
          [...dirs].sort(),
        );
        await mounted;
      } finally {
        c.end();
      }
      for (const dir of dirs) assert.equal(await ok(env, 'run', '--rm', '-v', `${dir}:${dir}`, BUSYBOX_IMAGE, 'cat', `${dir}/across sessions.txt`), 'still here');
      assert.deepEqual(await sshfsStdin(), { [hostDirs.sshfs]: 'port', [hostDirs['sshfs-ssh']]: 'pipe' });
    });
  });
});
