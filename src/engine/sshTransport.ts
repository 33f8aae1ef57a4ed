// `ssh://user@host[:port][/path/to/docker.sock]` engines over Slipway's own
// SSH code: one SSH connection per endpoint, dialled on the first request and
// again after it drops, carrying each HTTP connection of dockerode in its own
// channel. An http.Agent hands docker-modem those channels, so events, log
// streams and hijacked attach/exec streams work unchanged.
//
// The channel is OpenSSH's `direct-streamlocal@openssh.com` to the remote
// socket; when the server refuses it (AllowStreamLocalForwarding no), each
// connection runs `docker system dial-stdio` on the remote host instead, as
// the docker CLI does for ssh:// hosts.
//
// Trust: the host key must be recorded in known_hosts (no trust on first use,
// never "accept anything"); login uses ssh-agent, then unencrypted keys.
// Loaded only when an ssh:// endpoint is used (ssh2 is not cheap to load).

import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { Duplex } from 'node:stream';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { checkHostKey, hostKeyAlgorithms, hostKeyError, HostKeyError, lookupHost, parseKnownHosts, type KnownHostEntry } from '../machine/knownHosts';
import { discoverLogin, hasLoginMethod, loginFailureMessage, type LoginMethods } from '../machine/sshAuth';
import { expandIdentityPath, resolveSshConfig } from '../machine/sshConfig';
import { execOn } from '../machine/ssh';
import { shellQuote } from '../machine/shellQuote';
import { parseHost } from './endpoint';
import type { EngineProblem } from './errors';

export const DEFAULT_REMOTE_SOCKET = '/var/run/docker.sock';
export const SYSTEM_KNOWN_HOSTS = ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];

export interface SshEngineOptions {
  /** Where ~/.ssh lives; default os.homedir(). Tests pass a temp home. */
  homeDir?: string;
  /** For SSH_AUTH_SOCK; default process.env. */
  env?: Record<string, string | undefined>;
  /** System-wide known_hosts files; default /etc/ssh/ssh_known_hosts(2). */
  systemKnownHosts?: string[];
  /** Close the SSH connection after this long without an open channel; default 60 s. */
  idleMs?: number;
  /** SSH handshake and login timeout; default 15 s. */
  readyTimeoutMs?: number;
}

/** Where and as whom to connect, after ~/.ssh/config. */
export interface RemoteTarget {
  /** The engine address as configured, for messages. */
  url: string;
  /** The host as written in the URL (maybe a ~/.ssh/config alias). */
  alias: string;
  host: string;
  port: number;
  username: string;
  socketPath: string;
  /** True when the URL named the socket (then it must exist; dial-stdio gets it with -H). */
  socketPathGiven: boolean;
  identityFiles: string[];
  knownHostsFiles: string[];
}

/** The target for an ssh:// URL, with ~/.ssh/config's HostName, User, Port and IdentityFile applied. */
export function resolveRemote(url: string, opts: SshEngineOptions = {}): RemoteTarget {
  const t = parseHost(url);
  if (t.kind !== 'ssh') throw new Error(`"${url}" is not an ssh:// address.`);
  const home = opts.homeDir ?? os.homedir();
  let cfgText = '';
  try {
    cfgText = readFileSync(path.join(home, '.ssh', 'config'), 'utf8');
  } catch {
    // no config: URL and defaults only
  }
  const cfg = resolveSshConfig(cfgText, t.host);
  const localUser = safeLocalUser();
  const explicitPort = new URL(url).port !== '';
  const host = cfg.hostName ?? t.host;
  const username = t.username ?? cfg.user ?? localUser;
  return {
    url,
    alias: t.host,
    host,
    port: explicitPort ? t.port : (cfg.port ?? 22),
    username,
    socketPath: t.socketPath ?? DEFAULT_REMOTE_SOCKET,
    socketPathGiven: t.socketPath !== undefined,
    identityFiles: cfg.identityFiles.map((f) => expandIdentityPath(f, { home, localUser, host, remoteUser: username })),
    knownHostsFiles: [path.join(home, '.ssh', 'known_hosts'), path.join(home, '.ssh', 'known_hosts2'), ...(opts.systemKnownHosts ?? SYSTEM_KNOWN_HOSTS)],
  };
}

function safeLocalUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? 'root';
  }
}

