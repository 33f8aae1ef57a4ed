// Finding the real Compose v2 implementation on this host: the `docker
// compose` CLI plugin binary in Docker's plugin directories, a `docker-compose`
// v2 on PATH, or the copy the test harness unpacks into Slipway's cache
// (test/harness/ensureCompose.ts). The plugin binary runs standalone too, so
// we spawn it directly with DOCKER_HOST pointing at the chosen engine: no
// docker CLI needed.
//
// This runs before every compose task in the extension host, so asking a
// binary its version is asynchronous and remembered per binary (path, inode,
// size, mtime): later lookups only stat the candidates, and an upgraded or
// replaced binary is asked again.

import * as os from 'node:os';
import * as path from 'node:path';
import { FileAnswerCache } from '../base/fileCache';
import { runFile } from '../base/runFile';

export const COMPOSE_CACHE_VERSION = '2.26.1';

export interface ComposeBinary {
  exe: string;
  version: string;
}

/** Slipway's cache root: `$SLIPWAY_CACHE`, else `~/.cache/slipway`. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.SLIPWAY_CACHE || path.join(env.HOME || os.homedir(), '.cache', 'slipway');
}

/** Where the test harness unpacks compose (test/harness/ensureCompose.ts). */
export function cachedComposePath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(cacheRoot(env), `compose-${COMPOSE_CACHE_VERSION}`, 'usr', 'libexec', 'docker', 'cli-plugins', 'docker-compose');
}

/** Candidate binaries in the order Docker's CLI looks for plugins, then PATH, then our cache. */
export function composeCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const home = env.HOME || os.homedir();
  const pluginDirs = [
    env.DOCKER_CONFIG ? path.join(env.DOCKER_CONFIG, 'cli-plugins') : undefined,
    path.join(home, '.docker', 'cli-plugins'),
    '/usr/local/lib/docker/cli-plugins',
    '/usr/local/libexec/docker/cli-plugins',
    '/usr/lib/docker/cli-plugins',
    '/usr/libexec/docker/cli-plugins',
  ].filter((d): d is string => !!d);
  const onPath = (env.PATH ?? '').split(path.delimiter).filter(Boolean).map((d) => path.join(d, 'docker-compose'));
  return [...pluginDirs.map((d) => path.join(d, 'docker-compose')), ...onPath, cachedComposePath(env)];
}

/** How long `compose version` may take (a first run may be slow, e.g. under a malware scan). */
export const COMPOSE_VERSION_TIMEOUT_MS = 15_000;

/** The version a compose binary reports, e.g. `2.26.1`, or undefined when it does not run. */
export async function composeVersion(exe: string, timeoutMs = COMPOSE_VERSION_TIMEOUT_MS): Promise<string | undefined> {
  return (await askVersion(exe, timeoutMs)).version;
}

async function askVersion(exe: string, timeoutMs: number): Promise<{ version?: string; final: boolean }> {
  try {
    const r = await runFile(exe, ['version', '--short'], { timeoutMs });
    // A timeout may be a slow first start: not final, ask again next time.
    if (r.timedOut) return { final: false };
    return { version: r.code === 0 ? r.stdout.trim().replace(/^v/, '') || undefined : undefined, final: true };
  } catch {
    return { final: false };
  }
}

const versions = new FileAnswerCache<{ version?: string; final: boolean }>();

/** The first Compose v2 found, or undefined. Python compose 1.x is skipped. */
export async function findCompose(env: NodeJS.ProcessEnv = process.env, timeoutMs = COMPOSE_VERSION_TIMEOUT_MS): Promise<ComposeBinary | undefined> {
  for (const exe of new Set(composeCandidates(env))) {
    const version = (await versions.get(exe, exe, () => askVersion(exe, timeoutMs), (r) => r.final))?.version;
    if (version && Number(version.split('.')[0]) >= 2) return { exe, version };
  }
  return undefined;
}

export function composeNotFoundError(): Error {
  return new Error(
    'Docker Compose v2 was not found (looked for the "docker compose" plugin and "docker-compose" v2). ' +
      'Install the docker-compose-plugin package or Docker Compose v2, or use a Slipway machine, which has it.',
  );
}
