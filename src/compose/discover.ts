// Finding and reading compose files, for discovery only (which files form a
// project, its name, its services and profiles). Everything else is left to
// the real Compose implementation. Parse errors come back as `file:line: message`.

import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { isMap, parseDocument } from 'yaml';
import { bindSourceOf } from '../machine/shares';
import { normalizeProjectName } from './argv';

/** Compose's default file names, in its order of preference. */
export const COMPOSE_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
export const COMPOSE_OVERRIDE_NAMES = ['compose.override.yaml', 'compose.override.yml', 'docker-compose.override.yaml', 'docker-compose.override.yml'];

/** A file name that looks like a compose file (for workspace discovery of extra files like `compose.prod.yaml`). */
export function isComposeFileName(name: string): boolean {
  return /^(docker-)?compose(\.[\w.-]+)?\.ya?ml$/i.test(name);
}

/** The default files of the project in `folder`: the first base file and its override, as compose picks them. */
export function defaultComposeFiles(folder: string): string[] {
  const base = COMPOSE_FILE_NAMES.find((n) => existsSync(path.join(folder, n)));
  if (!base) return [];
  const files = [path.join(folder, base)];
  const baseIsLegacy = base.startsWith('docker-');
  // Compose pairs compose.yaml with compose.override.yaml and docker-compose.yml with docker-compose.override.yml.
  const override = COMPOSE_OVERRIDE_NAMES.filter((n) => n.startsWith('docker-') === baseIsLegacy).find((n) => existsSync(path.join(folder, n)));
  if (override) files.push(path.join(folder, override));
  return files;
}

export interface ComposeProblem {
  file: string;
  /** 1-based, 0 when unknown. */
  line: number;
  column: number;
  message: string;
}

export interface ComposeFileInfo {
  file: string;
  /** The top-level `name:` when set. */
  name?: string;
  services: { name: string; profiles: string[]; image?: string; hasBuild: boolean; bindSources: string[] }[];
  problems: ComposeProblem[];
}

/** `file:line: message`, the way problems are shown to the user. */
export function formatProblem(p: ComposeProblem): string {
  return `${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`;
}

export function parseComposeText(file: string, text: string): ComposeFileInfo {
  const doc = parseDocument(text, { prettyErrors: false });
  const problems: ComposeProblem[] = doc.errors.map((e) => {
    const at = positionOf(text, e.pos?.[0]);
    return { file, line: at.line, column: at.column, message: e.message.split('\n')[0] };
  });
  const info: ComposeFileInfo = { file, services: [], problems };
  if (problems.length) return info;
  const root = doc.toJS() as unknown;
  if (root === null || root === undefined) return info;
  if (typeof root !== 'object' || Array.isArray(root)) {
    problems.push({ file, line: 1, column: 1, message: 'the top level of a compose file must be a mapping' });
    return info;
  }
  const r = root as Record<string, unknown>;
  if (typeof r.name === 'string') info.name = r.name;
  const services = r.services;
  if (services !== undefined && services !== null) {
    if (!isMap(doc.get('services', true))) {
      const node = doc.get('services', true) as { range?: [number, number] } | undefined;
      problems.push({ file, line: lineOf(text, node?.range?.[0]), column: 1, message: '"services" must be a mapping of service names' });
      return info;
    }
    for (const [name, def] of Object.entries(services as Record<string, unknown>)) {
      const d = (def && typeof def === 'object' ? def : {}) as Record<string, unknown>;
      info.services.push({
        name,
        profiles: Array.isArray(d.profiles) ? d.profiles.map(String) : [],
        image: typeof d.image === 'string' ? d.image : undefined,
        hasBuild: d.build !== undefined,
        bindSources: bindSourcesOf(d.volumes),
      });
    }
  }
  return info;
}

/** Host sources of a service's bind mounts, as written (short `src:dst` or long `type: bind` syntax). */
function bindSourcesOf(volumes: unknown): string[] {
  if (!Array.isArray(volumes)) return [];
  const out: string[] = [];
  for (const v of volumes) {
    if (typeof v === 'string') {
      const src = bindSourceOf(v);
      if (src) out.push(src);
    } else if (v && typeof v === 'object' && (v as Record<string, unknown>).type === 'bind' && typeof (v as Record<string, unknown>).source === 'string') {
      out.push((v as Record<string, string>).source);
    }
  }
  return out;
}

function positionOf(text: string, offset: number | undefined): { line: number; column: number } {
  if (offset === undefined) return { line: 0, column: 0 };
  const before = text.slice(0, offset);
  const nl = before.lastIndexOf('\n');
  return { line: before.split('\n').length, column: offset - nl };
}

function lineOf(text: string, offset: number | undefined): number {
  if (offset === undefined) return 0;
  return text.slice(0, offset).split('\n').length;
}

export function readComposeFile(file: string): ComposeFileInfo {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { file, services: [], problems: [{ file, line: 0, column: 0, message: `cannot read the file: ${(err as Error).message}` }] };
  }
  return parseComposeText(file, text);
}

export interface ComposeProjectInfo {
  files: string[];
  /** The project name compose will use (top-level `name`, else the directory name). */
  name: string;
  services: string[];
  profiles: string[];
  /** Absolute host paths of the services' bind mounts (for the shared-folder check). */
  bindSources: string[];
  problems: ComposeProblem[];
}

/** Reads a project made of `files` (later files add services and may set the name). */
export function readComposeProject(files: string[], env: NodeJS.ProcessEnv = process.env): ComposeProjectInfo {
  const infos = files.map(readComposeFile);
  const named = [...infos].reverse().find((i) => i.name);
  const dir = files.length ? path.dirname(files[0]) : process.cwd();
  const name = normalizeProjectName(env.COMPOSE_PROJECT_NAME || named?.name || path.basename(dir));
  const services = [...new Set(infos.flatMap((i) => i.services.map((s) => s.name)))];
  const profiles = [...new Set(infos.flatMap((i) => i.services.flatMap((s) => s.profiles)))];
  // Relative bind sources are relative to the project directory (the first file's folder); `~` is the home folder.
  const home = env.HOME || env.USERPROFILE || '';
  const bindSources = [
    ...new Set(infos.flatMap((i) => i.services.flatMap((s) => s.bindSources)).map((src) => (src.startsWith('~') && home ? path.join(home, src.slice(1)) : path.resolve(dir, src)))),
  ];
  return { files, name, services, profiles, bindSources, problems: infos.flatMap((i) => i.problems) };
}