/** A failure with the EngineProblem the views and the CLI show (EngineClient.problem reads it). */
export class RemoteEngineError extends Error {
  readonly code: string;
  constructor(
    readonly engineProblem: EngineProblem,
    cause?: unknown,
  ) {
    super(engineProblem.reason, { cause });
    this.name = 'RemoteEngineError';
    this.code = engineProblem.code ?? 'ESSH';
  }
}

/** Host keys from every known_hosts file that exists. */
function readKnownHosts(files: string[]): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    out.push(...parseKnownHosts(text, f));
  }
  return out;
}

/** Host key algorithms ssh2 can verify. */
const SUPPORTED_HOST_KEY_ALGS = new Set(['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);

/**
 * Opens one SSH connection to the target. Refuses before dialling when the
 * host has no recorded key or there is no way to log in.
 */
export function dialRemote(t: RemoteTarget, opts: SshEngineOptions = {}): Promise<Client> {
  const login = `${t.username}@${t.alias}`;
  const address = `${t.host}:${t.port}`;
  const userFiles = t.knownHostsFiles.filter((f) => !(opts.systemKnownHosts ?? SYSTEM_KNOWN_HOSTS).includes(f)).slice(0, 1);
  const ctx = { login, host: t.host, port: t.port, files: userFiles.length ? userFiles : t.knownHostsFiles };
  const found = lookupHost(readKnownHosts(t.knownHostsFiles), t.host, t.port);
  if (!found.keys.length) {
    const err = hostKeyError({ ok: false, kind: found.certAuthorities.length ? 'cert-authority-only' : 'unknown' }, undefined, ctx);
    return Promise.reject(hostKeyProblem(err, t));
  }
  const algorithms = hostKeyAlgorithms(found).filter((a) => SUPPORTED_HOST_KEY_ALGS.has(a));
  if (!algorithms.length) {
    const types = [...new Set(found.keys.map((k) => k.keyType))].join(', ');
    return Promise.reject(
      new RemoteEngineError({
        code: 'HOSTKEY_UNSUPPORTED',
        reason: `known_hosts records only ${types} keys for ${address}, which Slipway cannot verify.`,
        fix: 'Record an ed25519, ECDSA or RSA host key for it (ask the host for /etc/ssh/ssh_host_ed25519_key.pub).',
      }),
    );
  }
  const methods = discoverLogin({ homeDir: opts.homeDir ?? os.homedir(), env: opts.env ?? process.env, identityFiles: t.identityFiles });
  if (!hasLoginMethod(methods)) return Promise.reject(authProblem(methods, login, false, t));

  return new Promise((resolve, reject) => {
    const client = new Client();
    let keyError: HostKeyError | undefined;
    const attempts: ({ type: 'agent'; agent: string } | { type: 'publickey'; key: string })[] = [
      ...(methods.agent ? [{ type: 'agent' as const, agent: methods.agent }] : []),
      ...methods.keys.map((k) => ({ type: 'publickey' as const, key: k.privateKey })),
    ];
    const config: ConnectConfig = {
      host: t.host,
      port: t.port,
      username: t.username,
      readyTimeout: opts.readyTimeoutMs ?? 15_000,
      keepaliveInterval: 15_000,
      keepaliveCountMax: 3,
      algorithms: { serverHostKey: algorithms as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] },
      hostVerifier: (key: Buffer) => {
        const v = checkHostKey(found, key);
        if (v.ok) return true;
        keyError = hostKeyError(v, key, ctx);
        return false;
      },
      authHandler: (_left, _partial, next) => {
        const a = attempts.shift();
        if (!a) return next(false as never);
        next({ ...a, username: t.username });
      },
    };
    const onError = (err: Error & { level?: string }) => {
      // A stale SSH_AUTH_SOCK: ssh2 reports it and goes on with the key files.
      if (err.level === 'agent') return;
      client.removeListener('ready', onReady);
      client.removeListener('error', onError);
      client.on('error', () => undefined);
      client.end();
      if (keyError) reject(hostKeyProblem(keyError, t));
      else if (err.level === 'client-authentication') reject(authProblem(methods, login, true, t, err));
      else reject(connectProblem(err, t));
    };
    const onReady = () => {
      client.removeListener('error', onError);
      // HTTP is request/response: Nagle would hold a request's last packet back.
      client.setNoDelay(true);
      resolve(client);
    };
    client.on('error', onError);
    client.once('ready', onReady);
    client.connect(config);
  });
}

function hostKeyProblem(err: HostKeyError, t: RemoteTarget): RemoteEngineError {
  const fix =
    err.kind === 'unknown'
      ? `Run "ssh${t.port === 22 ? '' : ` -p ${t.port}`} ${t.username}@${t.alias}" once, check the fingerprint it shows, accept it, then retry.`
      : 'Do not connect until you know why the key changed; see the message for how to record a new key.';
  return new RemoteEngineError({ code: `HOSTKEY_${err.kind.toUpperCase().replace(/-/g, '_')}`, reason: err.message, fix }, err);
}

function authProblem(m: LoginMethods, login: string, tried: boolean, _t: RemoteTarget, cause?: unknown): RemoteEngineError {
  return new RemoteEngineError(
    { code: 'SSH_AUTH', reason: loginFailureMessage(m, login, tried), fix: 'Load your key into ssh-agent (ssh-add) or add your public key to the remote authorized_keys.' },
    cause,
  );
}

function connectProblem(err: Error & { code?: string; level?: string }, t: RemoteTarget): RemoteEngineError {
  const address = `${t.host}:${t.port}`;
  const why: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'the host name cannot be resolved',
    EAI_AGAIN: 'the host name cannot be resolved right now',
    ETIMEDOUT: 'no answer',
    EHOSTUNREACH: 'the host is unreachable',
    ENETUNREACH: 'the network is unreachable',
    ECONNRESET: 'the connection was reset',
  };
  const reason =
    err.level === 'client-timeout'
      ? `The SSH server at ${address} did not complete the handshake in time.`
      : `Cannot reach the SSH server at ${address} (${(err.code && why[err.code]) || err.message}).`;
  return new RemoteEngineError(
    { code: err.code ?? 'SSH_CONNECT', reason, fix: `Check the address in ${t.url} and that sshd runs on that host, then retry.` },
    err,
  );
}

