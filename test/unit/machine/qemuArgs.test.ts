import * as assert from 'node:assert/strict';
import { machinePaths, type HostOs } from '../../../src/machine/layout';
import { qemuArgs, optValue, type Accel, type BootImage, type HostInfo } from '../../../src/machine/qemuArgs';
import { withDefaults, type GuestArch, type MachineSpec } from '../../../src/machine/spec';

const paths = machinePaths('/h/.slipway', 'default', { os: 'linux', tmpDir: '/tmp' });
const image = (arch: GuestArch): BootImage => ({ kernel: '/img/vmlinuz', initrd: '/img/initrd', root: '/img/root.img', cmdline: 'console=ttyS0 quiet', arch });
const spec = (arch: GuestArch): MachineSpec => withDefaults({ arch, cpus: 2, memoryMiB: 2048 }, 'default', { arch, cpus: 4, user: { name: 'ann', uid: 501, gid: 20 } });
const runtime = { sshPort: 40022, seed: [{ name: 'opt/slipway/seed', file: '/h/.slipway/machines/default/seed/seed.json' }] };

/** The value following the first occurrence of `flag`, or all values with `all`. */
function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
}
function flags(args: string[], name: string): string[] {
  return args.flatMap((a, i) => (a === name ? [args[i + 1]] : []));
}

interface Case {
  os: HostOs;
  hostArch: GuestArch;
  guest: GuestArch;
  probed: Accel;
  exe: string;
  accelArg: string;
  cpu: string | undefined;
  machine: string;
  warnings: number;
}

const NATIVE: Record<HostOs, Accel> = { linux: 'kvm', darwin: 'hvf', win32: 'whpx' };

function expected(os: HostOs, hostArch: GuestArch, guest: GuestArch, probed: Accel): Case {
  const native = NATIVE[os];
  const hw = probed === native && hostArch === guest;
  const accelArg = !hw ? 'tcg,thread=multi' : native === 'whpx' ? 'whpx,kernel-irqchip=off' : native;
  return {
    os,
    hostArch,
    guest,
    probed,
    exe: `qemu-system-${guest}${os === 'win32' ? '.exe' : ''}`,
    accelArg,
    cpu: hw ? (native === 'whpx' ? undefined : 'host') : guest === 'aarch64' ? 'max,pauth-impdef=on' : 'max',
    machine: guest === 'x86_64' ? 'q35' : 'virt,gic-version=max',
    warnings: hw ? 0 : 1,
  };
}

const cases: Case[] = [];
for (const os of ['linux', 'darwin', 'win32'] as HostOs[])
  for (const hostArch of ['x86_64', 'aarch64'] as GuestArch[])
    for (const guest of ['x86_64', 'aarch64'] as GuestArch[])
      for (const probed of [NATIVE[os], 'tcg'] as Accel[]) cases.push(expected(os, hostArch, guest, probed));

