// Start's failure paths with a fake QEMU (a small script standing in for the
// binary): QEMU's own error is surfaced, a guest-reported error is surfaced,
// and either way the machine is left stopped, unlocked and without stale files.

import * as assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ImageInfo } from '../../../src/machine/image';
import { Machines } from '../../../src/machine/machine';
import { type MachineEvent } from '../../../src/machine/status';
import { pidAlive } from '../../../src/machine/lock';
import { readPid } from '../../../src/machine/runtime';

const FAKE_GUEST_ERROR = `#!${process.execPath}
// Writes the pid file and a guest error line to the serial log, then hangs like a stuck VM.
const args = process.argv.slice(2);
const fs = require('fs');
const serial = args.find((a) => a.startsWith('file,id=serial0,path=')).slice('file,id=serial0,path='.length);
fs.writeFileSync(args[args.indexOf('-pidfile') + 1], String(process.pid));
fs.writeFileSync(process.env.FAKE_QEMU_PID_OUT, String(process.pid));
fs.writeFileSync(serial, 'slipway: stage modules 10\\nslipway: error the seed is missing\\n');
setInterval(() => {}, 1000);
`;

const FAKE_KERNEL_PANIC = `#!${process.execPath}
// What QEMU does when the guest kernel panics (panic=-1 and -no-reboot): the serial log ends
// with the panic, QEMU exits 0 and says nothing. Counts its runs in FAKE_QEMU_RUNS.
const args = process.argv.slice(2);
const fs = require('fs');
const serial = args.find((a) => a.startsWith('file,id=serial0,path=')).slice('file,id=serial0,path='.length);
fs.appendFileSync(process.env.FAKE_QEMU_RUNS, 'run\\n');
fs.writeFileSync(serial, '[    2.786859] Modules linked in:\\n[    2.788350] Kernel panic - not syncing: Fatal exception in interrupt\\n[    5.114969] Shutting down cpus with NMI\\n');
process.exit(0);
`;

const FAKE_QEMU_FAILS = `#!/bin/sh
echo "qemu-system-x86_64: -kernel /nope: could not open kernel file" >&2
exit 1
`;

describe('machine start failures (fake QEMU)', function () {
  this.timeout(30_000);
  let root: string;
  let image: ImageInfo;

  function machines(qemuScript: string): Machines {
    const qemu = path.join(root, 'fake-qemu');
    writeFileSync(qemu, qemuScript);
    chmodSync(qemu, 0o755);
    return new Machines({
      root,
      resolveImage: async () => image,
      probe: async () => ({ os: 'linux', arch: 'x86_64', accel: 'tcg', qemu, virtfs: false }),
      bootTimeoutMs: 20_000,
    });
  }

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'slipway-start-'));
    const dir = path.join(root, 'img');
    image = { dir, kernel: `${dir}/vmlinuz`, initrd: `${dir}/initrd.img`, root: `${dir}/root.img`, cmdline: 'console=ttyS0', version: 'test', recipeHash: 'x', arch: 'x86_64' };
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("surfaces QEMU's stderr when it exits at once", async () => {
    const m = machines(FAKE_QEMU_FAILS);
    await m.create('dev', { diskGiB: 4 });
    const events: MachineEvent[] = [];
    await assert.rejects(m.start('dev', { onEvent: (e) => events.push(e) }), (err: Error) => {
      assert.match(err.message, /^QEMU exited before machine "dev" was ready: qemu-system-x86_64: -kernel \/nope: could not open kernel file \(logs: /);
      return true;
    });
    assert.deepEqual(events.filter((e) => e.kind === 'stage').map((e) => (e as { stage: string }).stage), ['image', 'disk', 'boot']);
    assert.ok(events.some((e) => e.kind === 'warning' && /TCG/.test(e.message)));
    const paths = m.paths('dev');
    assert.equal(existsSync(paths.dataDisk), true, 'the disk stage made the data disk');
    assert.equal(existsSync(paths.lock), false, 'the lock is released');
    assert.equal(m.status('dev').state, 'stopped');
  });

  it('surfaces the error the guest reports on its console and kills the stuck QEMU', async () => {
    const m = machines(FAKE_GUEST_ERROR);
    await m.create('dev', { diskGiB: 4 });
    const pidOut = path.join(root, 'fake.pid');
    process.env.FAKE_QEMU_PID_OUT = pidOut;
    try {
      await assert.rejects(m.start('dev'), /^Error: Machine "dev" failed to boot: the seed is missing \(see ".*serial\.log"\)\.$/);
    } finally {
      delete process.env.FAKE_QEMU_PID_OUT;
    }
    const pid = readPid(pidOut)!;
    while (pidAlive(pid)) await new Promise((r) => setTimeout(r, 20));
    const paths = m.paths('dev');
    assert.equal(existsSync(paths.pidFile), false, 'stale pid file removed');
    assert.equal(m.status('dev').state, 'stopped');
  });

  it('boots once more after a guest kernel panic, then names the panic', async () => {
    const m = machines(FAKE_KERNEL_PANIC);
    await m.create('dev', { diskGiB: 4 });
    const runs = path.join(root, 'runs');
    process.env.FAKE_QEMU_RUNS = runs;
    const events: MachineEvent[] = [];
    try {
      await assert.rejects(
        m.start('dev', { onEvent: (e) => events.push(e) }),
        /^Error: QEMU exited before machine "dev" was ready: its kernel crashed \(kernel panic: Fatal exception in interrupt\) \(logs: /,
      );
    } finally {
      delete process.env.FAKE_QEMU_RUNS;
    }
    assert.equal(readFileSync(runs, 'utf8'), 'run\nrun\n', 'one retry, not more');
    const warnings = events.flatMap((e) => (e.kind === 'warning' && /kernel/.test(e.message) ? [e.message] : []));
    assert.deepEqual(warnings, ["The machine's kernel crashed while booting (Fatal exception in interrupt); starting it once more."]);
    assert.equal(m.status('dev').state, 'stopped');
  });

  it('refuses to start a machine that does not exist, saying how to create it', async () => {
    await assert.rejects(machines(FAKE_QEMU_FAILS).start('ghost'), /^MachineNotFoundError: Machine "ghost" does not exist\. Create it with "slipway machine create ghost"\.$/);
  });
});
