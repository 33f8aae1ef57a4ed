// `slipway-run`: a run spec turned into the Engine API's create options (pure),
// and a detached run. The interactive case is the terminal's job (src/tasks).

import type Docker from 'dockerode';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { apiMessage } from '../engine/errors';

export interface RunSpec {
  image: string;
  name?: string;
  /** A string is split on whitespace; use an array for arguments with spaces. */
  command?: string | string[];
  entrypoint?: string | string[];
  env?: Record<string, string>;
  /** Files of KEY=VALUE lines, relative to `cwd`. */
  envFiles?: string[];
  /** `docker run -p` forms: `8080:80`, `127.0.0.1:8080:80/tcp`, `80` (random host port). */
  ports?: string[];
  /** `docker run -v` forms: `/host:/ctr[:ro]`, `name:/ctr`, `/ctr` (anonymous). */
  volumes?: string[];
  network?: string;
  /** Remove the container when it exits. */
  remove?: boolean;
  /** Detached (default) or interactive with a TTY in a terminal. */
  detached?: boolean;
  /** Relative host paths and env files are resolved against this. */
  cwd?: string;
}

export interface PortBinding {
  containerPort: string;
  hostIp: string;
  hostPort: string;
}

/** Parses one `-p` value; throws a sentence naming the bad value. */
export function parsePort(spec: string): PortBinding {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|\d+\.\d+\.\d+\.\d+):)?(?:(\d*):)?(\d+)(?:\/(tcp|udp|sctp))?$/.exec(spec.trim());
  if (!m) throw new Error(`Port "${spec}" is not in the form [ip:][hostPort:]containerPort[/protocol], e.g. "8080:80".`);
  const [, ip, hostPort, ctr, proto] = m;
  return { containerPort: `${ctr}/${proto ?? 'tcp'}`, hostIp: (ip ?? '').replace(/^\[|\]$/g, ''), hostPort: hostPort ?? '' };
}

export interface VolumeMount {
  source?: string;
  target: string;
  readOnly: boolean;
  kind: 'bind' | 'volume' | 'anonymous';
}

/** Parses one `-v` value; relative host paths (`./x`) resolve against `cwd`. */
export function parseVolume(spec: string, cwd = process.cwd()): VolumeMount {
  const parts = spec.split(':');
  // Windows drive letters ("C:\\x:/y") are not split; "v:/data" stays a volume named "v".
  if (parts.length > 2 && /^[A-Za-z]$/.test(parts[0]) && parts[1].startsWith('\\')) parts.splice(0, 2, `${parts[0]}:${parts[1]}`);
  let readOnly = false;
  if (parts.length === 3 || (parts.length === 2 && /^(ro|rw)$/.test(parts[1]))) {
    readOnly = parts.pop() === 'ro';
  }
  if (parts.length === 1) return { target: parts[0], readOnly, kind: 'anonymous' };
  if (parts.length !== 2 || !parts[1].startsWith('/')) throw new Error(`Volume "${spec}" is not in the form source:/container/path[:ro].`);
  const [source, target] = parts;
  const isPath = source.startsWith('/') || source.startsWith('.') || source.startsWith('~') || /^[A-Za-z]:[\\/]/.test(source);
  return { source: isPath ? path.resolve(cwd, source) : source, target, readOnly, kind: isPath ? 'bind' : 'volume' };
}

/** KEY=VALUE lines; `#` comments and blank lines skipped; a bare KEY is taken from `from`. */
export function parseEnvFile(text: string, from: NodeJS.ProcessEnv = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) {
      if (from[line] !== undefined) out[line] = from[line]!;
      continue;
    }
    out[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return out;
}

function words(v: string | string[] | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v : v.split(/\s+/).filter(Boolean);
}

/** The create options for a run spec; `envFileTexts` are the env files' contents, in order. */
export function containerOptions(spec: RunSpec, envFileTexts: string[] = []): Docker.ContainerCreateOptions {
  const env: Record<string, string> = {};
  for (const t of envFileTexts) Object.assign(env, parseEnvFile(t));
  Object.assign(env, spec.env ?? {});
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of spec.ports ?? []) {
    const b = parsePort(p);
    exposed[b.containerPort] = {};
    (bindings[b.containerPort] ??= []).push({ HostIp: b.hostIp, HostPort: b.hostPort });
  }
  const binds: string[] = [];
  const volumes: Record<string, object> = {};
  for (const v of spec.volumes ?? []) {
    const m = parseVolume(v, spec.cwd);
    if (m.kind === 'anonymous') volumes[m.target] = {};
    else binds.push(`${m.source}:${m.target}${m.readOnly ? ':ro' : ''}`);
  }
  const interactive = spec.detached === false;
  return {
    Image: spec.image,
    name: spec.name || undefined,
    Cmd: words(spec.command),
    Entrypoint: words(spec.entrypoint),
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    ExposedPorts: exposed,
    Volumes: volumes,
    Tty: interactive,
    OpenStdin: interactive,
    StdinOnce: interactive,
    AttachStdin: interactive,
    AttachStdout: interactive,
    AttachStderr: interactive,
    HostConfig: {
      PortBindings: bindings,
      Binds: binds,
      AutoRemove: !!spec.remove,
      NetworkMode: spec.network || undefined,
    },
  };
}

export function readEnvFiles(spec: RunSpec): string[] {
  return (spec.envFiles ?? []).map((f) => {
    const file = path.resolve(spec.cwd ?? process.cwd(), f);
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`Cannot read the env file "${file}": ${(err as Error).message}.`, { cause: err });
    }
  });
}

export interface StartedContainer {
  id: string;
  name: string;
  /** Published ports as `hostIp:hostPort->containerPort`. */
  ports: string[];
}

/** Creates and starts a detached container; throws one sentence on failure. */
export async function runDetached(docker: Docker, spec: RunSpec): Promise<StartedContainer> {
  const opts = containerOptions({ ...spec, detached: true }, readEnvFiles(spec));
  let container: Docker.Container;
  try {
    container = await docker.createContainer(opts);
  } catch (err) {
    throw new Error(`Could not create a container from "${spec.image}": ${apiMessage(err)}`, { cause: err });
  }
  try {
    await container.start();
  } catch (err) {
    await container.remove({ force: true }).catch(() => undefined);
    throw new Error(`Could not start a container from "${spec.image}": ${apiMessage(err)}`, { cause: err });
  }
  const info = await container.inspect();
  const ports: string[] = [];
  for (const [ctr, binds] of Object.entries(info.NetworkSettings?.Ports ?? {})) {
    for (const b of binds ?? []) ports.push(`${b.HostIp || '0.0.0.0'}:${b.HostPort}->${ctr}`);
  }
  return { id: info.Id, name: info.Name.replace(/^\//, ''), ports };
}
