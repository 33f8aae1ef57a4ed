// The QEMU command line of a machine as a pure function of its spec, the host
// (os, arch, the accelerator the probe found usable), its paths and its boot
// image. Probing the host, choosing the SSH port and writing the seed happen
// elsewhere (host.ts, machine.ts); this module only assembles argv, so every
// host combination is unit-tested on any host.

import { sftpSocketPath, type HostOs, type MachinePaths } from './layout';
import type { ResolvedShare } from './shares';
import type { GuestArch, MachineSpec } from './spec';

export type Accel = 'kvm' | 'hvf' | 'whpx' | 'tcg';

export interface HostInfo {
  os: HostOs;
  arch: GuestArch;
  /** The best accelerator the probe found usable on this host ('tcg' when none). */
  accel: Accel;
}

/** The parts of the guest image the command line needs (image.ts's ImageInfo has them). */
export interface BootImage {
  kernel: string;
  initrd: string;
  root: string;
  cmdline: string;
  arch: GuestArch;
}

export interface BootRuntime {
  /** Host port on 127.0.0.1 forwarded to the guest's sshd. */
  sshPort: number;
  /** fw_cfg items: `name` (e.g. "opt/slipway/hostname") and the host file holding its bytes. */
  seed: { name: string; file: string }[];
  /** Shared folders; the virtio-9p ones become devices, the sshfs ones virtio-serial ports (see sftpPortName). */
  shares?: readonly ResolvedShare[];
}

export interface QemuCommand {
  exe: string;
  args: string[];
  /** The accelerator actually used. */
  accel: Accel;
  warnings: string[];
}

/** The accelerator that belongs to each host OS; anything else falls back to tcg. */
const NATIVE_ACCEL: Record<HostOs, Accel> = { linux: 'kvm', darwin: 'hvf', win32: 'whpx' };

/**
 * QEMU parses `key=value,key=value` option strings: a comma inside a value
 * must be doubled. Every path that goes into such a string passes through here.
 */
export function optValue(value: string): string {
  return value.replace(/,/g, ',,');
}

/**
 * The name of the virtio-serial port that carries sshfs share `tag`'s SFTP
 * stream; the guest finds the port by this name in /sys/class/virtio-ports.
 */
export function sftpPortName(tag: string): string {
  return `org.slipway.sftp.${tag}`;
}

/**
 * Whether sshfs shares get a virtio-serial port on this host. Not on Windows:
 * Node cannot connect to QEMU's AF_UNIX chardev sockets there, and the named
 * pipes QEMU creates instead get a default DACL (other local users could
 * connect); the SSH channel carries the SFTP stream on Windows.
 */
export function hasSftpPorts(os: HostOs): boolean {
  return os !== 'win32';
}

/** `shares` with the virtio-serial socket of each sshfs share filled in, as qemuArgs creates them on this host. */
export function withSftpSockets(shares: readonly ResolvedShare[], paths: MachinePaths, os: HostOs): ResolvedShare[] {
  return shares.map((s) => (s.mechanism === 'sshfs' && hasSftpPorts(os) ? { ...s, sftpSocket: sftpSocketPath(paths, s.tag, os) } : s));
}

export function qemuExe(os: HostOs, arch: GuestArch): string {
  return `qemu-system-${arch}${os === 'win32' ? '.exe' : ''}`;
}

export function chooseAccel(spec: Pick<MachineSpec, 'arch'>, host: HostInfo): { accel: Accel; warnings: string[] } {
  const warnings: string[] = [];
  const slow = 'the machine will run under pure emulation (TCG) and be roughly 5-10 times slower';
  if (spec.arch !== host.arch) {
    warnings.push(`The machine is ${spec.arch} but this host is ${host.arch}: ${slow}.`);
    return { accel: 'tcg', warnings };
  }
  const native = NATIVE_ACCEL[host.os];
  if (host.accel === native) return { accel: native, warnings };
  if (host.accel !== 'tcg') warnings.push(`The accelerator "${host.accel}" does not exist on ${host.os}; ignoring it.`);
  warnings.push(`Hardware acceleration (${native}) is not usable on this host: ${slow}.`);
  return { accel: 'tcg', warnings };
}

/**
 * The CPU QEMU emulates under TCG. On aarch64, pauth-impdef=on replaces pointer
 * authentication's QARMA5 cipher, very costly to emulate on every function
 * return, with QEMU's own cheap hash (the guest cannot tell the difference):
 * the aarch64 guest reached ready in 8.2-8.5 s instead of 15.4 s here.
 */
export function tcgCpu(arch: GuestArch): string {
  return arch === 'aarch64' ? 'max,pauth-impdef=on' : 'max';
}

