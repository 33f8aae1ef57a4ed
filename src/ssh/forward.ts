// Forwarding over a machine's SSH session: the guest's Docker socket to a host
// unix socket (a named pipe on Windows) in a 0700 directory, and published
// container ports from 127.0.0.1:<port> on the host to the guest. What is
// forwarded when is decided by the caller (portSync.ts drives the ports from
// engine events); this module only opens and closes listeners.

import { chmodSync, existsSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { Duplex } from 'node:stream';
import { Emitter, type Disposable } from '../base/emitter';
import { ensurePrivateDir } from './keys';

/** What a forwarder needs from an SSH session (SshSession has it; tests may fake it). */
export interface ChannelOpener {
  openUnix(remotePath: string): Promise<Duplex>;
  openTcp(host: string, port: number, from?: { ip: string; port: number }): Promise<Duplex>;
}

export interface Listener extends Disposable {
  /** Resolves when the listener is closed and its socket file removed. */
  close(): Promise<void>;
}

/**
 * Connects a local client to a fresh SSH channel, both ways, keeping half-closes:
 * the docker CLI shuts down its write side after sending a request on a hijacked
 * (attach) connection and still reads the container's output, so a side that
 * ended must not tear the other down. Both are destroyed once either closes fully.
 */
function pipeBoth(local: net.Socket, open: () => Promise<Duplex>, onError: (e: Error) => void): void {
  local.pause();
  open().then(
    (remote) => {
      local.pipe(remote);
      remote.pipe(local);
      const end = () => {
        local.destroy();
        remote.destroy();
      };
      remote.on('error', end);
      // The guest side is done; bytes still queued toward the client (a slow reader of
      // a big reply) are delivered before the socket goes: `pipe` has ended it already.
      remote.on('close', () => (local.writableLength > 0 && !local.destroyed ? local.once('finish', end) : end()));
      local.on('error', end);
      local.on('close', end);
      local.resume();
    },
    (err: Error) => {
      onError(err);
      local.destroy();
    },
  );
}

function listen(server: net.Server, target: string | { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const done = () => {
      server.removeListener('error', reject);
      resolve();
    };
    // readableAll/writableAll stay false: on Windows libuv then grants no access beyond its
    // default DACL (Node offers no way to pass a security descriptor of our own), and it
    // creates the first instance of the pipe exclusively, so a pipe another user made first
    // fails with EADDRINUSE instead of being shared.
    if (typeof target === 'string') server.listen({ path: target, readableAll: false, writableAll: false }, done);
    else server.listen(target.port, target.host, done);
  });
}

/** True when something accepts connections on the unix socket `p`. */
function socketAnswers(p: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createConnection(p);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Serves the remote unix socket `remotePath` at `localPath`. On POSIX the
 * socket's directory is made 0700 and the socket 0600; a stale socket file
 * left by a crashed process is replaced, a live one is an error.
 */
export async function forwardUnixSocket(ssh: ChannelOpener, remotePath: string, localPath: string, onError: (e: Error) => void = () => {}): Promise<Listener> {
  const isPipe = localPath.startsWith('\\\\');
  if (!isPipe) {
    ensurePrivateDir(path.dirname(localPath));
    if (existsSync(localPath)) {
      if (await socketAnswers(localPath)) throw new Error(`"${localPath}" is already served by another process; stop it (or that machine's agent) first.`);
      rmSync(localPath, { force: true });
    }
  }
  const server = net.createServer({ allowHalfOpen: true }, (sock) => pipeBoth(sock, () => ssh.openUnix(remotePath), onError));
  await listen(server, localPath).catch((err: NodeJS.ErrnoException) => {
    const taken = isPipe && err.code === 'EADDRINUSE' ? ' (another process, maybe of another user, holds that pipe)' : '';
    throw new Error(`Cannot listen on "${localPath}"${taken}: ${err.message}`, { cause: err });
  });
  if (!isPipe) chmodSync(localPath, 0o600);
  return closable(server, isPipe ? undefined : localPath);
}

/** Serves the guest's `guestPort` (as reached from inside the guest on 127.0.0.1) on 127.0.0.1:`hostPort`. */
export async function forwardTcpPort(ssh: ChannelOpener, hostPort: number, guestPort: number, onError: (e: Error) => void = () => {}): Promise<Listener> {
  const server = net.createServer({ allowHalfOpen: true }, (sock) =>
    pipeBoth(sock, () => ssh.openTcp('127.0.0.1', guestPort, { ip: '127.0.0.1', port: sock.remotePort ?? 0 }), onError),
  );
  await listen(server, { host: '127.0.0.1', port: hostPort }).catch((err: NodeJS.ErrnoException) => {
    const why = err.code === 'EADDRINUSE' ? 'another program on this computer already uses it' : err.message;
    throw new Error(`Cannot forward port ${hostPort} to the machine: ${why}.`, { cause: err });
  });
  return closable(server);
}

function closable(server: net.Server, socketFile?: string): Listener {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= new Promise<void>((resolve) => {
      server.close(() => {
        if (socketFile) rmSync(socketFile, { force: true });
        resolve();
      });
      for (const s of sockets) s.destroy();
    }));
  return { close, dispose: () => void close() };
}