describe('qemuArgs', () => {
  describe('every host combination', () => {
    for (const c of cases) {
      it(`${c.os}/${c.hostArch} host, ${c.guest} guest, probe says ${c.probed} → ${c.accelArg}`, () => {
        const host: HostInfo = { os: c.os, arch: c.hostArch, accel: c.probed };
        const r = qemuArgs(spec(c.guest), host, paths, image(c.guest), runtime);
        assert.equal(r.exe, c.exe);
        assert.equal(flag(r.args, '-accel'), c.accelArg);
        assert.equal(flag(r.args, '-cpu'), c.cpu);
        assert.equal(flag(r.args, '-machine'), c.machine);
        assert.equal(r.warnings.length, c.warnings, r.warnings.join('\n'));
        if (c.warnings) assert.match(r.warnings[0], /TCG/);
        assert.equal(r.accel, c.accelArg.split(',')[0]);
      });
    }
  });

  it('warns when the probe reports an accelerator of another OS', () => {
    const r = qemuArgs(spec('x86_64'), { os: 'darwin', arch: 'x86_64', accel: 'kvm' }, paths, image('x86_64'), runtime);
    assert.equal(r.accel, 'tcg');
    assert.equal(r.warnings.length, 2);
    assert.match(r.warnings[0], /"kvm" does not exist on darwin/);
  });

  describe('the command line for a linux/kvm host', () => {
    const { args } = qemuArgs(spec('x86_64'), { os: 'linux', arch: 'x86_64', accel: 'kvm' }, paths, image('x86_64'), runtime);

    it('boots the kernel directly with the image cmdline', () => {
      assert.equal(flag(args, '-kernel'), '/img/vmlinuz');
      assert.equal(flag(args, '-initrd'), '/img/initrd');
      assert.equal(flag(args, '-append'), 'console=ttyS0 quiet');
      assert.equal(flag(args, '-bios'), undefined);
    });

    it('has a read-only root first and the qcow2 data disk with discard second', () => {
      const drives = flags(args, '-drive');
      assert.equal(drives.length, 2);
      assert.match(drives[0], /^if=none,id=root,file=\/img\/root\.img,format=raw,readonly=on,/);
      assert.match(drives[1], /^if=none,id=data,file=\/h\/\.slipway\/machines\/default\/data\.qcow2,format=qcow2,discard=unmap,/);
      assert.deepEqual(flags(args, '-device').filter((d) => d.startsWith('virtio-blk')), ['virtio-blk-pci,drive=root,serial=slipway-root', 'virtio-blk-pci,drive=data,serial=slipway-data']);
    });

    it('forwards only SSH, only on loopback', () => {
      assert.deepEqual(flags(args, '-netdev'), ['user,id=net0,hostfwd=tcp:127.0.0.1:40022-:22']);
    });

    it('has QMP on the unix socket, the serial log, a pidfile, no reboot and no display', () => {
      assert.ok(flags(args, '-chardev').includes(`socket,id=qmp,path=${paths.qmpSocket},server=on,wait=off`));
      assert.equal(flag(args, '-mon'), 'chardev=qmp,mode=control');
      assert.ok(flags(args, '-chardev').includes(`file,id=serial0,path=${paths.serialLog}`));
      assert.equal(flag(args, '-serial'), 'chardev:serial0');
      assert.equal(flag(args, '-pidfile'), paths.pidFile);
      assert.ok(args.includes('-no-reboot'));
      assert.equal(flag(args, '-display'), 'none');
      assert.equal(flag(args, '-smp'), '2');
      assert.equal(flag(args, '-m'), '2048M');
    });

    it('passes the seed with fw_cfg', () => {
      assert.deepEqual(flags(args, '-fw_cfg'), ['name=opt/slipway/seed,file=/h/.slipway/machines/default/seed/seed.json']);
    });
  });

  describe('escaping (regression: option injection through paths)', () => {
    const evil = machinePaths('/h/a,b=c', 'default', { os: 'linux', tmpDir: '/tmp' });
    const r = qemuArgs(
      spec('x86_64'),
      { os: 'linux', arch: 'x86_64', accel: 'tcg' },
      evil,
      { ...image('x86_64'), root: '/img/x,readonly=off' },
      { sshPort: 2222, seed: [{ name: 'opt/slipway/seed', file: '/s,file=/etc/shadow' }] },
    );
    it('doubles commas in every option value', () => {
      assert.equal(optValue('a,b,,c'), 'a,,b,,,,c');
      const drives = flags(r.args, '-drive');
      assert.ok(drives[0].includes('file=/img/x,,readonly=off,format=raw'));
      assert.ok(drives[1].includes('file=/h/a,,b=c/machines/default/data.qcow2,format'));
      assert.deepEqual(flags(r.args, '-fw_cfg'), ['name=opt/slipway/seed,file=/s,,file=/etc/shadow']);
      assert.ok(flags(r.args, '-chardev').some((c) => c.startsWith('socket,id=qmp,path=/h/a,,b=c/')));
    });
    it('refuses fw_cfg names outside opt/ or with separators', () => {
      for (const name of ['etc/x', 'opt/a,file=/x', 'opt/ space'])
        assert.throws(() => qemuArgs(spec('x86_64'), { os: 'linux', arch: 'x86_64', accel: 'tcg' }, paths, image('x86_64'), { sshPort: 1, seed: [{ name, file: '/f' }] }), /fw_cfg item name/);
    });
    it('refuses a bad port and a mismatched image', () => {
      assert.throws(() => qemuArgs(spec('x86_64'), { os: 'linux', arch: 'x86_64', accel: 'tcg' }, paths, image('x86_64'), { sshPort: 70000, seed: [] }), /not a valid TCP port/);
      assert.throws(() => qemuArgs(spec('x86_64'), { os: 'linux', arch: 'x86_64', accel: 'tcg' }, paths, image('aarch64'), runtime), /is aarch64 but machine "default" is x86_64/);
    });
  });
});