/**
 * A Duplex over an SSH channel with the net.Socket methods node's http
 * client calls (setTimeout, setNoDelay, setKeepAlive, ref, unref), so the
 * channel can stand in for a socket. Half-closes pass through: hijacked exec
 * streams end their write side and keep reading.
 */
class ChannelSocket extends Duplex {
  private timeoutMs = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Bytes received so far. */
  received = 0;

  constructor(private readonly ch: ClientChannel) {
    super({ allowHalfOpen: true });
    ch.on('data', (d: Buffer) => {
      this.received += d.length;
      this.touch();
      if (this.push(d)) returnWindow(ch);
      else ch.pause();
    });
    ch.on('end', () => this.push(null));
    ch.on('error', (e: Error) => this.destroy(e));
    ch.on('close', () => {
      this.push(null);
      if (!this.writableEnded) this.end();
    });
  }

  override _read(): void {
    this.ch.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.touch();
    this.ch.write(chunk) ? cb() : this.ch.once('drain', () => cb());
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.ch.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
    clearTimeout(this.timer);
    this.ch.close();
    cb(err);
  }

  /** Like net.Socket: 'timeout' after `ms` without traffic (0 turns it off). */
  setTimeout(ms: number, cb?: () => void): this {
    this.timeoutMs = ms;
    if (cb) this.once('timeout', cb);
    this.touch();
    return this;
  }

  private touch(): void {
    clearTimeout(this.timer);
    if (this.timeoutMs > 0 && !this.destroyed) {
      this.timer = setTimeout(() => this.emit('timeout'), this.timeoutMs);
      this.timer.unref();
    }
  }

  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}

/** ssh2's channel window (lib/Channel.js MAX_WINDOW). */
const CHANNEL_WINDOW = 2 * 1024 * 1024;

/**
 * Gives the server its window back as soon as data is consumed. ssh2 waits
 * until half the 2 MiB window is used, so after a response's first packet the
 * client sends nothing, its kernel delays the TCP ACK (40 ms on Linux) and
 * sshd's Nagle holds the rest of the response until then: every response of
 * more than one packet took 40 ms longer. The adjust carries the ACK at once.
 * Only called while the reader keeps up, so backpressure is unchanged. Uses
 * ssh2 1.17 channel internals (the same steps as its windowAdjust); does
 * nothing if they are not there.
 */
function returnWindow(ch: ClientChannel): void {
  const c = ch as unknown as {
    incoming?: { window: number };
    outgoing?: { id: number; state: string };
    _client?: { _protocol?: { channelWindowAdjust?(id: number, amount: number): void } };
  };
  const proto = c._client?._protocol;
  if (!c.incoming || !c.outgoing || c.outgoing.state === 'closed' || typeof proto?.channelWindowAdjust !== 'function') return;
  const amount = CHANNEL_WINDOW - c.incoming.window;
  if (amount <= 0) return;
  c.incoming.window += amount;
  proto.channelWindowAdjust(c.outgoing.id, amount);
}

