// Registry credentials the way the docker CLI stores them: `auths` entries in
// ~/.docker/config.json (or $DOCKER_CONFIG), or a credential helper
// (`credHelpers` per registry, `credsStore` for all) run as
// `docker-credential-<name> get` with the server on stdin. Helpers run
// asynchronously with a timeout: one may sit behind a keychain prompt, and
// this code runs in the extension host.

import { readFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { outputDetail, runFile } from '../base/runFile';

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

export interface HelperCredentials {
  Username: string;
  Secret: string;
}

/** What a credential helper answered, or undefined when it has nothing for `server`. */
export type HelperRunner = (helper: string, server: string) => Promise<HelperCredentials | undefined>;

/** How long a credential helper may take (it may be waiting for the user to unlock a keychain). */
export const HELPER_TIMEOUT_MS = 20_000;

/** The config key for a registry host; `Docker Hub` (and docker.io) use the CLI's legacy URL. */
export function authKey(registry: string): string {
  return registry === 'Docker Hub' || registry === 'docker.io' || registry === 'index.docker.io' ? DOCKER_HUB_AUTH_KEY : registry;
}

function hostOf(key: string): string {
  return key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
}

/** Credentials for `registry` from a parsed config (pure apart from the helper runner). */
export async function authFromConfig(config: DockerConfigFile, registry: string, runHelper: HelperRunner): Promise<RegistryAuth | undefined> {
  const key = authKey(registry);
  const host = hostOf(key);
  const helper = Object.entries(config.credHelpers ?? {}).find(([k]) => hostOf(k) === host)?.[1] ?? config.credsStore;
  if (helper) {
    const r = await runHelper(helper, key);
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

export interface HelperOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Cancels a helper that is still running (e.g. the user cancelled the pull). */
  signal?: AbortSignal;
}

/**
 * Runs `docker-credential-<helper> get` with `server` on stdin. Resolves
 * undefined when the helper has no credentials for it; throws a sentence
 * naming the helper and the registry when it is missing, times out, fails or
 * answers something that is not the helper protocol's JSON.
 */
export async function runCredentialHelper(helper: string, server: string, opts: HelperOptions = {}): Promise<HelperCredentials | undefined> {
  const exe = `docker-credential-${helper}`;
  const timeoutMs = opts.timeoutMs ?? HELPER_TIMEOUT_MS;
  const where = `for registry "${server}"`;
  const configured = `configured in "${dockerConfigPath(opts.env)}"`;
  let r;
  try {
    r = await runFile(exe, ['get'], { input: server, env: opts.env, timeoutMs, signal: opts.signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`The credential helper "${exe}" (${configured}) was not found on PATH ${where}. Install it, or remove it from "credsStore"/"credHelpers" there.`, { cause: err });
    }
    throw new Error(`The credential helper "${exe}" could not be started ${where}: ${(err as Error).message}`, { cause: err });
  }
  if (r.timedOut) {
    throw new Error(
      `The credential helper "${exe}" did not answer ${where} within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}. ` +
        'It may be waiting for a keychain prompt to be confirmed; answer it and try again.',
    );
  }
  if (r.code !== 0) {
    // Helpers print their error to stdout; "credentials not found" means nothing is stored.
    if (/credentials not found/i.test(r.stdout + r.stderr)) return undefined;
    const detail = outputDetail(r);
    throw new Error(`The credential helper "${exe}" failed ${where} (exit code ${r.code ?? 'none'})${detail ? `: ${detail}` : '.'}`);
  }
  let v: unknown;
  try {
    v = JSON.parse(r.stdout);
  } catch {
    v = undefined;
  }
  const { Username, Secret } = (v ?? {}) as { Username?: unknown; Secret?: unknown };
  if (typeof v !== 'object' || v === null || typeof Secret !== 'string' || (Username !== undefined && typeof Username !== 'string')) {
    // Not echoed: the output might hold a secret.
    throw new Error(`The credential helper "${exe}" answered ${where} with something other than the credential helper JSON ({"Username":…,"Secret":…}; ${r.stdout.length} bytes).`);
  }
  return Secret ? { Username: (Username as string | undefined) ?? '', Secret } : undefined;
}

/** Credentials for `registry` from the user's docker config, or undefined (anonymous). */
export async function loadRegistryAuth(registry: string, env: NodeJS.ProcessEnv = process.env, opts: Omit<HelperOptions, 'env'> = {}): Promise<RegistryAuth | undefined> {
  let config: DockerConfigFile;
  try {
    config = JSON.parse(await readFile(dockerConfigPath(env), 'utf8')) as DockerConfigFile;
  } catch {
    return undefined;
  }
  return authFromConfig(config, registry, (helper, server) => runCredentialHelper(helper, server, { ...opts, env }));
}
