// A small QMP (QEMU Machine Protocol) client over QEMU's unix socket: the
// greeting and capabilities handshake, `execute` with replies matched by id,
// and asynchronous events. Used for system_powerdown, query-status and quit.
//
// QEMU serves one QMP client at a time on a socket, so callers connect, do
// their work and close; nothing keeps a QMP connection open for long.

import * as net from 'node:net';
import { Emitter } from '../base/emitter';

export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
  timestamp?: { seconds: number; microseconds: number };
}

export interface QmpStatus {
  running: boolean;
  /** e.g. "running", "paused", "shutdown", "prelaunch" */
  status: string;
}

export class QmpError extends Error {
  constructor(
    readonly command: string,
    readonly errorClass: string,
    desc: string,
    what = 'QEMU',
  ) {
    super(`QMP command "${command}" to ${what} failed: ${errorClass}: ${desc}`);
    this.name = 'QmpError';
  }
}

interface Pending {
  command: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export class QmpClient {
  private readonly onEventEmitter = new Emitter<QmpEvent>();
  readonly onEvent = this.onEventEmitter.event;
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;
  private buf = '';
  private closedError: Error | undefined;
  private readonly closedPromise: Promise<void>;
  /** The QEMU version from the greeting, e.g. "7.2.22". */
  version = '';

  private constructor(
    private readonly socket: net.Socket,
    /** Who we talk to, for messages: `QEMU of machine "default"`. */
    private readonly what: string,
  ) {
    this.closedPromise = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  /** Connects, reads the greeting and negotiates capabilities. */
  static async connect(socketPath: string, opts: { timeoutMs?: number; machine?: string } = {}): Promise<QmpClient> {
    const socket = net.createConnection(socketPath);
    const what = opts.machine !== undefined ? `QEMU of machine "${opts.machine}"` : 'QEMU';
    const client = new QmpClient(socket, what);
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const greeting = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`The QMP socket of ${what} ("${socketPath}") did not greet within ${timeoutMs} ms.`)), timeoutMs);
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`Cannot connect to the QMP socket of ${what} ("${socketPath}"): ${err.message}`, { cause: err }));
      });
      client.onGreeting = (g) => {
        clearTimeout(timer);
        const v = (g as { QMP?: { version?: { qemu?: { major: number; minor: number; micro: number } } } }).QMP?.version?.qemu;
        if (v) client.version = `${v.major}.${v.minor}.${v.micro}`;
        resolve();
      };
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => client.onData(chunk));
    // QEMU exiting shows up as a reset as often as a clean close: report both alike.
    socket.on('error', (err: NodeJS.ErrnoException) =>
      client.fail(err.code === 'ECONNRESET' || err.code === 'EPIPE' ? new Error(`${what} closed the QMP connection.`, { cause: err }) : err),
    );
    socket.on('close', () => client.fail(new Error(`${what} closed the QMP connection.`)));
    try {
      await greeting;
      await client.execute('qmp_capabilities');
    } catch (err) {
      socket.destroy();
      throw err;
    }
    return client;
  }

  private onGreeting: ((g: unknown) => void) | undefined;

  private onData(chunk: string): void {
    this.buf += chunk;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl).trim();
      this.buf = this.buf.slice(nl + 1);
      if (line) this.onMessage(line);
    }
  }

  private onMessage(line: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line);
    } catch {
      return;
    }
    if ('QMP' in msg) {
      this.onGreeting?.(msg);
      this.onGreeting = undefined;
    } else if (typeof msg.event === 'string') {
      this.onEventEmitter.fire(msg as unknown as QmpEvent);
    } else if ('id' in msg) {
      const p = this.pending.get(String(msg.id));
      if (!p) return;
      this.pending.delete(String(msg.id));
      if ('error' in msg) {
        const e = msg.error as { class?: string; desc?: string };
        p.reject(new QmpError(p.command, e.class ?? 'GenericError', e.desc ?? 'no description', this.what));
      } else p.resolve(msg.return);
    }
  }

  private fail(err: Error): void {
    if (!this.closedError) this.closedError = err;
    for (const p of this.pending.values()) p.reject(new Error(`QMP command "${p.command}" got no reply: ${err.message}`, { cause: err }));
    this.pending.clear();
  }

  /** Runs one QMP command and resolves with its `return` value. */
  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    if (this.closedError) return Promise.reject(new Error(`QMP command "${command}" cannot be sent: ${this.closedError.message}`));
    const id = String(this.nextId++);
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { command, resolve: resolve as (v: unknown) => void, reject });
      this.socket.write(JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id }) + '\n');
    });
  }

  async queryStatus(): Promise<QmpStatus> {
    return this.execute<QmpStatus>('query-status');
  }

  /** Presses the ACPI power button: the guest shuts down cleanly and QEMU exits (-no-reboot). */
  async powerdown(): Promise<void> {
    await this.execute('system_powerdown');
  }

  /** Ends QEMU at once (like pulling the plug). Resolves when QEMU has closed the connection. */
  async quit(): Promise<void> {
    await this.execute('quit').catch((err) => {
      // QEMU may close the socket before the reply arrives; that is success here.
      if (!this.closedError) throw err;
    });
    await this.closedPromise;
  }

  /** Resolves when the connection closes (QEMU exited or close() was called). */
  closed(): Promise<void> {
    return this.closedPromise;
  }

  close(): void {
    this.socket.destroy();
    this.onEventEmitter.dispose();
  }
}
