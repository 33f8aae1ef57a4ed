// Shared folders in a real machine (fixture.ts: a virtio-9p share, an sshfs share
// served by this process and a read-only 9p share, all mounted at the same path as
// on the host). Containers bind-mount them exactly as they would with a local engine.

import * as assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { MachineSession, type SessionEvent } from '../../src/machine/session';
import { parseProcMounts } from '../../src/machine/sshfsMounts';
import { connectSsh, execOn } from '../../src/machine/ssh';
import { BUSYBOX_IMAGE } from '../harness/images';
import { docker, dockerOk, qemuAvailable, sharedMachine, type SharedMachine } from './fixture';

describe('shared folders (real QEMU and guest image)', function () {
  this.timeout(300_000);
  let m: SharedMachine;
  let hostDirs: SharedMachine['dirs'];
  let env: NodeJS.ProcessEnv;
  const events: SessionEvent[] = [];
  const ok = dockerOk;

  before(async function () {
    this.timeout(1_800_000);
    if (!qemuAvailable()) this.skip();
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
        ['9p', 'sshfs', '9p ro'],
      );
    });
  });

  for (const mech of ['9p', 'sshfs'] as const) {
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

  describe('read-only shares and confinement', () => {
    it('refuses writes to a read-only share and still reads it', async () => {
      const dir = hostDirs.ro;
      const r = await docker(env, 'run', '--rm', '-v', `${dir}:${dir}`, BUSYBOX_IMAGE, 'sh', '-c', `cat "${dir}/r.txt"; echo x > "${dir}/w.txt"`);
      assert.equal(r.out, 'read me');
      assert.notEqual(r.code, 0);
      assert.match(r.err, /Read-only file system/);
      assert.equal(existsSync(path.join(dir, 'w.txt')), false);
    });

    it('does not let a symlink in the sshfs share reach host files outside it', async () => {
      const dir = hostDirs.sshfs;
      symlinkSync(hostDirs.outside, path.join(dir, 'escape'));
      symlinkSync('../outside/secret', path.join(dir, 'escape-relative'));
      // In the guest the links point at guest paths, where the outside folder is not shared: nothing to read.
      const r = await docker(env, 'run', '--rm', '-v', `${dir}:${dir}`, BUSYBOX_IMAGE, 'sh', '-c', `cat "${dir}/escape/secret"; cat "${dir}/escape-relative"; ls "${hostDirs.outside}"`);
      assert.doesNotMatch(r.out, /not for the guest/);
      assert.notEqual(r.code, 0);
    });
  });

  describe('the sshfs session', () => {
    it('unmounts the sshfs share when its session closes, and mounts it again with the next one', async () => {
      const dir = hostDirs.sshfs;
      const sshfsMounted = async () => {
        const c = await connectSsh(m.machines.sshTarget(m.name));
        try {
          return parseProcMounts((await execOn(c, ['cat', '/proc/mounts'])).stdout).some((m) => m.path === dir && m.type.startsWith('fuse'));
        } finally {
          c.end();
        }
      };
      assert.equal(await sshfsMounted(), true);
      assert.ok(!events.some((e) => e.kind === 'share-lost'), JSON.stringify(events));
      await m.session.dispose();
      let mounted = true;
      for (let i = 0; i < 50 && mounted; i++) {
        mounted = await sshfsMounted();
        if (mounted) await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(mounted, false, 'sshfs exits and unmounts once its SFTP server is gone');
      m.session = await MachineSession.open(m.machines, m.name);
      assert.deepEqual(m.session.shareErrors, []);
      assert.equal(await ok(env, 'run', '--rm', '-v', `${dir}:${dir}`, BUSYBOX_IMAGE, 'cat', `${dir}/from host.txt`), 'hello from the host ✓');
    });
  });
});
