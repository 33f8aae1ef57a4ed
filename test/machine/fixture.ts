// One machine with shared folders for every machine-tier test file that needs one
// (booting under TCG costs a minute or more; the tier boots it once). It has a
// virtio-9p share, an sshfs share served by this process over its virtio-serial
// port, a read-only 9p share and a second sshfs share that the session serves
// over the SSH channel (the Windows transport, and the fallback),
// each a host temp folder whose name has spaces, quotes and unicode, mounted in the
// guest at the same path, plus the busybox test image. setup.ts removes it after the
// tier. Tests that need their own lifecycle (stop, kill, crash) boot their own machine.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Machines } from '../../src/machine/machine';
import { currentRoot } from '../../src/machine/layout';
import { findQemu } from '../../src/machine/host';
import type { GuestArch } from '../../src/machine/spec';
import { MachineSession, type SessionEvent } from '../../src/machine/session';
import type { ShareMechanism } from '../../src/machine/shares';
import { BUSYBOX_IMAGE, busyboxTarball } from '../harness/images';
import { cannotRun } from '../harness/ci';
import { dockerCli } from '../harness/programs';

export const SHARED_MACHINE = 'shares';

export interface SharedMachine {
  machines: Machines;
  name: string;
  /** Replaced when a test closes and reopens the session. */
  session: MachineSession;
  /** DOCKER_HOST pointing at the machine (the socket path stays the same across sessions). */
  env: NodeJS.ProcessEnv;
  /** Host folders: shared by each mechanism, read-only (9p), sshfs over the SSH channel, and one outside every share. */
  dirs: Record<ShareMechanism | 'ro' | 'sshfs-ssh' | 'outside', string>;
  /** Options for MachineSession.open that keep the `sshfs-ssh` share on the SSH channel. */
  sessionOptions: SessionOptions;
}

type SessionOptions = NonNullable<Parameters<typeof MachineSession.open>[2]>;

export interface Ran {
  code: number | null;
  out: string;
  err: string;
}

/** A docker CLI call that does not block the event loop (this process serves the socket and the sshfs share). */
export function docker(env: NodeJS.ProcessEnv, ...args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(dockerCli(), args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code, out: out.trim(), err: err.trim() }));
  });
}

export async function dockerOk(env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
  const r = await docker(env, ...args);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} failed (${r.code}): ${r.err}`);
  return r.out;
}

let shared: Promise<SharedMachine> | undefined;
let home: string | undefined;
let top: string | undefined;

/**
 * Prints a session's connection trouble (SSH lost, a forwarded connection that could
 * not be opened) on stderr with the time, so a failed docker call through the socket
 * can be told apart: the link dropped, or the guest side refused.
 */
export function logSessionTrouble(e: SessionEvent): void {
  if (e.kind === 'error') console.error(`  [session ${new Date().toISOString()}] ${e.machine}: ${e.error.message}`);
  else if (e.kind === 'ssh' && e.state.kind === 'disconnected') console.error(`  [session ${new Date().toISOString()}] ${e.machine}: SSH lost (${e.state.error.message}); retrying in ${e.state.retryInMs} ms`);
}

/** Skips the calling hook (fails it under CI) when this guest architecture's QEMU is not installed. */
export function requireQemu(ctx: Mocha.Context, arch: GuestArch = 'x86_64'): void {
  if (findQemu('linux', arch)) return;
  const tier = arch === 'x86_64' ? 'machine' : 'aarch64';
  cannotRun(ctx, `the ${tier} tier`, `qemu-system-${arch} is not installed (\`node scripts/deps.mjs ${tier}\` installs it)`);
}

/** An after hook's cleanup: the session, the machine (even running) and the temp root, each only if it was made. */
export async function removeTestMachine(t: { home?: string; machines?: Machines; session?: MachineSession; name: string }): Promise<void> {
  if (!t.home) return;
  await t.session?.dispose().catch(() => undefined);
  if (t.machines?.exists(t.name)) await t.machines.delete(t.name, { force: true }).catch((e: Error) => console.error(e.message));
  rmSync(t.home, { recursive: true, force: true });
}

/** Where the tier's guest images live: the default root's, so each recipe is built once and shared across runs. */
export function imageHome(): string {
  return process.env.SLIPWAY_IMAGE_HOME || currentRoot({ ...process.env, SLIPWAY_HOME: '' });
}

/** The tier's shared machine, booted on first use. */
export function sharedMachine(): Promise<SharedMachine> {
  shared ??= boot();
  return shared;
}

async function boot(): Promise<SharedMachine> {
  home = mkdtempSync(path.join(os.tmpdir(), 'slipway-shares-'));
  top = mkdtempSync(path.join(os.tmpdir(), "slipway share 'ü' "));
  const dirs = {
    '9p': path.join(top, 'nine p'),
    sshfs: path.join(top, 'ss"h fs'),
    ro: path.join(top, 'read only'),
    'sshfs-ssh': path.join(top, "ss'h fs über ssh"),
    outside: path.join(top, 'outside'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d);
  writeFileSync(path.join(dirs.outside, 'secret'), 'not for the guest\n');
  writeFileSync(path.join(dirs.ro, 'r.txt'), 'read me\n');
  // The guest image is shared with the default root so it is built once per recipe.
  const machines = new Machines({ root: home, imageHome: imageHome(), env: { ...process.env, SLIPWAY_ACCEL: process.env.SLIPWAY_ACCEL ?? 'tcg' } });
  await machines.create(SHARED_MACHINE, {
    cpus: 2,
    memoryMiB: 2048,
    diskGiB: 8,
    shares: [
      { hostPath: dirs['9p'], guestPath: dirs['9p'], readOnly: false, mechanism: '9p' },
      { hostPath: dirs.sshfs, guestPath: dirs.sshfs, readOnly: false, mechanism: 'sshfs' },
      { hostPath: dirs.ro, guestPath: dirs.ro, readOnly: true, mechanism: '9p' },
      { hostPath: dirs['sshfs-ssh'], guestPath: dirs['sshfs-ssh'], readOnly: false, mechanism: 'sshfs' },
    ],
  });
  await machines.start(SHARED_MACHINE);
  const sessionOptions: SessionOptions = { sshfsTransport: (share) => (share.hostPath === dirs['sshfs-ssh'] ? 'ssh' : 'auto') };
  const session = await MachineSession.open(machines, SHARED_MACHINE, sessionOptions);
  session.onEvent(logSessionTrouble);
  const env = { ...process.env, DOCKER_HOST: session.dockerHost };
  await dockerOk(env, 'import', '--change', 'CMD ["/bin/sh"]', '--change', 'ENV PATH=/bin', busyboxTarball(), BUSYBOX_IMAGE);
  return { machines, name: SHARED_MACHINE, session, env, dirs, sessionOptions };
}

/** Removes the shared machine and its folders (the tier's root afterAll hook). */
export async function disposeSharedMachine(): Promise<void> {
  if (!shared) return;
  const s = await shared.catch(() => undefined);
  shared = undefined;
  if (s) {
    await s.session.dispose().catch(() => undefined);
    if (s.machines.exists(s.name)) await s.machines.delete(s.name, { force: true }).catch((e: Error) => console.error(e.message));
  }
  for (const d of [home, top]) if (d) rmSync(d, { recursive: true, force: true });
}
