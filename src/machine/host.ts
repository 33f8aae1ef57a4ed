// Probing the host: which QEMU binary, which accelerator is really usable.
// Kept apart from qemuArgs.ts (which takes the result as input) so the argv
// builder stays pure. The probe is conservative: a hardware accelerator is
// only chosen when the host clearly supports it, because a guest kernel
// under a half-working KVM (a /dev/kvm node without VT-x/AMD-V, as in some
// nested sandboxes) hangs instead of failing.
//
// Probes run QEMU (and sysctl) asynchronously, since the machine start path
// runs in the extension host too, and QEMU's answers are remembered per
// binary (path, inode, size, mtime): a second start does not ask again, an
// upgraded QEMU is asked anew.

import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { FileAnswerCache } from '../base/fileCache';
import { runFile } from '../base/runFile';
import { hostOs, type HostOs } from './layout';
import { qemuExe, type Accel, type HostInfo } from './qemuArgs';
import type { GuestArch } from './spec';

export function hostArch(arch: string = process.arch): GuestArch {
  if (arch === 'x64') return 'x86_64';
  if (arch === 'arm64') return 'aarch64';
  throw new Error(`Machines need an x86_64 or arm64 host; this one is "${arch}".`);
}

const ACCELS: readonly Accel[] = ['kvm', 'hvf', 'whpx', 'tcg'];

/**
 * The accelerator to use. `SLIPWAY_ACCEL` overrides the probe (e.g. "tcg" to
 * rule out a flaky hypervisor); otherwise the host is asked.
 */
export async function probeAccel(os: HostOs, arch: GuestArch, env: NodeJS.ProcessEnv = process.env): Promise<Accel> {
  const forced = env.SLIPWAY_ACCEL?.trim();
  if (forced) {
    if (!ACCELS.includes(forced as Accel)) throw new Error(`SLIPWAY_ACCEL="${forced}" is not one of ${ACCELS.join(', ')}.`);
    return forced as Accel;
  }
  switch (os) {
    case 'linux':
      return kvmUsable(arch) ? 'kvm' : 'tcg';
    case 'darwin':
      hvSupport ??= runFile('sysctl', ['-n', 'kern.hv_support'], { timeoutMs: PROBE_TIMEOUT_MS }).then(
        (r) => r.stdout.trim() === '1',
        () => false,
      );
      return (await hvSupport) ? 'hvf' : 'tcg';
    case 'win32': {
      // WHPX has no cheap usability test; trust QEMU's list of accelerators.
      const exe = findQemu(os, arch, env);
      const out = exe ? await qemuHelp(exe, '-accel') : undefined;
      return /\bwhpx\b/.test(out ?? '') ? 'whpx' : 'tcg';
    }
  }
}

/** macOS's answer to "is Hypervisor.framework usable", asked once per process. */
let hvSupport: Promise<boolean> | undefined;

/** How long a probe (a QEMU help listing, sysctl) may take. */
export const PROBE_TIMEOUT_MS = 10_000;

const helpListings = new FileAnswerCache<string | undefined>();

/**
 * What `qemu <flag> help` prints, or undefined when it did not answer
 * (not started, failed, timed out; such answers are not remembered).
 * Asked once per binary: remembered while its path, inode, size and mtime stay the same.
 */
export async function qemuHelp(qemu: string, flag: '-device' | '-accel', timeoutMs = PROBE_TIMEOUT_MS): Promise<string | undefined> {
  const ask = () =>
    runFile(qemu, [flag, 'help'], { timeoutMs }).then(
      (r) => (r.code === 0 ? r.stdout : undefined),
      () => undefined,
    );
  return helpListings.get(`${qemu}\0${flag}`, qemu, ask, (out) => out !== undefined);
}

function kvmUsable(arch: GuestArch): boolean {
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
  } catch {
    return false;
  }
  if (arch !== 'x86_64') return true;
  // Without VT-x/AMD-V flags the node is emulated by something that cannot run a normal guest.
  try {
    return /^flags\s*:.*\b(vmx|svm)\b/m.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}

/** Where QEMU is usually installed, besides PATH. */
function extraDirs(os: HostOs): string[] {
  if (os === 'darwin') return ['/opt/homebrew/bin', '/usr/local/bin', '/opt/local/bin'];
  if (os === 'win32') return [path.win32.join(process.env.ProgramFiles ?? 'C:\\Program Files', 'qemu')];
  return ['/usr/bin', '/usr/local/bin'];
}

/** The QEMU system emulator for `arch`, or undefined when it is not installed. `SLIPWAY_QEMU` overrides. */
export function findQemu(os: HostOs, arch: GuestArch, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.SLIPWAY_QEMU) return env.SLIPWAY_QEMU;
  const exe = qemuExe(os, arch);
  const sep = os === 'win32' ? ';' : ':';
  for (const dir of [...(env.PATH ?? '').split(sep), ...extraDirs(os)]) {
    if (!dir) continue;
    const p = path.join(dir, exe);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** How to install QEMU for guests of `arch` (Linux packages differ per emulated architecture). */
export function installHint(os: HostOs, arch: GuestArch = 'x86_64'): string {
  if (os === 'darwin') return 'Install QEMU with "brew install qemu".';
  if (os === 'win32') return 'Install QEMU from https://www.qemu.org/download/#windows (or "winget install SoftwareFreedomConservancy.QEMU").';
  const [deb, rpm] = arch === 'aarch64' ? ['qemu-system-arm', 'qemu-system-aarch64'] : ['qemu-system-x86', 'qemu-kvm'];
  return `Install QEMU, e.g. "sudo apt-get install ${deb} qemu-utils" (Debian/Ubuntu) or "sudo dnf install ${rpm} qemu-img" (Fedora).`;
}

export interface ProbedHost extends HostInfo {
  /** Absolute path of the QEMU binary for the guest arch. */
  qemu: string;
  /** True when this QEMU can share folders with virtio-9p (-fsdev local + virtio-9p-pci). */
  virtfs: boolean;
}

/**
 * Whether `qemu` has virtio-9p. QEMU on Windows has no `-fsdev local`
 * backend; elsewhere the device list says (distributions may build without it).
 */
export async function probeVirtfs(os: HostOs, qemu: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const forced = env.SLIPWAY_VIRTFS?.trim();
  if (forced === '0' || forced === '1') return forced === '1';
  if (os === 'win32') return false;
  return /"virtio-9p-pci"/.test((await qemuHelp(qemu, '-device')) ?? '');
}

/** Probes this host for a machine of `guestArch`; throws a clear error when QEMU is missing. */
export async function probeHost(guestArch: GuestArch, env: NodeJS.ProcessEnv = process.env): Promise<ProbedHost> {
  const os = hostOs();
  const arch = hostArch();
  const qemu = findQemu(os, guestArch, env);
  if (!qemu) throw new Error(`QEMU ("${qemuExe(os, guestArch)}") was not found on PATH. ${installHint(os, guestArch)}`);
  const [accel, virtfs] = await Promise.all([guestArch === arch ? probeAccel(os, arch, env) : ('tcg' as const), probeVirtfs(os, qemu, env)]);
  return { os, arch, accel, qemu, virtfs };
}
