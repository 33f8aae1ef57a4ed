// The three task types as users write them in tasks.json, and their
// translation into the pure specs of src/build and src/compose. No `vscode`
// here so it is unit-tested in plain Node; variables like ${workspaceFolder}
// are substituted here because VS Code does not substitute them in the
// definitions of CustomExecution tasks.

import * as path from 'node:path';
import type { BuildSpec } from '../build/build';
import type { RunSpec } from '../build/run';
import type { ComposeAction, ComposeProject } from '../compose/argv';

export const BUILD_TASK = 'slipway-build';
export const RUN_TASK = 'slipway-run';
export const COMPOSE_TASK = 'slipway-compose';

/** What tasks.json says for a build: BuildSpec's fields, with the context optional and `tag` for `tags`. */
export type BuildTaskDefinition = { type: typeof BUILD_TASK; context?: string; tag?: string | string[] } & Omit<BuildSpec, 'context' | 'tags'>;

/** What tasks.json says for a run: RunSpec's fields (cwd comes from the workspace folder). */
export type RunTaskDefinition = { type: typeof RUN_TASK } & Omit<RunSpec, 'cwd'>;

export interface ComposeTaskDefinition {
  type: typeof COMPOSE_TASK;
  action: 'up' | 'down' | 'logs' | 'restart';
  files?: string[];
  projectName?: string;
  envFile?: string;
  profiles?: string[];
  services?: string[];
  /** up */
  build?: boolean;
  detached?: boolean;
  /** down */
  volumes?: boolean;
  images?: 'all' | 'local';
  /** logs */
  follow?: boolean;
}

export type TaskDefinition = BuildTaskDefinition | RunTaskDefinition | ComposeTaskDefinition;

export interface Vars {
  workspaceFolder: string;
  env: NodeJS.ProcessEnv;
}

/** Substitutes ${workspaceFolder}, ${workspaceFolderBasename}, ${env:NAME} and ${pathSeparator}. */
export function substitute(value: string, vars: Vars): string {
  return value.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
    if (name === 'workspaceFolder' || name === 'workspaceRoot') return vars.workspaceFolder;
    if (name === 'workspaceFolderBasename') return path.basename(vars.workspaceFolder);
    if (name === 'pathSeparator' || name === '/') return path.sep;
    if (name.startsWith('env:')) return vars.env[name.slice(4)] ?? '';
    return whole;
  });
}

function sub<T extends string | string[] | Record<string, string> | undefined>(v: T, vars: Vars): T {
  if (v === undefined) return v;
  if (typeof v === 'string') return substitute(v, vars) as T;
  if (Array.isArray(v)) return v.map((x) => substitute(String(x), vars)) as T;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substitute(String(x), vars)])) as T;
}

function abs(p: string, vars: Vars): string {
  return path.resolve(vars.workspaceFolder, substitute(p, vars));
}

/** Every problem of a definition, with its field (style.md 4: all of them, not only the first). */
export function validateDefinition(def: Partial<TaskDefinition> & { type?: string }): string[] {
  const problems: string[] = [];
  const d = def as Record<string, unknown>;
  const str = (k: string) => d[k] !== undefined && typeof d[k] !== 'string' && problems.push(`"${k}" must be a string`);
  const strs = (k: string) =>
    d[k] !== undefined && (!Array.isArray(d[k]) || !(d[k] as unknown[]).every((x) => typeof x === 'string')) && problems.push(`"${k}" must be a list of strings`);
  const bool = (k: string) => d[k] !== undefined && typeof d[k] !== 'boolean' && problems.push(`"${k}" must be true or false`);
  const map = (k: string) =>
    d[k] !== undefined &&
    (typeof d[k] !== 'object' || d[k] === null || Array.isArray(d[k]) || !Object.values(d[k] as object).every((x) => typeof x === 'string')) &&
    problems.push(`"${k}" must be an object of string values`);
  const strOrStrs = (k: string) => d[k] !== undefined && typeof d[k] !== 'string' && (strs(k), false);
  switch (def.type) {
    case BUILD_TASK:
      ['context', 'dockerfile', 'target', 'platform'].forEach(str);
      strOrStrs('tag');
      ['buildArgs', 'labels'].forEach(map);
      ['pull', 'noCache'].forEach(bool);
      break;
    case RUN_TASK:
      if (typeof d.image !== 'string' || !d.image) problems.push('"image" is required');
      ['name', 'network'].forEach(str);
      ['command', 'entrypoint'].forEach(strOrStrs);
      ['envFiles', 'ports', 'volumes'].forEach(strs);
      map('env');
      ['remove', 'detached'].forEach(bool);
      break;
    case COMPOSE_TASK:
      if (!['up', 'down', 'logs', 'restart'].includes(String(d.action))) problems.push('"action" must be one of up, down, logs, restart');
      ['projectName', 'envFile'].forEach(str);
      ['files', 'profiles', 'services'].forEach(strs);
      ['build', 'detached', 'volumes', 'follow'].forEach(bool);
      if (d.images !== undefined && d.images !== 'all' && d.images !== 'local') problems.push('"images" must be "all" or "local"');
      if (!(d.files as unknown[] | undefined)?.length && !d.projectName) problems.push('"files" or "projectName" is required');
      break;
    default:
      problems.push(`unknown task type "${String(def.type)}"`);
  }
  return problems;
}

