// SSH to a machine (or any Linux host) with ssh2: an ed25519 key pair per
// machine, the server's host key pinned (never "accept anything"), keepalive,
// reconnect with backoff, exec from argv, and channels for forwarding.

import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Duplex } from 'node:stream';
import { Client, utils, type ClientChannel, type ConnectConfig } from 'ssh2';
import { backoffDelay, type BackoffOptions } from '../engine/events';
import { Emitter, type Disposable } from '../engine/emitter';
import { shellQuote } from './shellQuote';

export interface KeyPair {
  /** OpenSSH private key file text. */
  privateKey: string;
  /** "ssh-ed25519 AAAA… comment" */
  publicKey: string;
}

/** Makes `dir` (and parents) with mode 0700 and tightens it if it already existed. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') chmodSync(dir, 0o700);
}

/** Whether ssh2 (and so OpenSSH) can read both halves of a key pair. */
function pairParses(pair: KeyPair): boolean {
  return !(utils.parseKey(pair.publicKey) instanceof Error) && !(utils.parseKey(pair.privateKey) instanceof Error);
}

export function generateKeyPair(comment: string): KeyPair {
  // ssh2 1.17's keygen strips leading zero bytes from the ed25519 public key, so about 1 in
  // 256 pairs has a 31-byte key that ssh2 itself, and OpenSSH, reject (mscdex/ssh2#1390,
  // #1513). Such a pair is drawn again.
  for (let attempt = 0; attempt < 16; attempt++) {
    const k = utils.generateKeyPairSync('ed25519', { comment });
    const pair = { privateKey: k.private, publicKey: k.public.trim() };
    if (pairParses(pair)) return pair;
  }
  throw new Error('Could not generate a valid ed25519 key pair (16 malformed pairs in a row).');
}

/**
 * The key pair stored at `privPath` / `privPath.pub`-style paths, generated on
 * first use. Files are 0600 in a 0700 directory.
 */
export function ensureKeyPair(privPath: string, pubPath: string, comment: string): KeyPair {
  if (existsSync(privPath) && existsSync(pubPath)) {
    const pair = { privateKey: readFileSync(privPath, 'utf8'), publicKey: readFileSync(pubPath, 'utf8').trim() };
    // A pair from ssh2's faulty keygen (see generateKeyPair) never worked: replace it. Both
    // halves reach the guest in the seed at every start, so nothing else needs to change.
    if (pairParses(pair)) return pair;
  }
  ensurePrivateDir(path.dirname(privPath));
  const pair = generateKeyPair(comment);
  writeFileSync(privPath, pair.privateKey, { mode: 0o600 });
  writeFileSync(pubPath, pair.publicKey + '\n', { mode: 0o600 });
  return pair;
}

/** The raw key blob of an OpenSSH public key line ("ssh-ed25519 AAAA… [comment]"). */
export function publicKeyBlob(publicKeyLine: string): Buffer {
  const parsed = utils.parseKey(publicKeyLine.trim());
  if (parsed instanceof Error) throw new Error(`Not a valid SSH public key: ${parsed.message}`, { cause: parsed });
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  return key.getPublicSSH();
}

