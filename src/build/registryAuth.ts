// Registry credentials the way the docker CLI stores them: `auths` entries in
// ~/.docker/config.json (or $DOCKER_CONFIG), or a credential helper
// (`credHelpers` per registry, `credsStore` for all) run as
// `docker-credential-<name> get` with the server on stdin.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

export interface RegistryAuth {
  serveraddress: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

export interface DockerConfigFile {
  auths?: Record<string, { auth?: string; identitytoken?: string; username?: string; password?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** What a credential helper answered, or undefined when it has nothing. */
export type HelperRunner = (helper: string, server: string) => { Username: string; Secret: string } | undefined;

/** The config key for a registry host; `Docker Hub` (and docker.io) use the CLI's legacy URL. */
export function authKey(registry: string): string {
  return registry === 'Docker Hub' || registry === 'docker.io' || registry === 'index.docker.io' ? DOCKER_HUB_AUTH_KEY : registry;
}

function hostOf(key: string): string {
  return key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
}

/** Credentials for `registry` from a parsed config (pure apart from the helper runner). */
export function authFromConfig(config: DockerConfigFile, registry: string, runHelper: HelperRunner): RegistryAuth | undefined {
  const key = authKey(registry);
  const host = hostOf(key);
  const helper = Object.entries(config.credHelpers ?? {}).find(([k]) => hostOf(k) === host)?.[1] ?? config.credsStore;
  if (helper) {
    const r = runHelper(helper, key);
    if (r) return r.Username === '<token>' ? { serveraddress: key, identitytoken: r.Secret } : { serveraddress: key, username: r.Username, password: r.Secret };
  }
  const entry = Object.entries(config.auths ?? {}).find(([k]) => k === key || hostOf(k) === host)?.[1];
  if (!entry) return undefined;
  if (entry.identitytoken) return { serveraddress: key, identitytoken: entry.identitytoken };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { serveraddress: key, username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (entry.username && entry.password) return { serveraddress: key, username: entry.username, password: entry.password };
  return undefined;
}

export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), '.docker'), 'config.json');
}

function runHelperProcess(env: NodeJS.ProcessEnv): HelperRunner {
  return (helper, server) => {
    const r = spawnSync(`docker-credential-${helper}`, ['get'], { input: server, encoding: 'utf8', env, timeout: 20_000 });
    if (r.status !== 0 || r.error) return undefined;
    try {
      const v = JSON.parse(r.stdout) as { Username?: string; Secret?: string };
      return v.Secret ? { Username: v.Username ?? '', Secret: v.Secret } : undefined;
    } catch {
      return undefined;
    }
  };
}

/** Credentials for `registry` from the user's docker config, or undefined (anonymous). */
export function loadRegistryAuth(registry: string, env: NodeJS.ProcessEnv = process.env): RegistryAuth | undefined {
  let config: DockerConfigFile;
  try {
    config = JSON.parse(readFileSync(dockerConfigPath(env), 'utf8')) as DockerConfigFile;
  } catch {
    return undefined;
  }
  return authFromConfig(config, registry, runHelperProcess(env));
}
