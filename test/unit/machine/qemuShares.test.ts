import * as assert from 'node:assert/strict';
import { machinePaths } from '../../../src/machine/layout';
import { qemuArgs, type BootImage, type HostInfo } from '../../../src/machine/qemuArgs';
import { resolveShares } from '../../../src/machine/shares';
import { withDefaults } from '../../../src/machine/spec';

const paths = machinePaths('/h/.slipway', 'default', { os: 'linux', tmpDir: '/tmp' });
const image: BootImage = { kernel: '/k', initrd: '/i', root: '/r', cmdline: 'quiet', arch: 'x86_64' };
const spec = withDefaults({}, 'default', { arch: 'x86_64', cpus: 2, user: { name: 'ann', uid: 501, gid: 20 } });
const flags = (args: string[], name: string) => args.flatMap((a, i) => (a === name ? [args[i + 1]] : []));

describe('qemuArgs: shared folders', () => {
  it('adds a virtio-9p device per 9p share (commas in paths doubled) and none for sshfs shares', () => {
    const shares = resolveShares(
      [
        { hostPath: '/Users/ann/a,b', guestPath: '/Users/ann/a,b', readOnly: false, mechanism: 'auto' },
        { hostPath: '/srv', guestPath: '/srv', readOnly: true, mechanism: '9p' },
        { hostPath: '/opt', guestPath: '/opt', readOnly: false, mechanism: 'sshfs' },
      ],
      { virtfs: true },
    );
    const { args } = qemuArgs(spec, { os: 'darwin', arch: 'x86_64', accel: 'hvf' }, paths, image, { sshPort: 2222, seed: [], shares });
    assert.deepEqual(flags(args, '-fsdev'), [
      'local,id=fs-slipway0,path=/Users/ann/a,,b,security_model=none',
      'local,id=fs-slipway1,path=/srv,security_model=none,readonly=on',
    ]);
    assert.deepEqual(
      flags(args, '-device').filter((d) => d.startsWith('virtio-9p')),
      ['virtio-9p-pci,fsdev=fs-slipway0,mount_tag=slipway0', 'virtio-9p-pci,fsdev=fs-slipway1,mount_tag=slipway1'],
    );
  });

  it('refuses a 9p share on Windows', () => {
    const shares = resolveShares([{ hostPath: 'C:\\x', guestPath: '/c/x', readOnly: false, mechanism: 'auto' }], { virtfs: true });
    assert.throws(() => qemuArgs(spec, { os: 'win32', arch: 'x86_64', accel: 'whpx' }, paths, image, { sshPort: 2222, seed: [], shares }), /QEMU does not support on Windows/);
  });

  describe('sshfs shares over virtio-serial', () => {
    const shares = resolveShares(
      [
        { hostPath: '/a', guestPath: '/a', readOnly: false, mechanism: '9p' },
        { hostPath: '/b', guestPath: '/b', readOnly: false, mechanism: 'sshfs' },
        { hostPath: '/c', guestPath: '/c', readOnly: true, mechanism: 'sshfs' },
      ],
      { virtfs: true },
    );
    const hosts: [string, HostInfo][] = [
      ['linux', { os: 'linux', arch: 'x86_64', accel: 'kvm' }],
      ['darwin', { os: 'darwin', arch: 'x86_64', accel: 'hvf' }],
    ];
    for (const [title, host] of hosts)
      it(`adds one virtio-serial controller and a named port per sshfs share on ${title}`, () => {
        const p = machinePaths('/h/my,home', 'default', { os: host.os, tmpDir: '/tmp', user: 'ann' });
        const { args } = qemuArgs(spec, host, p, image, { sshPort: 2222, seed: [], shares });
        const dir = '/h/my,,home/machines/default/run';
        assert.deepEqual(flags(args, '-device').filter((d) => d.startsWith('virt') && !d.startsWith('virtio-9p') && !d.startsWith('virtio-blk') && !d.startsWith('virtio-net') && !d.startsWith('virtio-rng') && !d.startsWith('virtio-balloon')), [
          'virtio-serial-pci,id=vser0',
          'virtserialport,bus=vser0.0,chardev=sftp-slipway1,name=org.slipway.sftp.slipway1',
          'virtserialport,bus=vser0.0,chardev=sftp-slipway2,name=org.slipway.sftp.slipway2',
        ]);
        assert.deepEqual(flags(args, '-chardev').filter((c) => c.includes('sftp')), [
          `socket,id=sftp-slipway1,path=${dir}/sftp-slipway1.sock,server=on,wait=off`,
          `socket,id=sftp-slipway2,path=${dir}/sftp-slipway2.sock,server=on,wait=off`,
        ]);
      });

    it('adds no virtio-serial device without sshfs shares', () => {
      const { args } = qemuArgs(spec, { os: 'linux', arch: 'x86_64', accel: 'kvm' }, paths, image, { sshPort: 2222, seed: [], shares: shares.slice(0, 1) });
      assert.ok(!args.some((a) => a.includes('virtio-serial') || a.includes('virtserialport') || a.includes('sftp')), args.join(' '));
    });

    it('adds no virtio-serial port on Windows (the SSH channel carries sshfs there)', () => {
      const win = machinePaths('C:\\Users\\ann\\Slipway', 'default', { os: 'win32', tmpDir: 'C:\\Temp', user: 'ann' });
      const { args } = qemuArgs(spec, { os: 'win32', arch: 'x86_64', accel: 'whpx' }, win, image, { sshPort: 2222, seed: [], shares: shares.slice(1) });
      assert.ok(!args.some((a) => a.includes('virtio-serial') || a.includes('virtserialport') || a.includes('sftp')), args.join(' '));
    });
  });
});
