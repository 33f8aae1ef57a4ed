// An exclusive per-machine lock so two processes (two VS Code windows, a window
// and the CLI) never start, stop or delete the same machine at once. The lock
// is a file created with O_EXCL holding the owner's pid; a lock whose owner is
// dead (crash, kill -9) is stale and taken over.

import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';

export interface LockOwner {
  pid: number;
  /** What the owner is doing, for messages: "starting", "stopping"… */
  purpose: string;
  since: string;
  token: string;
}

export interface Lock {
  readonly owner: LockOwner;
  release(): void;
}

export class LockedError extends Error {
  constructor(
    readonly what: string,
    readonly owner: LockOwner,
  ) {
    super(`${what} is busy: process ${owner.pid} has been ${owner.purpose} it since ${owner.since}. Wait for it to finish and try again.`);
    this.name = 'LockedError';
  }
}

/** True when a process with this pid exists (EPERM means it exists but is not ours). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLockOwner(file: string): LockOwner | undefined {
  try {
    const o = JSON.parse(readFileSync(file, 'utf8')) as LockOwner;
    return typeof o.pid === 'number' ? o : undefined;
  } catch {
    return undefined;
  }
}

/** The live owner of the lock at `file`, if any. */
export function lockHolder(file: string): LockOwner | undefined {
  const o = readLockOwner(file);
  return o && pidAlive(o.pid) ? o : undefined;
}

function tryCreate(file: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new Error(`Cannot create the lock file "${file}": ${(err as Error).message}`, { cause: err });
  }
  try {
    writeSync(fd, JSON.stringify(owner));
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Takes the lock at `file`, waiting up to `waitMs` for a live owner to finish.
 * `what` names the resource in messages, e.g. `Machine "default"`.
 */
export async function acquireLock(file: string, what: string, purpose: string, opts: { waitMs?: number } = {}): Promise<Lock> {
  const owner: LockOwner = { pid: process.pid, purpose, since: new Date().toISOString(), token: randomBytes(8).toString('hex') };
  const deadline = Date.now() + (opts.waitMs ?? 0);
  for (;;) {
    if (tryCreate(file, owner)) break;
    const current = readLockOwner(file);
    if (!current || !pidAlive(current.pid)) {
      // Stale (owner died) or half-written by a crashed owner: take it over.
      // A concurrent taker may win the re-create; then we loop and see it alive.
      rmSync(file, { force: true });
      continue;
    }
    if (Date.now() >= deadline) throw new LockedError(what, current);
    await new Promise((r) => setTimeout(r, 100));
  }
  let released = false;
  return {
    owner,
    release() {
      if (released) return;
      released = true;
      if (readLockOwner(file)?.token === owner.token) rmSync(file, { force: true });
    },
  };
}