export function qemuArgs(spec: MachineSpec, host: HostInfo, paths: MachinePaths, image: BootImage, runtime: BootRuntime): QemuCommand {
  if (image.arch !== spec.arch) throw new Error(`The guest image "${image.root}" is ${image.arch} but machine "${spec.name}" is ${spec.arch}.`);
  if (!Number.isInteger(runtime.sshPort) || runtime.sshPort < 1 || runtime.sshPort > 65535)
    throw new Error(`SSH port ${runtime.sshPort} is not a valid TCP port.`);
  const { accel, warnings } = chooseAccel(spec, host);
  const hw = accel !== 'tcg';

  const args: string[] = ['-name', `slipway-${spec.name}`, '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot'];

  // Machine, accelerator, CPU.
  if (spec.arch === 'x86_64') args.push('-machine', 'q35');
  else args.push('-machine', 'virt,gic-version=max');
  if (accel === 'tcg') args.push('-accel', 'tcg,thread=multi');
  else if (accel === 'whpx') args.push('-accel', 'whpx,kernel-irqchip=off');
  else args.push('-accel', accel);
  // whpx does not support -cpu host; its default CPU model is fine for Debian.
  if (accel !== 'whpx') args.push('-cpu', hw ? 'host' : tcgCpu(spec.arch));
  args.push('-smp', String(spec.cpus), '-m', `${spec.memoryMiB}M`);

  // Direct kernel boot: no firmware, no bootloader (on aarch64 `virt` too).
  args.push('-kernel', image.kernel, '-initrd', image.initrd, '-append', image.cmdline);

  // Disks: vda is the shared read-only root, vdb this machine's data disk.
  // The declaration order gives the PCI slot order, hence the vdX names; the
  // serials give the guest stable names as well.
  args.push(
    '-drive', `if=none,id=root,file=${optValue(image.root)},format=raw,readonly=on,cache=writeback,aio=threads`,
    '-device', 'virtio-blk-pci,drive=root,serial=slipway-root',
    '-drive', `if=none,id=data,file=${optValue(paths.dataDisk)},format=qcow2,discard=unmap,detect-zeroes=unmap,cache=writeback,aio=threads`,
    '-device', 'virtio-blk-pci,drive=data,serial=slipway-data',
  );

  // Network: user mode, only SSH forwarded, and only on loopback.
  args.push('-netdev', `user,id=net0,hostfwd=tcp:127.0.0.1:${runtime.sshPort}-:22`, '-device', 'virtio-net-pci,netdev=net0');

  // Entropy for sshd/dockerd at boot; memory given back to the host when the guest frees it.
  args.push('-device', 'virtio-rng-pci', '-device', 'virtio-balloon-pci,free-page-reporting=on');

  // Shared folders over virtio-9p. security_model=none: QEMU reads and writes
  // as the host user, so files the guest creates belong to the host user and
  // real modes (chmod +x) and symlinks pass through; chown requests that the
  // host user may not make are ignored instead of failing. (mapped-xattr would
  // keep the guest's view of owners but hide modes from the host.)
  for (const share of runtime.shares ?? []) {
    if (share.mechanism !== '9p') continue;
    if (host.os === 'win32') throw new Error(`The share "${share.hostPath}" uses virtio-9p, which QEMU does not support on Windows; use sshfs.`);
    args.push(
      '-fsdev', `local,id=fs-${share.tag},path=${optValue(share.hostPath)},security_model=none${share.readOnly ? ',readonly=on' : ''}`,
      '-device', `virtio-9p-pci,fsdev=fs-${share.tag},mount_tag=${share.tag}`,
    );
  }

  // sshfs shares: each share's SFTP stream on its own virtio-serial port, whose
  // host end is a unix socket in run/ that the session serving the share
  // connects to (sshfsMounts.ts). This skips the guest's sshd, whose encryption
  // under emulation capped sshfs at a few MB/s. wait=off: QEMU does not wait for
  // a client at start; while none is connected the guest reads end of file.
  const sshfsShares = (runtime.shares ?? []).filter((s) => s.mechanism === 'sshfs');
  if (sshfsShares.length && hasSftpPorts(host.os)) {
    args.push('-device', 'virtio-serial-pci,id=vser0');
    for (const share of sshfsShares)
      args.push(
        '-chardev', `socket,id=sftp-${share.tag},path=${optValue(sftpSocketPath(paths, share.tag, host.os))},server=on,wait=off`,
        '-device', `virtserialport,bus=vser0.0,chardev=sftp-${share.tag},name=${sftpPortName(share.tag)}`,
      );
  }

  // Control and logs.
  args.push(
    '-chardev', `socket,id=qmp,path=${optValue(paths.qmpSocket)},server=on,wait=off`,
    '-mon', 'chardev=qmp,mode=control',
    '-chardev', `file,id=serial0,path=${optValue(paths.serialLog)}`,
    '-serial', 'chardev:serial0',
    '-pidfile', paths.pidFile,
  );

  // The seed, without any network.
  for (const item of runtime.seed) {
    if (!/^opt\/[A-Za-z0-9._/-]+$/.test(item.name)) throw new Error(`fw_cfg item name "${item.name}" must start with "opt/" and use only letters, digits, ".", "_", "-" and "/".`);
    args.push('-fw_cfg', `name=${item.name},file=${optValue(item.file)}`);
  }

  return { exe: qemuExe(host.os, spec.arch), args, accel, warnings };
}