export type PortEvent =
  | { kind: 'port-forwarded'; hostPort: number; guestPort: number; owner: string }
  | { kind: 'port-closed'; hostPort: number; guestPort: number; owner: string }
  | { kind: 'port-failed'; hostPort: number; guestPort: number; owner: string; error: Error };

/**
 * The set of forwarded ports. `set()` takes the full desired set and opens or
 * closes the difference, so callers need not track what is open.
 */
export class PortForwards implements Disposable {
  private readonly onEventEmitter = new Emitter<PortEvent>();
  readonly onEvent = this.onEventEmitter.event;
  private readonly open = new Map<number, { guestPort: number; owner: string; listener: Promise<Listener | undefined> }>();
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly ssh: ChannelOpener) {}

  /** Host ports currently forwarded. */
  list(): { hostPort: number; guestPort: number; owner: string }[] {
    return [...this.open.entries()].map(([hostPort, v]) => ({ hostPort, guestPort: v.guestPort, owner: v.owner }));
  }

  /** Makes the forwarded set equal `desired` (host port → guest port and an owner name for messages). */
  set(desired: Map<number, { guestPort: number; owner: string }>): Promise<void> {
    this.queue = this.queue.then(() => this.apply(desired));
    return this.queue;
  }

  private async apply(desired: Map<number, { guestPort: number; owner: string }>): Promise<void> {
    for (const [hostPort, cur] of [...this.open]) {
      const want = desired.get(hostPort);
      if (want && want.guestPort === cur.guestPort) continue;
      this.open.delete(hostPort);
      const l = await cur.listener;
      if (l) {
        await l.close();
        this.onEventEmitter.fire({ kind: 'port-closed', hostPort, guestPort: cur.guestPort, owner: cur.owner });
      }
    }
    for (const [hostPort, want] of desired) {
      if (this.open.has(hostPort)) continue;
      const listener = forwardTcpPort(this.ssh, hostPort, want.guestPort).then(
        (l) => {
          this.onEventEmitter.fire({ kind: 'port-forwarded', hostPort, guestPort: want.guestPort, owner: want.owner });
          return l;
        },
        (error: Error) => {
          this.onEventEmitter.fire({ kind: 'port-failed', hostPort, guestPort: want.guestPort, owner: want.owner, error });
          return undefined;
        },
      );
      this.open.set(hostPort, { ...want, listener });
      await listener;
    }
  }

  async closeAll(): Promise<void> {
    await this.set(new Map());
  }

  dispose(): void {
    void this.closeAll().finally(() => this.onEventEmitter.dispose());
  }
}