export function buildSpecOf(def: BuildTaskDefinition, vars: Vars): BuildSpec {
  const dockerfile = def.dockerfile ? abs(def.dockerfile, vars) : undefined;
  const context = def.context ? abs(def.context, vars) : dockerfile ? path.dirname(dockerfile) : vars.workspaceFolder;
  const tags = def.tag === undefined ? [] : Array.isArray(def.tag) ? def.tag : [def.tag];
  return {
    context,
    dockerfile,
    tags: sub(tags, vars),
    buildArgs: sub(def.buildArgs, vars),
    target: def.target,
    labels: sub(def.labels, vars),
    platform: def.platform,
    pull: def.pull,
    noCache: def.noCache,
  };
}

export function runSpecOf(def: RunTaskDefinition, vars: Vars): RunSpec {
  return {
    image: substitute(def.image, vars),
    name: def.name ? substitute(def.name, vars) : undefined,
    command: sub(def.command, vars),
    entrypoint: sub(def.entrypoint, vars),
    env: sub(def.env, vars),
    envFiles: sub(def.envFiles, vars),
    ports: def.ports,
    volumes: sub(def.volumes, vars),
    network: def.network,
    remove: def.remove,
    detached: def.detached,
    cwd: vars.workspaceFolder,
  };
}

export function composeOf(def: ComposeTaskDefinition, vars: Vars): { project: ComposeProject; action: ComposeAction } {
  const files = (def.files ?? []).map((f) => abs(f, vars));
  const project: ComposeProject = {
    files,
    projectName: def.projectName ? substitute(def.projectName, vars) : undefined,
    envFile: def.envFile ? abs(def.envFile, vars) : undefined,
    profiles: def.profiles,
  };
  let action: ComposeAction;
  switch (def.action) {
    case 'up':
      action = { verb: 'up', detached: def.detached, build: def.build, services: def.services };
      break;
    case 'down':
      action = { verb: 'down', volumes: def.volumes, images: def.images };
      break;
    case 'logs':
      action = { verb: 'logs', follow: def.follow, services: def.services };
      break;
    case 'restart':
      action = { verb: 'restart', services: def.services };
      break;
  }
  return { project, action };
}

/** A default image tag for a Dockerfile: the folder's name, lower-cased, made valid. */
export function defaultTag(dockerfile: string): string {
  const dir = path.basename(path.dirname(dockerfile));
  const repo = dir.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '') || 'image';
  const base = path.basename(dockerfile);
  // "api.Dockerfile" or "Dockerfile.api" → "<folder>-api"
  const variant = /^(.+)\.dockerfile$/i.exec(base)?.[1] ?? /^dockerfile\.(.+)$/i.exec(base)?.[1];
  const suffix = variant ? `-${variant.toLowerCase().replace(/[^a-z0-9._-]+/g, '-')}` : '';
  return `${repo}${suffix}:latest`;
}

/** Whether a file name is a Dockerfile (Dockerfile, Dockerfile.x, x.Dockerfile, Containerfile). */
export function isDockerfileName(name: string): boolean {
  return /^(dockerfile|containerfile)(\.[\w.-]+)?$/i.test(name) || /^[\w.-]+\.(dockerfile|containerfile)$/i.test(name);
}
