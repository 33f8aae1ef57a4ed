// A pinned-key SSH connection that comes back after it drops: keepalive,
// reconnect with backoff, exec from argv, and channels for forwarding.

import type { Duplex } from 'node:stream';
import type { Client } from 'ssh2';
import { backoffDelay, type BackoffOptions } from '../base/backoff';
import { Emitter, type Disposable } from '../base/emitter';
import { connectSsh, HostKeyMismatchError, type SshTarget } from './connect';
import { execOn, type ExecResult } from './exec';

export type SshState =
  | { kind: 'connecting' }
  | { kind: 'connected'; reconnected: boolean }
  | { kind: 'disconnected'; error: Error; retryInMs: number }
  | { kind: 'refused'; error: HostKeyMismatchError };

/**
 * A connection that comes back: on loss it reconnects with exponential
 * backoff and fires state events. A host key mismatch is final (no retries).
 * Operations wait for the current connection.
 */
export class SshSession implements Disposable {
  private readonly onStateEmitter = new Emitter<SshState>();
  readonly onState = this.onStateEmitter.event;
  private client: Client | undefined;
  private waiting: { resolve: (c: Client) => void; reject: (e: Error) => void }[] = [];
  private attempt = 0;
  private everConnected = false;
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;
  private fatal: Error | undefined;

  constructor(
    private readonly target: SshTarget,
    private readonly backoff: BackoffOptions = { minMs: 250, maxMs: 5_000 },
  ) {}

  start(): this {
    void this.connect();
    return this;
  }

  private async connect(): Promise<void> {
    if (this.disposed) return;
    this.onStateEmitter.fire({ kind: 'connecting' });
    let c: Client;
    try {
      c = await connectSsh(this.target);
    } catch (err) {
      if (err instanceof HostKeyMismatchError) {
        this.fatal = err;
        this.onStateEmitter.fire({ kind: 'refused', error: err });
        for (const w of this.waiting.splice(0)) w.reject(err);
        return;
      }
      this.scheduleRetry(err as Error);
      return;
    }
    if (this.disposed) return void c.end();
    this.client = c;
    this.attempt = 0;
    const reconnected = this.everConnected;
    this.everConnected = true;
    this.onStateEmitter.fire({ kind: 'connected', reconnected });
    for (const w of this.waiting.splice(0)) w.resolve(c);
    let lost = false;
    const onLost = (err?: Error) => {
      if (lost) return;
      lost = true;
      if (this.client === c) this.client = undefined;
      this.scheduleRetry(err ?? new Error(`The SSH connection to ${this.target.what} (${this.target.host}:${this.target.port}) closed.`));
    };
    c.on('error', onLost);
    c.on('close', () => onLost());
  }

  private scheduleRetry(error: Error): void {
    if (this.disposed) return;
    const retryInMs = backoffDelay(this.attempt++, this.backoff);
    this.onStateEmitter.fire({ kind: 'disconnected', error, retryInMs });
    this.timer = setTimeout(() => void this.connect(), retryInMs);
  }

  /** The live connection, waiting for one if needed. */
  ready(): Promise<Client> {
    if (this.fatal) return Promise.reject(this.fatal);
    if (this.disposed) return Promise.reject(new Error('The SSH session was closed.'));
    if (this.client) return Promise.resolve(this.client);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  async exec(argv: readonly string[], opts: { stdin?: string | Buffer } = {}): Promise<ExecResult> {
    return execOn(await this.ready(), argv, opts);
  }

  /** A channel to a unix socket on the remote side (OpenSSH streamlocal). */
  async openUnix(remotePath: string): Promise<Duplex> {
    const c = await this.ready();
    return new Promise((resolve, reject) =>
      c.openssh_forwardOutStreamLocal(remotePath, (err, ch) =>
        err ? reject(new Error(`Cannot open the remote socket "${remotePath}" over SSH: ${err.message}`, { cause: err })) : resolve(ch),
      ),
    );
  }

  /** A channel to host:port as seen from the remote side. */
  async openTcp(host: string, port: number, from: { ip: string; port: number } = { ip: '127.0.0.1', port: 0 }): Promise<Duplex> {
    const c = await this.ready();
    return new Promise((resolve, reject) =>
      c.forwardOut(from.ip, from.port, host, port, (err, ch) =>
        err ? reject(new Error(`Cannot reach ${host}:${port} in ${this.target.what} over SSH: ${err.message}`, { cause: err })) : resolve(ch),
      ),
    );
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    for (const w of this.waiting.splice(0)) w.reject(new Error('The SSH session was closed.'));
    this.client?.end();
    this.client = undefined;
    this.onStateEmitter.dispose();
  }
}
