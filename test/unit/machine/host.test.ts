// What a user without QEMU is told to install: per host OS, and on Linux per
// emulated architecture (an aarch64 machine needs qemu-system-arm on Debian).
// Probing a QEMU binary: asynchronous, remembered per binary and mtime.

import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { installHint, probeAccel, probeVirtfs, qemuHelp } from '../../../src/machine/host';
import { fakeBin, fakeCalls } from '../../harness/fakeBin';

describe('installHint', () => {
  const cases: [Parameters<typeof installHint>, RegExp][] = [
    [['linux', 'x86_64'], /"sudo apt-get install qemu-system-x86 qemu-utils".*"sudo dnf install qemu-kvm qemu-img"/],
    [['linux', 'aarch64'], /"sudo apt-get install qemu-system-arm qemu-utils".*"sudo dnf install qemu-system-aarch64 qemu-img"/],
    [['linux'], /qemu-system-x86 /],
    [['darwin', 'aarch64'], /^Install QEMU with "brew install qemu"\.$/],
    [['win32', 'x86_64'], /qemu\.org\/download\/#windows/],
  ];
  for (const [args, want] of cases) it(`${args.join(' ')}`, () => assert.match(installHint(...args), want));
});

describe('QEMU probes (fake qemu binaries)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'slipway-qemu-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const DEVICES = 'echo \'name "virtio-9p-pci", bus PCI, alias "virtio-9p"\'';

  it('asks a binary for its devices once, and again when its mtime changes', async () => {
    const qemu = fakeBin(dir, 'qemu-system-x86_64', DEVICES);
    assert.equal(await probeVirtfs('linux', qemu, {}), true);
    assert.equal(await probeVirtfs('linux', qemu, {}), true);
    assert.deepEqual(fakeCalls(qemu), ['run -device help']);
    utimesSync(qemu, new Date(), new Date(Date.now() + 60_000));
    assert.equal(await probeVirtfs('linux', qemu, {}), true);
    assert.equal(fakeCalls(qemu).length, 2);
  });

  it('finds no virtio-9p in a build without it, and a failed probe is not remembered', async () => {
    const qemu = fakeBin(dir, 'qemu-system-x86_64', 'echo \'name "virtio-net-pci", bus PCI\'');
    assert.equal(await probeVirtfs('linux', qemu, {}), false);
    const broken = fakeBin(dir, 'qemu-broken', 'exit 1');
    assert.equal(await probeVirtfs('linux', broken, {}), false);
    assert.equal(await probeVirtfs('linux', broken, {}), false);
    assert.equal(fakeCalls(broken).length, 2);
  });

  it('gives up on a QEMU that hangs', async () => {
    const qemu = fakeBin(dir, 'qemu-hang', 'exec sleep 10');
    const t0 = Date.now();
    assert.equal(await qemuHelp(qemu, '-device', 200), undefined);
    assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
  });

  it('keeps the SLIPWAY_VIRTFS override and never asks on Windows', async () => {
    const qemu = fakeBin(dir, 'qemu-system-x86_64', DEVICES);
    assert.equal(await probeVirtfs('linux', qemu, { SLIPWAY_VIRTFS: '0' }), false);
    assert.equal(await probeVirtfs('win32', qemu, {}), false);
    assert.deepEqual(fakeCalls(qemu), []);
  });

  it('takes WHPX on Windows from the accelerators QEMU lists, once per binary', async () => {
    const qemu = fakeBin(dir, 'qemu-system-x86_64.exe', 'printf "Accelerators supported in QEMU binary:\\ntcg\\nwhpx\\n"');
    assert.equal(await probeAccel('win32', 'x86_64', { SLIPWAY_QEMU: qemu }), 'whpx');
    assert.equal(await probeAccel('win32', 'x86_64', { SLIPWAY_QEMU: qemu }), 'whpx');
    assert.deepEqual(fakeCalls(qemu), ['run -accel help']);
    assert.equal(await probeAccel('linux', 'x86_64', { SLIPWAY_ACCEL: 'tcg' }), 'tcg');
  });
});
