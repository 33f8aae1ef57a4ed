// Finding the real Compose v2 implementation on this host: the `docker
// compose` CLI plugin binary in Docker's plugin directories, a `docker-compose`
// v2 on PATH, or the copy `ensureComposePlugin()` unpacked into Slipway's
// cache. The plugin binary runs standalone too, so we spawn it directly with
// DOCKER_HOST pointing at the chosen engine: no docker CLI needed.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const COMPOSE_CACHE_VERSION = '2.26.1';

export interface ComposeBinary {
  exe: string;
  version: string;
}

/** Slipway's cache root: `$SLIPWAY_CACHE`, else `~/.cache/slipway`. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.SLIPWAY_CACHE || path.join(env.HOME || os.homedir(), '.cache', 'slipway');
}

/** Where `ensureComposePlugin()` unpacks compose. */
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

/** The version a compose binary reports, e.g. `2.26.1`, or undefined when it does not run. */
export function composeVersion(exe: string): string | undefined {
  const r = spawnSync(exe, ['version', '--short'], { encoding: 'utf8', timeout: 15_000 });
  if (r.status !== 0) return undefined;
  return r.stdout.trim().replace(/^v/, '') || undefined;
}

/** The first Compose v2 found, or undefined. Python compose 1.x is skipped. */
export function findCompose(env: NodeJS.ProcessEnv = process.env): ComposeBinary | undefined {
  const seen = new Set<string>();
  for (const exe of composeCandidates(env)) {
    if (seen.has(exe) || !existsSync(exe)) continue;
    seen.add(exe);
    const version = composeVersion(exe);
    if (version && Number(version.split('.')[0]) >= 2) return { exe, version };
  }
  return undefined;
}

/** Like findCompose, but throws a sentence saying what to do. */
export function requireCompose(env: NodeJS.ProcessEnv = process.env): ComposeBinary {
  const found = findCompose(env);
  if (found) return found;
  throw composeNotFoundError();
}

export function composeNotFoundError(): Error {
  return new Error(
    'Docker Compose v2 was not found (looked for the "docker compose" plugin and "docker-compose" v2). ' +
      'Install the docker-compose-plugin package or Docker Compose v2, or use a Slipway machine, which has it.',
  );
}
