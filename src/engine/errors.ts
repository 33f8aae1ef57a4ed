// Turns connection and API failures into one plain sentence plus what to do.
// Used by the status bar, the welcome views, notifications and the CLI alike.

import type { Problem } from '../base/problem';
import type { EndpointSource } from './endpoint';

/** A problem with the engine connection (base/problem.ts's shape). */
export type EngineProblem = Problem;

interface ErrnoLike {
  code?: string;
  errno?: number;
  address?: string;
  message?: string;
  statusCode?: number;
  json?: { message?: string } | null;
  reason?: string;
}

/** Which engine a problem is about: its address and where the address came from. */
export interface ProblemTarget {
  host: string;
  source?: EndpointSource;
  /** The endpoint's short name: "DOCKER_HOST", "context 'colima'", "machine 'default'". */
  name?: string;
}

/** Where the user changes the address that led here, as the start of a sentence. */
export function whereToFix(t: ProblemTarget): string | undefined {
  switch (t.source) {
    case 'setting':
      return 'Fix `slipway.engine.host`';
    case 'env':
      return 'Fix `DOCKER_HOST` (or unset it)';
    case 'context':
      return `Fix the docker ${t.name ?? 'context'} (docker context inspect), or switch context`;
    default:
      return undefined;
  }
}

/** Why connecting to an engine failed. */
export function describeConnectError(err: unknown, target: ProblemTarget | string): EngineProblem {
  const t = typeof target === 'string' ? { host: target } : target;
  const address = t.host;
  const e = (err ?? {}) as ErrnoLike;
  const code = e.code;
  const fixAddress = whereToFix(t);
  const or = (rest: string) => (fixAddress ? `${fixAddress}, or ${rest}` : rest.charAt(0).toUpperCase() + rest.slice(1));
  const machine = t.source === 'machine' ? /^machine '(.*)'$/.exec(t.name ?? '')?.[1] : undefined;
  switch (code) {
    case 'ENOENT':
      if (machine !== undefined)
        return {
          code,
          reason: `Machine "${machine}" is not serving its Docker engine at ${address} (the socket does not exist).`,
          fix: `Start it (slipway machine start ${machine}), or choose another engine.`,
        };
      return {
        code,
        reason: `No Docker engine is running at ${address} (the socket does not exist).`,
        fix: or('start Docker or a Slipway machine, or choose another engine.'),
      };
    case 'EACCES':
    case 'EPERM':
      if (machine !== undefined)
        return {
          code,
          reason: `Permission denied on the Docker socket of machine "${machine}" (${address}).`,
          fix: 'The socket belongs to the user who started the machine: use that account, or stop the machine and start it as yourself.',
        };
      return {
        code,
        reason: `Permission denied on ${address}.`,
        fix:
          t.source === 'default' || t.source === undefined
            ? "Add your user to the 'docker' group and log in again, or choose another engine."
            : or("give your user access to that socket (e.g. the 'docker' group), or choose another engine."),
      };
    case 'ECONNREFUSED':
      return {
        code,
        reason: `Nothing is listening at ${address} (connection refused).`,
        fix: or('start the engine, or choose another engine.'),
      };
    case 'ETIMEDOUT':
    case 'ESOCKETTIMEDOUT':
      return {
        code,
        reason: `The engine at ${address} did not answer in time.`,
        fix: 'Check that the engine is healthy, then retry.',
      };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { code, reason: `The host in ${address} cannot be found.`, fix: fixAddress ? `${fixAddress}.` : 'Check the engine address.' };
    case 'ECONNRESET':
    case 'EPIPE':
      return { code, reason: `The connection to ${address} was closed by the other side.`, fix: 'Retry; if it persists, restart the engine.' };
  }
  if (typeof e.statusCode === 'number') {
    return {
      code: String(e.statusCode),
      reason: `The engine at ${address} answered with an error: ${apiMessage(err)}.`,
      fix: fixAddress ? `${fixAddress}: it must point at a Docker engine.` : 'Check that the address points at a Docker engine.',
    };
  }
  return { code, reason: `Cannot reach the engine at ${address}: ${e.message ?? String(err)}.`, fix: or('retry, or choose another engine.') };
}

/** The engine's own message for a failed API call, without dockerode's prefixes. */
export function apiMessage(err: unknown): string {
  const e = (err ?? {}) as ErrnoLike;
  const fromJson = e.json && typeof e.json === 'object' ? e.json.message : undefined;
  if (fromJson) return fromJson;
  const msg = e.message ?? String(err);
  // dockerode: "(HTTP code 404) no such container - No such container: abc "
  const m = /^\(HTTP code \d+\) [^-]*- (.*)$/s.exec(msg);
  return (m ? m[1] : msg).trim();
}

export function isNotFound(err: unknown): boolean {
  return (err as ErrnoLike | undefined)?.statusCode === 404;
}

/**
 * A failed action on a named resource, as one sentence: `Could not stop container "web": …`.
 * A 404 says the thing is gone, the common case of a menu opened on a stale item.
 */
export function actionError(verb: string, kind: string, name: string, err: unknown): Error {
  const msg = isNotFound(err)
    ? `Could not ${verb} ${kind} "${name}": it no longer exists.`
    : `Could not ${verb} ${kind} "${name}": ${apiMessage(err)}`;
  return new Error(msg, { cause: err });
}
