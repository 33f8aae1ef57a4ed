// A live connection to a running machine: one SSH session (pinned host key,
// keepalive, reconnect) carrying the guest's Docker socket to the host socket
// from layout.ts and the published container ports, kept in step with the
// engine's events. Whoever holds it serves `DOCKER_HOST` for everyone: the
// agent process started by the CLI, or an editor window.

import { EngineClient } from '../engine/client';
import { Emitter, type Disposable } from '../base/emitter';
import { forwardUnixSocket, PortForwards, type Listener, type PortEvent } from '../ssh/forward';
import type { MachinePaths } from './layout';
import type { Machines } from './machine';
import { PortSync } from './portSync';
import type { ResolvedShare } from './shares';
import { SshfsMounts, type ShareEvent } from './sshfsMounts';
import { SshSession, type SshState } from '../ssh/session';

const GUEST_DOCKER_SOCKET = '/var/run/docker.sock';

export type SessionEvent =
  | { kind: 'ssh'; machine: string; state: SshState }
  | (PortEvent & { machine: string })
  | (ShareEvent & { machine: string })
  | { kind: 'error'; machine: string; error: Error };

export class MachineSession {
  private readonly onEventEmitter = new Emitter<SessionEvent>();
  readonly onEvent = this.onEventEmitter.event;
  /** Cleanups, run in reverse order on dispose. */
  private readonly owned: (() => void | Promise<void>)[] = [];
  readonly engine: EngineClient;
  readonly ports: PortForwards;
  /** Shared folders that could not be mounted when the session opened (sshfs); the engine works without them. */
  readonly shareErrors: Error[] = [];

  private constructor(
    readonly name: string,
    readonly paths: MachinePaths,
    readonly ssh: SshSession,
  ) {
    this.engine = new EngineClient({ name: `machine "${name}"`, source: 'machine', host: paths.dockerHost });
    this.ports = new PortForwards(ssh);
  }

  get dockerHost(): string {
    return this.paths.dockerHost;
  }

  /**
   * Connects to running machine `name` and serves its Docker socket, ports and sshfs shares until disposed.
   * `sshfsTransport` may force a share onto the SSH channel (tests and benchmarks compare the transports).
   * `onEvent` is subscribed before anything starts, so it also sees what happens while opening (the first mounts).
   */
  static async open(
    machines: Machines,
    name: string,
    opts: { ports?: boolean; shares?: boolean; sshfsTransport?: (share: ResolvedShare) => 'auto' | 'ssh'; onEvent?: (e: SessionEvent) => void } = {},
  ): Promise<MachineSession> {
    const target = machines.sshTarget(name);
    const ssh = new SshSession(target);
    const s = new MachineSession(name, machines.paths(name), ssh);
    if (opts.onEvent) s.owned.push(s.onEvent(opts.onEvent).dispose);
    s.owned.push(() => ssh.dispose());
    s.owned.push(ssh.onState((state) => s.fire({ kind: 'ssh', machine: name, state })).dispose);
    ssh.start();
    try {
      await ssh.ready();
      const listener: Listener = await forwardUnixSocket(ssh, GUEST_DOCKER_SOCKET, s.paths.dockerSocket, (error) => s.fire({ kind: 'error', machine: name, error }));
      s.owned.push(() => listener.close());
      if (opts.ports !== false) {
        s.owned.push(() => s.ports.closeAll());
        s.owned.push(s.ports.onEvent((e) => s.fire({ ...e, machine: name })).dispose);
        const sync = new PortSync(s.engine, s.ports, (error) => s.fire({ kind: 'error', machine: name, error })).start();
        s.owned.push(() => sync.dispose());
      }
      const sshfsShares = machines.runningShares(name).filter((sh) => sh.mechanism === 'sshfs');
      if (opts.shares !== false && sshfsShares.length) {
        const user = machines.loadSpec(name).user;
        // Shares carry their virtio-serial socket (set at start) when the machine has one.
        const mounts = new SshfsMounts(ssh, sshfsShares, { uid: user.uid, gid: user.gid }, user.uid === 0, opts.sshfsTransport);
        s.owned.push(() => mounts.dispose());
        s.owned.push(mounts.onEvent((e) => s.fire({ ...e, machine: name })).dispose);
        // A share that fails to mount is reported; the engine stays usable.
        await mounts.start().catch((error: Error) => s.shareErrors.push(...(error instanceof AggregateError ? (error.errors as Error[]) : [error])));
      }
    } catch (err) {
      await s.dispose();
      throw err;
    }
    return s;
  }

  private fire(e: SessionEvent): void {
    this.onEventEmitter.fire(e);
  }

  /** Stops serving; cleanups run in reverse and their errors are joined. */
  async dispose(): Promise<void> {
    const errors: unknown[] = [];
    for (const c of this.owned.splice(0).reverse()) {
      try {
        await c();
      } catch (err) {
        errors.push(err);
      }
    }
    this.onEventEmitter.dispose();
    if (errors.length) throw new AggregateError(errors, `Closing the session of machine "${this.name}" failed.`);
  }
}

export type { Disposable };