/** OpenSSH's fingerprint form: "SHA256:" + unpadded base64 of the key blob's SHA-256. */
export function fingerprint(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

export class HostKeyMismatchError extends Error {
  constructor(
    readonly address: string,
    readonly presented: string,
    readonly pinned: string,
    what: string,
  ) {
    super(
      `The SSH host key of ${what} at ${address} is ${presented}, but ${pinned} is pinned: refusing to connect. ` +
        'Something else may be answering on that port, or the machine was recreated; if you trust it, delete and recreate the machine.',
    );
    this.name = 'HostKeyMismatchError';
  }
}

export interface SshTarget {
  host: string;
  port: number;
  username: string;
  privateKey: string;
  /** The pinned host public key line; a server presenting any other key is refused. */
  hostKey: string;
  /** Used in messages, e.g. `machine "default"`. */
  what: string;
  /** Handshake timeout; a guest under TCG can be slow. */
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number;
}

export interface ExecResult {
  code: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
}

/** Opens one SSH connection with the host key pinned. */
export function connectSsh(target: SshTarget): Promise<Client> {
  const pinned = publicKeyBlob(target.hostKey);
  const address = `${target.host}:${target.port}`;
  return new Promise((resolve, reject) => {
    const client = new Client();
    let mismatch: HostKeyMismatchError | undefined;
    const config: ConnectConfig = {
      host: target.host,
      port: target.port,
      username: target.username,
      privateKey: target.privateKey,
      readyTimeout: target.readyTimeoutMs ?? 30_000,
      keepaliveInterval: target.keepaliveIntervalMs ?? 10_000,
      keepaliveCountMax: 3,
      hostVerifier: (key: Buffer) => {
        if (key.equals(pinned)) return true;
        mismatch = new HostKeyMismatchError(address, fingerprint(key), fingerprint(pinned), target.what);
        return false;
      },
    };
    // Not `once`: a connection reset before the handshake brings two errors (read ECONNRESET,
    // then "Connection lost before handshake"), and an 'error' nobody listens to is thrown.
    let failed = false;
    const onError = (err: Error) => {
      if (failed) return;
      failed = true;
      client.removeListener('ready', onReady);
      client.end();
      reject(mismatch ?? new Error(`SSH to ${target.what} at ${address} failed: ${err.message}`, { cause: err }));
    };
    const onReady = () => {
      client.removeListener('error', onError);
      resolve(client);
    };
    client.on('error', onError);
    client.once('ready', onReady);
    client.connect(config);
  });
}

/** Runs `argv` on the remote host and collects its output. The command line is built by shellQuote only. */
export function execOn(client: Client, argv: readonly string[], opts: { stdin?: string | Buffer } = {}): Promise<ExecResult> {
  const command = shellQuote(argv);
  return new Promise((resolve, reject) => {
    client.exec(command, (err, stream: ClientChannel) => {
      if (err) return reject(new Error(`Cannot run "${argv[0]}" over SSH: ${err.message}`, { cause: err }));
      const out: Buffer[] = [];
      const errOut: Buffer[] = [];
      let code: number | null = null;
      let signal: string | undefined;
      stream.on('data', (d: Buffer) => out.push(d));
      stream.stderr.on('data', (d: Buffer) => errOut.push(d));
      stream.on('exit', (c: number | null, sig?: string) => {
        code = c;
        signal = sig ?? undefined;
      });
      stream.on('close', () => resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errOut).toString('utf8') }));
      stream.on('error', reject);
      if (opts.stdin !== undefined) stream.end(opts.stdin);
      else stream.end();
    });
  });
}

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
      this.scheduleRetry(err ?? new Error('The SSH connection closed.'));
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

/** Starts `argv` remotely and hands over its channel (stdin/stdout as a duplex, `.stderr` apart) for the caller to drive. */
export function openExecChannel(client: Client, argv: readonly string[]): Promise<ClientChannel> {
  const command = shellQuote(argv);
  return new Promise((resolve, reject) =>
    client.exec(command, (err, stream) => (err ? reject(new Error(`Cannot run "${argv[0]}" over SSH: ${err.message}`, { cause: err })) : resolve(stream))),
  );
}

export interface StreamIO {
  stdin?: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Runs `argv` remotely with its output streamed to `io`; resolves with the exit code (null when killed by a signal). */
export function execStreaming(client: Client, argv: readonly string[], io: StreamIO): Promise<number | null> {
  const command = shellQuote(argv);
  return new Promise((resolve, reject) => {
    client.exec(command, (err, stream) => {
      if (err) return reject(new Error(`Cannot run "${argv[0]}" over SSH: ${err.message}`, { cause: err }));
      let code: number | null = null;
      stream.on('exit', (c: number | null) => (code = c));
      stream.on('data', (d: Buffer) => io.stdout.write(d));
      stream.stderr.on('data', (d: Buffer) => io.stderr.write(d));
      stream.on('close', () => {
        io.stdin?.unpipe(stream);
        resolve(code);
      });
      if (io.stdin) io.stdin.pipe(stream);
      else stream.end();
    });
  });
}

/** An interactive login shell on a terminal (raw mode while it runs); resolves with its exit code. */
export function interactiveShell(client: Client, io: Required<StreamIO> & { stdin: NodeJS.ReadStream; stdout: NodeJS.WriteStream }): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const window = { term: process.env.TERM || 'xterm-256color', rows: io.stdout.rows || 24, cols: io.stdout.columns || 80 };
    client.shell(window, (err, stream) => {
      if (err) return reject(new Error(`Cannot open a shell over SSH: ${err.message}`, { cause: err }));
      let code: number | null = null;
      const wasRaw = io.stdin.isRaw;
      if (io.stdin.isTTY) io.stdin.setRawMode(true);
      const onResize = () => stream.setWindow(io.stdout.rows, io.stdout.columns, 0, 0);
      io.stdout.on('resize', onResize);
      io.stdin.pipe(stream);
      stream.pipe(io.stdout, { end: false });
      stream.stderr.pipe(io.stderr, { end: false });
      stream.on('exit', (c: number | null) => (code = c));
      stream.on('close', () => {
        io.stdin.unpipe(stream);
        if (io.stdin.isTTY) io.stdin.setRawMode(wasRaw);
        io.stdin.pause();
        io.stdout.removeListener('resize', onResize);
        resolve(code);
      });
    });
  });
}
