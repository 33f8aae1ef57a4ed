// Where a Docker engine can be reached, and in what order we try.
//
// Precedence follows the docker CLI so that Slipway talks to the engine the
// user's terminal talks to: an explicit setting wins; then DOCKER_HOST; then
// DOCKER_CONTEXT / the current context from ~/.docker; then the platform's
// default socket or named pipe. Pure except for reading the context files,
// which `readDockerContext` does with the file system passed in.

import { readCurrentContext, type ContextFiles } from './dockerContext';

export type EndpointSource = 'setting' | 'env' | 'context' | 'default' | 'machine';

export interface TlsMaterial {
  ca?: string;
  cert?: string;
  key?: string;
  /** false when the context or DOCKER_TLS_VERIFY says not to verify. */
  verify: boolean;
}

export interface Endpoint {
  /** Short human name: "default socket", "DOCKER_HOST", "context 'colima'". */
  name: string;
  source: EndpointSource;
  /** A Docker host URL: unix:///…, npipe:////./pipe/…, tcp://host:port, ssh://user@host[:port]. */
  host: string;
  tls?: TlsMaterial;
}

export interface ResolveInput {
  /** The `slipway.engine.host` setting; empty means automatic. */
  setting?: string;
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  homeDir: string;
  files: ContextFiles;
  /** Running Slipway machines whose Docker socket is served, tried before the default socket. */
  machines?: { name: string; dockerHost: string }[];
}

export const DEFAULT_UNIX_SOCKET = 'unix:///var/run/docker.sock';
export const DEFAULT_WINDOWS_PIPE = 'npipe:////./pipe/docker_engine';

/**
 * The endpoints to try, first choice first. With an explicit setting there is
 * exactly one: a user who chose an engine never silently gets another.
 */
export function resolveEndpoints(input: ResolveInput): Endpoint[] {
  const setting = input.setting?.trim();
  if (setting) return [{ name: 'setting slipway.engine.host', source: 'setting', host: setting }];

  const out: Endpoint[] = [];
  const envHost = input.env.DOCKER_HOST?.trim();
  if (envHost) {
    out.push({ name: 'DOCKER_HOST', source: 'env', host: envHost, tls: tlsFromEnv(input.env) });
  } else {
    const ctx = readCurrentContext(input.files, input.env, input.homeDir);
    if (ctx && ctx.name !== 'default' && ctx.host) {
      out.push({ name: `context '${ctx.name}'`, source: 'context', host: ctx.host, tls: ctx.tls });
    }
  }
  for (const m of input.machines ?? []) out.push({ name: `machine '${m.name}'`, source: 'machine', host: m.dockerHost });
  out.push(defaultEndpoint(input.platform, input.homeDir));
  return dedupe(out);
}

export function defaultEndpoint(platform: NodeJS.Platform, _homeDir: string): Endpoint {
  return platform === 'win32'
    ? { name: 'default named pipe', source: 'default', host: DEFAULT_WINDOWS_PIPE }
    : { name: 'default socket', source: 'default', host: DEFAULT_UNIX_SOCKET };
}

function tlsFromEnv(env: Record<string, string | undefined>): TlsMaterial | undefined {
  const certPath = env.DOCKER_CERT_PATH;
  const verify = !!env.DOCKER_TLS_VERIFY && env.DOCKER_TLS_VERIFY !== '0';
  if (!certPath && !verify) return undefined;
  return certPath
    ? { ca: `${certPath}/ca.pem`, cert: `${certPath}/cert.pem`, key: `${certPath}/key.pem`, verify }
    : { verify };
}

function dedupe(list: Endpoint[]): Endpoint[] {
  const seen = new Set<string>();
  return list.filter((e) => (seen.has(e.host) ? false : (seen.add(e.host), true)));
}

/** What docker-modem needs to open a connection to `host`. */
export type DialTarget =
  | { kind: 'socket'; socketPath: string }
  | { kind: 'tcp'; host: string; port: number; tls: boolean }
  | {
      kind: 'ssh';
      host: string;
      port: number;
      username?: string;
      /** The remote Docker socket when the URL names one (`ssh://host/run/docker.sock`; recent docker CLIs read it too, 20.10 refuses it). */
      socketPath?: string;
    };

/** Parses a Docker host URL, with an error that names the bad value and the accepted forms. */
export function parseHost(host: string): DialTarget {
  const bad = (why: string) =>
    new Error(
      `Engine address "${host}" is not usable: ${why}. ` +
        'Use unix:///path/to/docker.sock, npipe:////./pipe/name, tcp://host:port or ssh://user@host.',
    );
  if (host.startsWith('unix://')) {
    const p = host.slice('unix://'.length);
    if (!p.startsWith('/')) throw bad('the socket path must be absolute');
    return { kind: 'socket', socketPath: p };
  }
  if (host.startsWith('npipe://')) {
    // npipe:////./pipe/docker_engine → \\.\pipe\docker_engine
    const p = host.slice('npipe://'.length).replace(/\//g, '\\');
    if (!p.startsWith('\\\\')) throw bad('the pipe must look like npipe:////./pipe/name');
    return { kind: 'socket', socketPath: p };
  }
  let url: URL;
  try {
    url = new URL(host);
  } catch (e) {
    throw bad('it is not a URL');
  }
  if (url.protocol === 'tcp:' || url.protocol === 'http:' || url.protocol === 'https:') {
    if (!url.hostname) throw bad('the host name is missing');
    const tls = url.protocol === 'https:';
    const port = url.port ? Number(url.port) : tls ? 2376 : 2375;
    return { kind: 'tcp', host: url.hostname, port, tls };
  }
  if (url.protocol === 'ssh:') {
    if (!url.hostname) throw bad('the host name is missing');
    if (url.password) throw bad('passwords in ssh:// addresses are not supported; use ssh-agent or a key');
    if (url.search || url.hash) throw bad('an ssh:// address takes no ?query or #fragment');
    const socketPath = url.pathname && url.pathname !== '/' ? decodeURIComponent(url.pathname) : undefined;
    return {
      kind: 'ssh',
      // IPv6 literals come bracketed from URL; ssh and known_hosts want them bare.
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port ? Number(url.port) : 22,
      username: url.username ? decodeURIComponent(url.username) : undefined,
      ...(socketPath ? { socketPath } : {}),
    };
  }
  throw bad(`the scheme "${url.protocol}" is not supported`);
}
