import assert from 'node:assert/strict';
import type { MachineStatus } from '../../../src/machine/status';
import { buildMachineList, machineNode } from '../../../src/models/machines';

const spec = { name: 'default', arch: 'x86_64', cpus: 2, memoryMiB: 2048, diskGiB: 64, user: { name: 'me', uid: 1000, gid: 1000, home: '/home/me' } } as unknown as MachineStatus['spec'];

describe('machines model', () => {
  it('describes a running machine with its resources, and warns about emulation', () => {
    const n = machineNode({ name: 'default', state: 'running', spec, accel: 'tcg', sshPort: 2222, dockerHost: 'unix:///s/docker.sock', dockerSocketServed: true });
    assert.equal(n.description, 'running · 2 CPUs · 2 GiB · 64 GiB disk · emulated (slow)');
    assert.equal(n.icon.id, 'vm-running');
    assert.equal(n.contextValue, 'machine running');
    assert.match(n.tooltip, /SSH: 127\.0\.0\.1:2222\nDocker: unix:\/\/\/s\/docker\.sock/);
    assert.match(n.tooltip, /Accelerator: tcg \(no hardware virtualization/);
  });

  it('shows how much of its disk a machine uses on the host', () => {
    const n = machineNode({ name: 'd', state: 'stopped', spec, diskUsedBytes: 3.14 * 1024 ** 3, dockerHost: '', dockerSocketServed: false });
    assert.equal(n.description, 'stopped · 2 CPUs · 2 GiB · 3.1 of 64 GiB disk');
  });

  it('shows a broken machine with its problem instead of hiding it', () => {
    const n = machineNode({ name: 'bad', state: 'broken', error: 'config.json: cpus must be at least 1', dockerHost: '', dockerSocketServed: false });
    assert.equal(n.description, 'config.json: cpus must be at least 1');
    assert.equal(n.icon.id, 'error');
    assert.equal(n.contextValue, 'machine broken');
  });

  it('lists the shared folders under a machine: configured when stopped, with the chosen mechanism when running', () => {
    const shares = [
      { hostPath: '/Users', guestPath: '/Users', readOnly: false, mechanism: 'auto' as const },
      { hostPath: 'C:\\data', guestPath: '/c/data', readOnly: true, mechanism: 'sshfs' as const },
    ];
    const stopped = machineNode({ name: 'm', state: 'stopped', spec: { ...spec!, shares }, dockerHost: '', dockerSocketServed: false });
    assert.deepEqual(stopped.children!.map((c) => [c.label, c.description, c.icon.id, c.contextValue]), [
      ['/Users', '', 'folder', 'machine-share'],
      ['C:\\data', '→ /c/data · sshfs · read-only', 'lock', 'machine-share'],
    ]);
    assert.match(stopped.children![0].tooltip, /Mechanism: virtio-9p or sshfs, chosen at start/);
    const running = machineNode({
      name: 'm',
      state: 'running',
      spec: { ...spec!, shares },
      shares: [{ ...shares[0], mechanism: '9p', tag: 'slipway0' }],
      dockerHost: '',
      dockerSocketServed: true,
    });
    assert.deepEqual(running.children!.map((c) => c.description), ['9p']);
    const sshfs = machineNode({
      name: 'm',
      state: 'running',
      spec: { ...spec!, shares },
      shares: [
        { hostPath: '/a', guestPath: '/a', readOnly: false, mechanism: 'sshfs', tag: 'slipway0', sftpSocket: '/r/sftp-slipway0.sock' },
        { hostPath: '/b', guestPath: '/b', readOnly: false, mechanism: 'sshfs', tag: 'slipway1' },
      ],
      dockerHost: '',
      dockerSocketServed: true,
    });
    assert.deepEqual(sshfs.children!.map((c) => c.description), ['sshfs over virtio-serial', 'sshfs']);
    assert.match(sshfs.children![0].tooltip, /over a virtio-serial port/);
    assert.match(sshfs.children![1].tooltip, /over SSH/);
  });

  it('sorts by name and shows stopped machines plainly', () => {
    const list = buildMachineList([
      { name: 'zeta', state: 'stopped', spec: { ...spec!, memoryMiB: 512, cpus: 1 }, dockerHost: '', dockerSocketServed: false },
      { name: 'alpha', state: 'starting', dockerHost: '', dockerSocketServed: false },
    ]);
    assert.deepEqual(list.map((n) => [n.label, n.description, n.icon.id]), [
      ['alpha', 'starting', 'loading~spin'],
      ['zeta', 'stopped · 1 CPU · 512 MiB · 64 GiB disk', 'vm-outline'],
    ]);
  });
});
