// ssh:// engine addresses on top of ssh/dial.ts: the URL's host, user and
// port with ~/.ssh/config applied, the remote socket path, and dial failures
// as the EngineProblem the views and the CLI show.

import type { Client } from 'ssh2';
import { dialSsh, resolveSshTarget, SshDialError, type SshDialOptions, type SshHostTarget } from '../ssh/dial';
import { parseHost } from './endpoint';
import { ProblemError } from '../base/problem';
import type { EngineProblem } from './errors';

export const DEFAULT_REMOTE_SOCKET = '/var/run/docker.sock';

export type SshEngineOptions = SshDialOptions & {
  /** Close the SSH connection after this long without an open channel; default 60 s. */
  idleMs?: number;
};

/** Where and as whom to connect for an ssh:// engine, and which socket to reach there. */
export interface RemoteTarget extends SshHostTarget {
  /** The engine address as configured, for messages. */
  url: string;
  socketPath: string;
  /** True when the URL named the socket (then it must exist; dial-stdio gets it with -H). */
  socketPathGiven: boolean;
}

/** The target for an ssh:// URL, with ~/.ssh/config's HostName, User, Port and IdentityFile applied. */
export function resolveRemote(url: string, opts: SshEngineOptions = {}): RemoteTarget {
  const t = parseHost(url);
  if (t.kind !== 'ssh') throw new Error(`"${url}" is not an ssh:// address.`);
  const explicitPort = new URL(url).port !== '';
  const host = resolveSshTarget({ label: url, host: t.host, username: t.username, port: explicitPort ? t.port : undefined }, opts);
  return { ...host, url, socketPath: t.socketPath ?? DEFAULT_REMOTE_SOCKET, socketPathGiven: t.socketPath !== undefined };
}

/** A failure with the problem the views and the CLI show (EngineClient.problem reads it). */
export class RemoteEngineError extends ProblemError {
  constructor(problem: EngineProblem, cause?: unknown) {
    super(problem, cause, 'ESSH');
    this.name = 'RemoteEngineError';
  }
}

/** One SSH connection to the engine's host; failures become RemoteEngineErrors. */
export function dialRemote(t: RemoteTarget, opts: SshEngineOptions = {}): Promise<Client> {
  return dialSsh(t, opts).catch((err: unknown) => {
    throw err instanceof SshDialError ? new RemoteEngineError(err.problem, err) : err;
  });
}
