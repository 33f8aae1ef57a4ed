// Dialling a user's SSH host (ssh:// engines, and later dev containers on
// remote hosts): the target after ~/.ssh/config, the host key checked against
// known_hosts before and during the handshake (no trust on first use, never
// "accept anything"), login with ssh-agent then unencrypted keys, and every
// failure as an SshDialError with a plain reason and what to do.

import * as os from 'node:os';
import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { Client, type ConnectConfig } from 'ssh2';
import { checkHostKey, hostKeyAlgorithms, hostKeyError, HostKeyError, lookupHost, parseKnownHosts, type KnownHostEntry } from './knownHosts';
import { discoverLogin, hasLoginMethod, loginFailureMessage, type LoginMethods } from './auth';
import { expandIdentityPath, resolveSshConfig } from './config';
import { ProblemError, type Problem } from '../base/problem';

export const SYSTEM_KNOWN_HOSTS = ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];

export interface SshDialOptions {
  /** Where ~/.ssh lives; default os.homedir(). Tests pass a temp home. */
  homeDir?: string;
  /** For SSH_AUTH_SOCK; default process.env. */
  env?: Record<string, string | undefined>;
  /** System-wide known_hosts files; default /etc/ssh/ssh_known_hosts(2). */
  systemKnownHosts?: string[];
  /** SSH handshake and login timeout; default 15 s. */
  readyTimeoutMs?: number;
}

/** Where and as whom to connect, after ~/.ssh/config. */
export interface SshHostTarget {
  /** What the user configured (e.g. the ssh:// address), for messages. */
  label: string;
  /** The host as the user wrote it (maybe a ~/.ssh/config alias). */
  alias: string;
  host: string;
  port: number;
  username: string;
  identityFiles: string[];
  knownHostsFiles: string[];
}

/** What the user wrote: a host (or ~/.ssh/config alias), and the port and user when given. */
export interface SshDestination {
  label: string;
  host: string;
  port?: number;
  username?: string;
}

/** The target for a destination, with ~/.ssh/config's HostName, User, Port and IdentityFile applied. */
export function resolveSshTarget(dest: SshDestination, opts: SshDialOptions = {}): SshHostTarget {
  const home = opts.homeDir ?? os.homedir();
  let cfgText = '';
  try {
    cfgText = readFileSync(path.join(home, '.ssh', 'config'), 'utf8');
  } catch {
    // no config: the destination and defaults only
  }
  const cfg = resolveSshConfig(cfgText, dest.host);
  const localUser = safeLocalUser();
  const host = cfg.hostName ?? dest.host;
  const username = dest.username ?? cfg.user ?? localUser;
  return {
    label: dest.label,
    alias: dest.host,
    host,
    port: dest.port ?? cfg.port ?? 22,
    username,
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

/** A dial that failed before or during the handshake or login. */
export class SshDialError extends ProblemError {
  constructor(problem: Problem & { code: string }, cause?: unknown) {
    super(problem, cause);
    this.name = 'SshDialError';
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
export function dialSsh(t: SshHostTarget, opts: SshDialOptions = {}): Promise<Client> {
  const login = `${t.username}@${t.alias}`;
  const address = `${t.host}:${t.port}`;
  const userFiles = t.knownHostsFiles.filter((f) => !(opts.systemKnownHosts ?? SYSTEM_KNOWN_HOSTS).includes(f)).slice(0, 1);
  const ctx = { login, host: t.host, port: t.port, files: userFiles.length ? userFiles : t.knownHostsFiles };
  const found = lookupHost(readKnownHosts(t.knownHostsFiles), t.host, t.port);
  if (!found.keys.length) {
    const err = hostKeyError({ ok: false, kind: found.certAuthorities.length ? 'cert-authority-only' : 'unknown' }, undefined, ctx);
    return Promise.reject(hostKeyProblem(err));
  }
  const algorithms = hostKeyAlgorithms(found).filter((a) => SUPPORTED_HOST_KEY_ALGS.has(a));
  if (!algorithms.length) {
    const types = [...new Set(found.keys.map((k) => k.keyType))].join(', ');
    return Promise.reject(
      new SshDialError({
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
      if (keyError) reject(hostKeyProblem(keyError));
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

function hostKeyProblem(err: HostKeyError): SshDialError {
  // The reason already names the command or file to use; the fix says what to check.
  const fix: Record<HostKeyError['kind'], string> = {
    unknown: 'Check the fingerprint ssh shows against the host before accepting it.',
    mismatch: 'Find out why the key changed before trusting a new one.',
    revoked: "Ask the host's administrator for its current key.",
    'cert-authority-only': "Add the host's own key to known_hosts.",
  };
  return new SshDialError({ code: `HOSTKEY_${err.kind.toUpperCase().replace(/-/g, '_')}`, reason: err.message, fix: fix[err.kind] }, err);
}

function authProblem(m: LoginMethods, login: string, tried: boolean, _t: SshHostTarget, cause?: unknown): SshDialError {
  return new SshDialError(
    { code: 'SSH_AUTH', reason: loginFailureMessage(m, login, tried), fix: 'Load your key into ssh-agent (ssh-add) or add your public key to the remote authorized_keys.' },
    cause,
  );
}

function connectProblem(err: Error & { code?: string; level?: string }, t: SshHostTarget): SshDialError {
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
  return new SshDialError(
    { code: err.code ?? 'SSH_CONNECT', reason, fix: `Check the address in ${t.label} and that sshd runs on that host, then retry.` },
    err,
  );
}