type Mode = 'streamlocal' | 'dial-stdio';

/**
 * One remote engine's SSH connection and the http.Agent that opens a channel
 * per HTTP connection. The connection is dialled lazily, shared by all
 * requests, dialled again after it drops, and closed after `idleMs` with no
 * channel open (or by close()).
 */
export class SshEngineTransport {
  readonly agent: http.Agent;
  private client: Promise<Client> | undefined;
  private openChannels = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private mode: Mode | undefined;
  private closed = false;
  /** How many SSH connections this transport has opened (tests prove reuse with it). */
  dials = 0;

  constructor(
    readonly target: RemoteTarget,
    private readonly opts: SshEngineOptions = {},
  ) {
    const agent = new http.Agent({ keepAlive: false });
    agent.createConnection = (_options, cb) => {
      this.openSocket().then(
        (s) => cb?.(null, s),
        (e: Error) => cb?.(e, undefined as never),
      );
      return undefined;
    };
    this.agent = agent;
  }

  /** Which channel kind carries HTTP, once known. */
  get channelKind(): Mode | undefined {
    return this.mode;
  }

  private connection(): Promise<Client> {
    if (this.closed) return Promise.reject(new Error(`The connection to ${this.target.url} was closed.`));
    if (!this.client) {
      this.dials++;
      const p = dialRemote(this.target, this.opts).then(
        (c) => {
          c.on('error', () => undefined); // 'close' follows; the next request dials again
          c.on('close', () => {
            if (this.client === p) this.client = undefined;
          });
          if (this.closed) c.end();
          return c;
        },
        (err: unknown) => {
          if (this.client === p) this.client = undefined;
          throw err;
        },
      );
      this.client = p;
    }
    return this.client;
  }

  /** A fresh socket-like stream to the remote Docker socket. */
  async openSocket(): Promise<Duplex> {
    const c = await this.connection();
    const opened = await this.openChannel(c);
    const sock = new ChannelSocket(opened.ch);
    if (opened.failed) {
      // dial-stdio that exits before saying anything failed to reach the engine: say why.
      const failed = opened.failed;
      opened.ch.on('exit', (code: number | null) => {
        if (code !== 0 && sock.received === 0) sock.destroy(failed(code));
      });
    }
    this.track(sock);
    return sock;
  }

  private async openChannel(c: Client): Promise<{ ch: ClientChannel; failed?: (code: number | null) => RemoteEngineError }> {
    const p = this.target.socketPath;
    let why: 'refused' | 'missing' = 'refused';
    if (this.mode !== 'dial-stdio') {
      try {
        const ch = await new Promise<ClientChannel>((resolve, reject) =>
          c.openssh_forwardOutStreamLocal(p, (err, ch) => (err ? reject(err) : resolve(ch))),
        );
        this.mode = 'streamlocal';
        return { ch };
      } catch (err) {
        // OpenSSH answers "open failed" both when forwarding is refused and when
        // the socket cannot be opened: ask the host which one it is.
        const state = await socketState(c, p);
        if (state === 'denied') throw this.socketProblem('EACCES', err);
        if (this.mode === 'streamlocal') throw this.socketProblem(state === 'missing' ? 'ENOENT' : 'ECONNREFUSED', err);
        // A socket the user named must be there. Without one, the remote docker
        // CLI may know better (rootless Docker, a docker context): ask it, as
        // `docker -H ssh://…` does.
        if (state === 'missing' && this.target.socketPathGiven) throw this.socketProblem('ENOENT', err);
        if (state === 'missing') why = 'missing';
        this.mode = 'dial-stdio';
      }
    }
    return this.dialStdio(c, why);
  }

