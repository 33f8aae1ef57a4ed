// A typed client over dockerode for one endpoint. Every request goes through
// `docker.modem.dial`, which we wrap once to count requests: the test suite
// and the status bar use the count to prove the views do not poll.

import type Docker from 'dockerode';
import type { Agent } from 'node:http';
import { PassThrough, type Duplex, type Readable } from 'node:stream';
import { readFileSync } from 'node:fs';
import { parseHost, type Endpoint } from './endpoint';
import { actionError, describeConnectError, type EngineProblem } from './errors';
import type { SshEngineOptions } from './sshTransport';
import { ProblemError } from '../base/problem';

export type ContainerVerb = 'start' | 'stop' | 'restart' | 'pause' | 'unpause' | 'kill';

export interface ClientOptions {
  /** Called before each HTTP request with its method and path. */
  onRequest?: (method: string, path: string) => void;
  /** Timeout for ordinary API calls (not for streams), in ms. */
  timeoutMs?: number;
  /** For ssh:// endpoints: where ~/.ssh is, the environment (SSH_AUTH_SOCK)… Defaults to the real ones. */
  ssh?: SshEngineOptions;
}

export interface EngineIdentity {
  endpoint: Endpoint;
  /** e.g. "Docker Engine 26.1.5" */
  product: string;
  version: string;
  apiVersion: string;
  os: string;
  arch: string;
}

export interface PruneResult {
  deleted: string[];
  spaceReclaimed: number;
}

export class EngineClient {
  readonly docker: Docker;
  private requests = 0;
  private readonly release: () => void = () => undefined;

  constructor(
    readonly endpoint: Endpoint,
    private readonly opts: ClientOptions = {},
  ) {
    const target = parseHost(endpoint.host);
    let agent: Agent | undefined;
    if (target.kind === 'ssh') {
      // The SSH layer (ssh2) loads only when an ssh:// engine is used. One
      // SSH connection per endpoint is shared by every client of it.
      const { acquireSshTransport } = require('./sshTransport') as typeof import('./sshTransport');
      const lease = acquireSshTransport(endpoint.host, opts.ssh);
      agent = lease.transport.agent;
      this.release = lease.release;
    }
    // dockerode (and the gRPC stack it pulls in) loads on first use, not when
    // the extension activates: activation must stay in the low milliseconds.
    const DockerCtor = require('dockerode') as typeof Docker;
    this.docker = new DockerCtor(dockerodeOptions(endpoint, opts.timeoutMs, agent));
    const modem = (this.docker as unknown as { modem: { dial: (o: DialOpts, cb: unknown) => unknown } }).modem;
    const dial = modem.dial.bind(modem);
    modem.dial = (o: DialOpts, cb: unknown) => {
      this.requests++;
      this.opts.onRequest?.(o.method ?? 'GET', o.path ?? '');
      return dial(o, cb);
    };
  }

  /** How many HTTP requests this client has sent. */
  get requestCount(): number {
    return this.requests;
  }

  /** Pings and reads the version; throws an Error whose message is the plain reason. */
  async identify(): Promise<EngineIdentity> {
    try {
      const v = await this.docker.version();
      const engine = v.Components?.find((c) => c.Name === 'Engine');
      return {
        endpoint: this.endpoint,
        product: (v as { Platform?: { Name?: string } }).Platform?.Name || 'Docker Engine',
        version: engine?.Version ?? v.Version,
        apiVersion: v.ApiVersion,
        os: v.Os,
        arch: v.Arch,
      };
    } catch (err) {
      const p = this.problem(err);
      throw new ConnectError(p, err);
    }
  }

  problem(err: unknown): EngineProblem {
    // The SSH transport's errors carry their own problem (host key, login, remote socket).
    return err instanceof ProblemError ? err.problem : describeConnectError(err, this.endpoint);
  }

  /** Lets go of what the client holds: for ssh://, its share of the SSH connection (the last user closes it). */
  dispose(): void {
    this.release();
  }

