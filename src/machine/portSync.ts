// Keeps the host's forwarded ports equal to the TCP ports published by running
// containers in the machine, driven by the engine's event stream (no polling):
// each container start/stop/die/kill/destroy/pause event, and each (re)connect
// of the stream, triggers one container list and a diff.
//
// UDP ports cannot be carried over SSH channels and are not forwarded.

import type Docker from 'dockerode';
import type { EngineClient } from '../engine/client';
import { EventStream } from '../engine/events';
import { type BackoffOptions } from '../base/backoff';
import type { Disposable } from '../base/emitter';
import type { PortForwards } from '../ssh/forward';

const RELEVANT = new Set(['start', 'stop', 'die', 'kill', 'destroy', 'pause', 'unpause', 'restart']);

/** Desired forwards for a container list: every TCP public port of a running container, once. */
export function desiredPorts(containers: Pick<Docker.ContainerInfo, 'Names' | 'Id' | 'State' | 'Ports'>[]): Map<number, { guestPort: number; owner: string }> {
  const out = new Map<number, { guestPort: number; owner: string }>();
  for (const c of containers) {
    if (c.State !== 'running') continue;
    const owner = c.Names?.[0]?.replace(/^\//, '') || c.Id.slice(0, 12);
    for (const p of c.Ports ?? []) {
      if (p.Type !== 'tcp' || !p.PublicPort) continue;
      // Ports bound to a specific guest address other than loopback/any are not reachable at 127.0.0.1 in the guest.
      if (p.IP && !['0.0.0.0', '::', '127.0.0.1', '::1'].includes(p.IP)) continue;
      if (!out.has(p.PublicPort)) out.set(p.PublicPort, { guestPort: p.PublicPort, owner });
    }
  }
  return out;
}

export class PortSync implements Disposable {
  private readonly stream: EventStream;
  private running: Promise<void> = Promise.resolve();
  private dirty = false;
  private readonly subs: Disposable[] = [];

  constructor(
    private readonly engine: EngineClient,
    private readonly ports: PortForwards,
    private readonly onError: (e: Error) => void = () => {},
    backoff?: BackoffOptions,
  ) {
    this.stream = new EventStream(() => engine.events(), backoff);
    this.subs.push(
      this.stream.onState((s) => {
        if (s.kind === 'connected') this.schedule();
      }),
      this.stream.onEvent((e) => {
        if (e.type === 'container' && RELEVANT.has(e.action.split(':')[0])) this.schedule();
      }),
    );
  }

  start(): this {
    this.stream.start();
    return this;
  }

  /** Coalesces bursts: at most one list in flight and one queued. */
  private schedule(): void {
    if (this.dirty) return;
    this.dirty = true;
    this.running = this.running.then(async () => {
      this.dirty = false;
      try {
        await this.ports.set(desiredPorts(await this.engine.listContainers()));
      } catch (err) {
        this.onError(err as Error);
      }
    });
  }

  /** Resolves when the work scheduled so far is done (for tests and shutdown). */
  settled(): Promise<void> {
    return this.running;
  }

  dispose(): void {
    for (const s of this.subs.splice(0)) s.dispose();
    this.stream.dispose();
  }
}
