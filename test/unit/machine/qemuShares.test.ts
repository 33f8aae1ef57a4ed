import * as assert from 'node:assert/strict';
import { machinePaths } from '../../../src/machine/layout';
import { qemuArgs, type BootImage } from '../../../src/machine/qemuArgs';
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
});