  /** One Engine API call on a named resource; a failure becomes errors.ts's one sentence naming it. */
  private async act<T>(verb: string, kind: 'container' | 'image' | 'volume' | 'network', name: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw actionError(verb, kind, name, err);
    }
  }

  // ---- lists -----------------------------------------------------------

  listContainers(): Promise<Docker.ContainerInfo[]> {
    return this.docker.listContainers({ all: true });
  }

  listImages(): Promise<Docker.ImageInfo[]> {
    return this.docker.listImages({ all: false });
  }

  async listVolumes(): Promise<Docker.VolumeInspectInfo[]> {
    const r = await this.docker.listVolumes();
    return r.Volumes ?? [];
  }

  listNetworks(): Promise<Docker.NetworkInspectInfo[]> {
    return this.docker.listNetworks();
  }

  // ---- containers ------------------------------------------------------

  async containerAction(id: string, verb: ContainerVerb, name = id): Promise<void> {
    const c = this.docker.getContainer(id);
    await this.act(verb, 'container', name, () =>
      (c[verb] as (opts?: object) => Promise<unknown>).call(c, {}).catch((err: { statusCode?: number }) => {
        // 304: already in the requested state; not an error for the user.
        if (err?.statusCode !== 304) throw err;
      }),
    );
  }

  async removeContainer(id: string, opts: { force: boolean; volumes?: boolean }, name = id): Promise<void> {
    await this.act('remove', 'container', name, () => this.docker.getContainer(id).remove({ force: opts.force, v: !!opts.volumes }));
  }

  async inspectContainer(id: string, name = id): Promise<Docker.ContainerInspectInfo> {
    return this.act('inspect', 'container', name, () => this.docker.getContainer(id).inspect());
  }

  /**
   * The container's log as one text stream (stdout and stderr interleaved as the
   * engine sent them). `tail` bounds how much history is sent: a 50 MB log is
   * not pushed into the editor unless asked for.
   */
  async containerLogs(
    id: string,
    opts: { follow: boolean; tail?: number; timestamps?: boolean; tty?: boolean },
    name = id,
  ): Promise<Readable> {
    // Always as a stream (dockerode buffers the whole body when not following).
    const raw = await this.act('read the logs of', 'container', name, () =>
      this.stream(`/containers/${encodeURIComponent(id)}/logs?`, {
        follow: opts.follow,
        stdout: true,
        stderr: true,
        tail: opts.tail === undefined || opts.tail < 0 ? 'all' : String(opts.tail),
        timestamps: !!opts.timestamps,
      }),
    );
    if (opts.tty) return raw;
    const out = new PassThrough();
    this.docker.modem.demuxStream(raw, out, out);
    raw.on('end', () => out.end());
    raw.on('error', (e) => out.destroy(e));
    out.on('close', () => raw.destroy());
    return out;
  }

  /** A GET whose body is returned as a stream, never buffered. */
  private stream(path: string, options: Record<string, unknown>): Promise<Readable> {
    const modem = this.docker.modem as unknown as { dial(o: object, cb: (err: unknown, data: unknown) => void): void };
    return new Promise((resolve, reject) =>
      modem.dial(
        { path, method: 'GET', options, isStream: true, statusCodes: { 200: true, 404: 'no such object', 500: 'server error' } },
        (err, data) => (err ? reject(err) : resolve(noIdleTimeout(data as Readable))),
      ),
    );
  }

  /**
   * An interactive exec session with a real pty (like `docker exec -it`):
   * the returned stream carries the terminal both ways; `resize` follows the
   * editor's terminal size.
   */
  async execInteractive(id: string, cmd: string[], size: { rows: number; cols: number }, name = id): Promise<InteractiveSession> {
    return this.act('open a shell in', 'container', name, async () => {
      const exec = await this.docker.getContainer(id).exec({
        Cmd: cmd,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: true,
        // No COLUMNS/LINES: they would override the pty's size in many programs and stop resize from working.
        Env: ['TERM=xterm-256color'],
      });
      const stream = noIdleTimeout((await exec.start({ hijack: true, stdin: true, Tty: true })) as unknown as Duplex);
      const resize = (rows: number, cols: number) => exec.resize({ h: rows, w: cols }).then(() => undefined);
      await resize(size.rows, size.cols).catch(() => undefined); // the process may not have started yet
      return { stream, resize, exitCode: async () => (await exec.inspect()).ExitCode ?? undefined };
    });
  }

  // ---- images ----------------------------------------------------------

  async removeImage(id: string, opts: { force: boolean }, name = id): Promise<void> {
    await this.act('remove', 'image', name, () => this.docker.getImage(id).remove({ force: opts.force }));
  }

  async tagImage(id: string, repo: string, tag: string, name = id): Promise<void> {
    await this.act('tag', 'image', name, () => this.docker.getImage(id).tag({ repo, tag }));
  }

  async inspectImage(id: string, name = id): Promise<Docker.ImageInspectInfo> {
    return this.act('inspect', 'image', name, () => this.docker.getImage(id).inspect());
  }

  async imageHistory(id: string, name = id): Promise<ImageHistoryEntry[]> {
    return this.act('read the history of', 'image', name, async () => (await this.docker.getImage(id).history()) as ImageHistoryEntry[]);
  }

  /** Removes dangling images, or all unused ones with `all`. */
  async pruneImages(all: boolean): Promise<PruneResult> {
    const r = await this.docker.pruneImages({ filters: { dangling: [all ? 'false' : 'true'] } });
    return {
      deleted: (r.ImagesDeleted ?? []).map((d) => d.Deleted ?? d.Untagged ?? '').filter(Boolean),
      spaceReclaimed: r.SpaceReclaimed ?? 0,
    };
  }

  // ---- volumes ---------------------------------------------------------

  async createVolume(name: string, labels: Record<string, string> = {}): Promise<Docker.VolumeInspectInfo> {
    return this.act('create', 'volume', name, async () => {
      await this.docker.createVolume({ Name: name, Labels: labels });
      return await this.docker.getVolume(name).inspect();
    });
  }

  async removeVolume(name: string, opts: { force: boolean } = { force: false }): Promise<void> {
    await this.act('remove', 'volume', name, () => this.docker.getVolume(name).remove({ force: opts.force }));
  }

  async inspectVolume(name: string): Promise<Docker.VolumeInspectInfo> {
    return this.act('inspect', 'volume', name, () => this.docker.getVolume(name).inspect());
  }

  /** Removes unused volumes; with `all`, named ones too (the engine keeps them by default since API 1.42). */
  async pruneVolumes(all: boolean): Promise<PruneResult> {
    const r = await this.docker.pruneVolumes(all ? { filters: { all: ['true'] } } : {});
    return { deleted: r.VolumesDeleted ?? [], spaceReclaimed: r.SpaceReclaimed ?? 0 };
  }

  // ---- networks --------------------------------------------------------

  async createNetwork(name: string, driver = 'bridge'): Promise<string> {
    return this.act('create', 'network', name, async () => {
      const n = await this.docker.createNetwork({ Name: name, Driver: driver, CheckDuplicate: true });
      return n.id;
    });
  }

  async removeNetwork(id: string, name = id): Promise<void> {
    await this.act('remove', 'network', name, () => this.docker.getNetwork(id).remove());
  }

  async inspectNetwork(id: string, name = id): Promise<Docker.NetworkInspectInfo> {
    return this.act('inspect', 'network', name, () => this.docker.getNetwork(id).inspect());
  }

  async pruneNetworks(): Promise<PruneResult> {
    const r = await this.docker.pruneNetworks();
    return { deleted: r.NetworksDeleted ?? [], spaceReclaimed: 0 };
  }

  // ---- events ----------------------------------------------------------

  /** The raw `/events` stream (newline-delimited JSON). `EventStream` adds reconnects. */
  async events(): Promise<Readable> {
    return noIdleTimeout(
      (await this.docker.getEvents({
        filters: { type: ['container', 'image', 'volume', 'network'] },
      })) as unknown as Readable,
    );
  }
}

