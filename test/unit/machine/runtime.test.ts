import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { machinePaths, sftpSocketPath } from '../../../src/machine/layout';
import { cleanStale, guestKernelPanic, LogFollower, parseGuestLine, runningQemuPid } from '../../../src/machine/runtime';

describe('machine runtime files', () => {
  describe('guestKernelPanic', () => {
    it('finds the reason of the last panic in serial text', () => {
      const serial = '[    2.78] Oops: int3: 0000 [#2] PREEMPT SMP NOPTI\r\n[    2.79] Kernel panic - not syncing: Fatal exception in interrupt\r\n[    5.11] Shutting down cpus with NMI\n';
      assert.equal(guestKernelPanic(serial), 'Fatal exception in interrupt');
      assert.equal(guestKernelPanic('Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)\n'), 'VFS: Unable to mount root fs on unknown-block(0,0)');
      assert.equal(guestKernelPanic('Kernel panic - not syncing:\n'), 'no reason given');
    });
    it('says nothing for a normal boot log', () => {
      assert.equal(guestKernelPanic('slipway: stage modules 10\nslipway: ready\n'), undefined);
      assert.equal(guestKernelPanic(''), undefined);
    });
  });

  describe('parseGuestLine', () => {
    const cases: [string, ReturnType<typeof parseGuestLine>][] = [
      ['slipway: stage data 2270', { kind: 'stage', name: 'data', ms: 2270 }],
      ['[    3.1] slipway: stage sshd 3100\r', { kind: 'stage', name: 'sshd', ms: 3100 }],
      ['slipway: ready', { kind: 'ready' }],
      ['slipway: error data disk /dev/vdb missing', { kind: 'error', message: 'data disk /dev/vdb missing' }],
      ['Linux version 6.12', undefined],
      ['slipway: readyish', undefined],
    ];
    for (const [line, want] of cases) it(JSON.stringify(line), () => assert.deepEqual(parseGuestLine(line.replace(/\r$/, '')), want));
  });

  describe('stale files after a crash', () => {
    let root: string;
    beforeEach(() => (root = mkdtempSync(path.join(os.tmpdir(), 'slipway-rt-'))));
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    it('removes pid, QMP socket, state, share sockets and Docker socket nobody owns', async () => {
      const p = machinePaths(root, 'default', { os: 'linux', tmpDir: os.tmpdir() });
      mkdirSync(p.runDir, { recursive: true });
      const dead = spawn(process.execPath, ['-e', '0']);
      await new Promise((r) => dead.once('exit', r));
      const sftp = sftpSocketPath(p, 'slipway1', 'linux');
      for (const f of [p.qmpSocket, p.stateFile, p.dockerSocket, sftp, path.join(p.runDir, 'sftp-notes.txt')]) writeFileSync(f, '');
      writeFileSync(p.pidFile, `${dead.pid}\n`);
      writeFileSync(p.agentPidFile, `${dead.pid}\n`);
      assert.equal(runningQemuPid(p), undefined);
      assert.deepEqual(cleanStale(p).sort(), [p.pidFile, p.qmpSocket, p.stateFile, p.agentPidFile, p.dockerSocket, sftp].sort());
      assert.deepEqual(cleanStale(p), []);
    });

    it('does not take a recycled pid (another program) for QEMU', () => {
      const p = machinePaths(root, 'default', { os: 'linux', tmpDir: os.tmpdir() });
      mkdirSync(p.runDir, { recursive: true });
      writeFileSync(p.pidFile, `${process.pid}\n`); // alive, but not a QEMU started with this pid file
      if (process.platform === 'linux') assert.equal(runningQemuPid(p), undefined);
      writeFileSync(p.qmpSocket, '');
      if (process.platform === 'linux') assert.ok(cleanStale(p).includes(p.qmpSocket));
    });
  });

  it('LogFollower delivers whole lines as the file grows', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'slipway-log-'));
    try {
      const f = path.join(dir, 'serial.log');
      const lines: string[] = [];
      const follower = new LogFollower(f, (l) => lines.push(l));
      follower.poll(); // file absent: nothing, no error
      writeFileSync(f, 'boot\r\nslipway: stage da');
      follower.poll();
      assert.deepEqual(lines, ['boot']);
      appendFileSync(f, 'ta 12\nslipway: ready\n');
      follower.poll();
      assert.deepEqual(lines, ['boot', 'slipway: stage data 12', 'slipway: ready']);
      assert.equal(existsSync(f), true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
