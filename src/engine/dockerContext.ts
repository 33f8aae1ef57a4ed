// Reads the docker CLI's current context (~/.docker/config.json and
// ~/.docker/contexts/meta/<sha256(name)>/meta.json) so Slipway follows
// `docker context use`. The file system is passed in so tests use a temp home.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TlsMaterial } from './endpoint';

export interface ContextFiles {
  /** The file's text, or undefined when it does not exist or cannot be read. */
  readText(file: string): string | undefined;
  /** Names in a directory; empty when it does not exist. */
  list?(dir: string): string[];
}

export const nodeContextFiles: ContextFiles = {
  readText(file) {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  },
  list(dir) {
    try {
      return fs.readdirSync(dir);
    } catch {
      return [];
    }
  },
};

export interface DockerContext {
  name: string;
  host?: string;
  tls?: TlsMaterial;
  /** Set when a file exists but is broken; the caller shows it, resolution goes on. */
  problem?: string;
}

export function dockerConfigDir(env: Record<string, string | undefined>, homeDir: string): string {
  return env.DOCKER_CONFIG || path.join(homeDir, '.docker');
}

/** The context the docker CLI would use, or undefined when none is chosen. */
export function readCurrentContext(
  files: ContextFiles,
  env: Record<string, string | undefined>,
  homeDir: string,
): DockerContext | undefined {
  const dir = dockerConfigDir(env, homeDir);
  let name = env.DOCKER_CONTEXT?.trim();
  if (!name) {
    const text = files.readText(path.join(dir, 'config.json'));
    if (text === undefined) return undefined;
    try {
      const cfg = JSON.parse(text) as { currentContext?: unknown };
      if (typeof cfg.currentContext === 'string') name = cfg.currentContext;
    } catch (e) {
      return { name: 'default', problem: `${path.join(dir, 'config.json')} is not valid JSON (${(e as Error).message})` };
    }
  }
  if (!name || name === 'default') return name ? { name } : undefined;
  return readContext(files, dir, name);
}

export function readContext(files: ContextFiles, configDir: string, name: string): DockerContext {
  // node:crypto loads on first use: requiring it costs ~15 ms, too much for activation.
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  const id = createHash('sha256').update(name).digest('hex');
  const metaFile = path.join(configDir, 'contexts', 'meta', id, 'meta.json');
  const text = files.readText(metaFile);
  if (text === undefined) return { name, problem: `context "${name}" has no ${metaFile}` };
  let meta: { Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } } };
  try {
    meta = JSON.parse(text);
  } catch (e) {
    return { name, problem: `${metaFile} is not valid JSON (${(e as Error).message})` };
  }
  const docker = meta.Endpoints?.docker;
  if (!docker || typeof docker.Host !== 'string') {
    return { name, problem: `context "${name}" has no docker endpoint in ${metaFile}` };
  }
  const tlsDir = path.join(configDir, 'contexts', 'tls', id, 'docker');
  const ca = path.join(tlsDir, 'ca.pem');
  const hasTls = files.readText(ca) !== undefined;
  return {
    name,
    host: docker.Host,
    tls: hasTls
      ? { ca, cert: path.join(tlsDir, 'cert.pem'), key: path.join(tlsDir, 'key.pem'), verify: docker.SkipTLSVerify !== true }
      : undefined,
  };
}

/** Every context the docker CLI knows (for "Choose Engine…"), sorted by name; broken ones carry a problem. */
export function listContexts(files: ContextFiles, env: Record<string, string | undefined>, homeDir: string): DockerContext[] {
  const dir = dockerConfigDir(env, homeDir);
  const metaDir = path.join(dir, 'contexts', 'meta');
  const out: DockerContext[] = [];
  for (const id of files.list?.(metaDir) ?? []) {
    const text = files.readText(path.join(metaDir, id, 'meta.json'));
    if (text === undefined) continue;
    let name: unknown;
    try {
      name = (JSON.parse(text) as { Name?: unknown }).Name;
    } catch {
      out.push({ name: id.slice(0, 12), problem: `${path.join(metaDir, id, 'meta.json')} is not valid JSON` });
      continue;
    }
    if (typeof name === 'string') out.push(readContext(files, dir, name));
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
