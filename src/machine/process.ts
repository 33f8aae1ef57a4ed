// Processes the machine layer owns by pid (QEMU, the agent): kill, wait for
// the exit, reap a child, and read the tail of its log.

import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delay, withTimeout } from '../base/timeout';
import { pidAlive } from './lock';

export function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Resolves true when `pid` is gone within `ms` (checked when `hint` settles and then every 100 ms). */
export async function waitForExit(pid: number, ms: number, hint?: Promise<unknown>): Promise<boolean> {
  const deadline = Date.now() + ms;
  if (hint) await withTimeout(hint, ms, () => new Error('timed out')).catch(() => undefined);
  while (pidAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await delay(100);
  }
  return true;
}

export function readTail(file: string, bytes = 2000): string {
  try {
    const t = readFileSync(file, 'utf8');
    return t.slice(-bytes);
  } catch {
    return '';
  }
}

/**
 * Kills a child and waits (up to 5 s) until Node has reaped it: until then its
 * pid still answers, and cleanStale would keep the pid file of a dead QEMU.
 */
export async function killAndReap(child: ChildProcess): Promise<void> {
  if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await withTimeout(exited, 5000, () => new Error('not reaped')).catch(() => undefined);
}