  /** `docker system dial-stdio` on the remote host: its stdin/stdout are the engine connection. */
  private dialStdio(c: Client, why: 'refused' | 'missing'): Promise<{ ch: ClientChannel; failed: (code: number | null) => RemoteEngineError }> {
    const argv = ['docker', ...(this.target.socketPathGiven ? ['-H', `unix://${this.target.socketPath}`] : []), 'system', 'dial-stdio'];
    return new Promise((resolve, reject) =>
      c.exec(shellQuote(argv), (err, ch) => {
        if (err) return reject(this.dialStdioProblem(why, err.message, err));
        let stderr = '';
        ch.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-2000)));
        resolve({ ch, failed: (code) => this.dialStdioProblem(why, stderr.trim() || `exit code ${code}`) });
      }),
    );
  }

  private dialStdioProblem(why: 'refused' | 'missing', detail: string, cause?: unknown): RemoteEngineError {
    const t = this.target;
    return new RemoteEngineError(
      why === 'missing'
        ? {
            code: 'ENOENT',
            reason: `No Docker engine found at ${t.url}: ${t.socketPath} does not exist on ${t.host}, and "docker system dial-stdio" failed there: ${detail}.`,
            fix: 'Start Docker on the remote host, or put its socket path in the address (ssh://user@host/path/to/docker.sock).',
          }
        : {
            code: 'SSH_DIAL_STDIO',
            reason: `The SSH server at ${t.host}:${t.port} refuses to forward to ${t.socketPath}, and "docker system dial-stdio" failed there: ${detail}.`,
            fix: 'Set "AllowStreamLocalForwarding yes" in the remote sshd_config, or install the docker CLI on the remote host.',
          },
      cause,
    );
  }

  private socketProblem(code: 'ENOENT' | 'EACCES' | 'ECONNREFUSED', cause: unknown): RemoteEngineError {
    const where = `${this.target.socketPath} on ${this.target.host}`;
    const u = this.target.username;
    const p: Record<typeof code, EngineProblem> = {
      ENOENT: {
        code,
        reason: `No Docker engine is running at ${this.target.url}: ${where} does not exist.`,
        fix: 'Start Docker on the remote host, or put its socket path in the address (ssh://user@host/path/to/docker.sock).',
      },
      EACCES: {
        code,
        reason: `Permission denied on ${where} for the SSH user "${u}".`,
        fix: `Add "${u}" to the docker group on the remote host (sudo usermod -aG docker ${u}) and retry.`,
      },
      ECONNREFUSED: {
        code,
        reason: `Nothing is listening on ${where} (connection refused).`,
        fix: 'Start (or restart) Docker on the remote host, then retry.',
      },
    };
    return new RemoteEngineError(p[code], cause);
  }

  private track(sock: ChannelSocket): void {
    this.openChannels++;
    clearTimeout(this.idleTimer);
    sock.once('close', () => {
      if (--this.openChannels > 0 || this.closed) return;
      this.idleTimer = setTimeout(() => void this.disconnect(), this.opts.idleMs ?? 60_000);
      this.idleTimer.unref();
    });
  }

  /** Ends the current SSH connection (open streams end with it); the next request dials again. */
  async disconnect(): Promise<void> {
    const p = this.client;
    this.client = undefined;
    if (p) (await p.catch(() => undefined))?.end();
  }

  /** Ends the SSH connection; later requests fail. */
  close(): void {
    this.closed = true;
    clearTimeout(this.idleTimer);
    this.agent.destroy();
    void this.disconnect();
  }
}

/** Whether the remote socket exists and is writable, asked with two `test` commands. */
async function socketState(c: Client, p: string): Promise<'missing' | 'denied' | 'present' | 'unknown'> {
  try {
    if ((await execOn(c, ['test', '-S', p])).code !== 0) return 'missing';
    if ((await execOn(c, ['test', '-w', p])).code !== 0) return 'denied';
    return 'present';
  } catch {
    return 'unknown';
  }
}

// ---- one transport per endpoint -------------------------------------------

const pool = new Map<string, { transport: SshEngineTransport; refs: number }>();

/**
 * The shared transport for `url` (one SSH connection per endpoint, however
 * many EngineClients use it). `release` drops this user; the last one closes it.
 */
export function acquireSshTransport(url: string, opts: SshEngineOptions = {}): { transport: SshEngineTransport; release(): void } {
  const key = JSON.stringify([url, opts.homeDir ?? os.homedir(), (opts.env ?? process.env).SSH_AUTH_SOCK ?? '', opts.systemKnownHosts ?? null]);
  let entry = pool.get(key);
  if (!entry) {
    entry = { transport: new SshEngineTransport(resolveRemote(url, opts), opts), refs: 0 };
    pool.set(key, entry);
  }
  entry.refs++;
  const e = entry;
  let released = false;
  return {
    transport: e.transport,
    release() {
      if (released) return;
      released = true;
      if (--e.refs > 0) return;
      pool.delete(key);
      e.transport.close();
    },
  };
}