export interface InteractiveSession {
  stream: Duplex;
  resize(rows: number, cols: number): Promise<void>;
  /** The exit code once the stream ended, when the engine can tell. */
  exitCode(): Promise<number | undefined>;
}

export interface ImageHistoryEntry {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

export class ConnectError extends ProblemError {
  constructor(problem: EngineProblem, cause: unknown) {
    super(problem, cause, 'ECONNECT');
    this.name = 'ConnectError';
  }
}

/**
 * docker-modem applies the API timeout to every request as an idle timeout on
 * its socket, streams included: a quiet event stream, a followed log or an
 * idle shell was cut after `timeoutMs` (the event stream then reconnected and
 * every view refreshed). Streams have no idle limit; a dead tcp:// peer is
 * found by TCP keepalive instead (ssh:// has SSH keepalives). `s` is the
 * response (its socket) or, for hijacked streams, the socket itself.
 */
function noIdleTimeout<T extends object>(s: T): T {
  const sock = ((s as { socket?: unknown }).socket ?? s) as { setTimeout?(ms: number): unknown; setKeepAlive?(on: boolean, delayMs: number): unknown };
  sock.setTimeout?.(0);
  sock.setKeepAlive?.(true, 15_000);
  return s;
}

interface DialOpts {
  method?: string;
  path?: string;
}

/**
 * docker-modem starts from DOCKER_HOST & co. and lets them override what we
 * pass (with DOCKER_HOST=ssh://… it would even dial SSH itself, accepting any
 * host key). Every field it derives from the environment is reset here, so the
 * endpoint alone decides where requests go.
 */
const NO_ENV_DEFAULTS = {
  host: undefined,
  port: undefined,
  protocol: undefined,
  username: undefined,
  pathPrefix: undefined,
  ca: undefined,
  cert: undefined,
  key: undefined,
  sshOptions: undefined,
} as unknown as Docker.DockerOptions;

function dockerodeOptions(endpoint: Endpoint, timeoutMs?: number, agent?: Agent): Docker.DockerOptions {
  const target = parseHost(endpoint.host);
  const timeout = timeoutMs ?? 30_000;
  switch (target.kind) {
    case 'socket':
      return { ...NO_ENV_DEFAULTS, socketPath: target.socketPath, timeout };
    case 'tcp': {
      const tls = endpoint.tls;
      const read = (f?: string) => (f ? readFileSync(f) : undefined);
      const useTls = target.tls || !!tls;
      return {
        ...NO_ENV_DEFAULTS,
        protocol: useTls ? 'https' : 'http',
        host: target.host,
        port: target.port,
        timeout,
        ...(useTls && tls ? { ca: read(tls.ca), cert: read(tls.cert), key: read(tls.key) } : {}),
      };
    }
    case 'ssh':
      // HTTP over channels of Slipway's own SSH connection (sshTransport.ts);
      // the host name only fills the Host header.
      return { ...NO_ENV_DEFAULTS, protocol: 'http', host: 'docker', timeout, ...({ agent } as Docker.DockerOptions) };
  }
}
