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
import type { Duplex } from 'node:stream';
import type { Client, ClientChannel } from 'ssh2';
import { execOn } from '../ssh/exec';
import { shellQuote } from '../ssh/quote';
import type { EngineProblem } from './errors';
import { ChannelSocket } from '../ssh/channelSocket';
import { dialRemote, RemoteEngineError, resolveRemote, type RemoteTarget, type SshEngineOptions } from './sshDial';

export { DEFAULT_REMOTE_SOCKET, RemoteEngineError, resolveRemote, type RemoteTarget, type SshEngineOptions } from './sshDial';

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
