// The engine tier's shared daemon: one private dockerd for the whole tier,
// started by the root hook in setup.ts, with the busybox test image imported.

import type { Dockerd } from '../harness/dockerd';

export const fixture: { dockerd?: Dockerd; image?: string } = {};

export function daemon(): Dockerd {
  if (!fixture.dockerd) throw new Error('the engine tier root hook did not start dockerd');
  return fixture.dockerd;
}

/** A name unique to this run, for resources a test creates. */
export function unique(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Polls `fn` until it returns a truthy value or `ms` passes; returns the value or throws `what`. */
export async function waitFor<T>(what: string, fn: () => T | Promise<T>, ms = 10_000, everyMs = 20): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
