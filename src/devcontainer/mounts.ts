// The host folders a devcontainer.json bind-mounts into its container, each
// with where it is written in the file, so the editor can warn about the ones
// a Slipway machine does not share (there they would be empty directories).
// Pure: text in, findings out; no `vscode`, no file system.
//
// What counts (containers.dev reference, image- and Dockerfile-based configs):
// - the workspace folder itself: `workspaceMount`, or when it is absent the
//   default bind of the folder that holds the configuration;
// - `mounts`: strings in `docker run --mount` syntax or {type, source, target};
// - `runArgs`: `-v`/`--volume` (`SRC:DST[:opts]`) and `--mount`.
// Compose-based configs (`dockerComposeFile`) mount what their compose files
// say; those are checked where compose files are (tasks), not here.

import * as path from 'node:path';
import { findNodeAtLocation, parseTree, type Node } from 'jsonc-parser';
import type { HostOs } from '../machine/layout';
import { bindSourceOf, shareContaining, type Share } from '../machine/shares';

export interface DevcontainerBind {
  /** The host path, variables substituted, made absolute. */
  source: string;
  /** Where the mount is written: offset and length of the JSON value in the text. */
  offset: number;
  length: number;
  /** What it is, for messages: "the workspace folder", "mounts[1]", "runArgs[3]". */
  what: string;
}

export interface DevcontainerContext {
  /** The absolute path of devcontainer.json (or .devcontainer.json) on the host. */
  configFile: string;
  os: HostOs;
  /** The host environment, for ${localEnv:NAME}. */
  env: Record<string, string | undefined>;
}

/**
 * The folder a dev container configuration belongs to (containers.dev): the
 * parent of `.devcontainer/` for `.devcontainer/devcontainer.json` and
 * `.devcontainer/<name>/devcontainer.json`, the file's folder for a
 * top-level `.devcontainer.json`.
 */
export function localWorkspaceFolder(configFile: string, os: HostOs): string {
  const api = os === 'win32' ? path.win32 : path.posix;
  let dir = api.dirname(configFile);
  for (let i = 0; i < 2; i++) {
    if (api.basename(dir) === '.devcontainer') return api.dirname(dir);
    dir = api.dirname(dir);
  }
  return api.dirname(configFile);
}

/**
 * Substitutes the host-side variables of devcontainer.json. Returns undefined
 * when a variable is left that only the container knows (its value on the host
 * side cannot be told), so callers skip that mount rather than guess.
 */
export function substituteLocal(value: string, ctx: DevcontainerContext): string | undefined {
  const folder = localWorkspaceFolder(ctx.configFile, ctx.os);
  const api = ctx.os === 'win32' ? path.win32 : path.posix;
  let unknown = false;
  const out = value.replace(/\$\{([^}]*)\}/g, (whole, expr: string) => {
    if (expr === 'localWorkspaceFolder') return folder;
    if (expr === 'localWorkspaceFolderBasename') return api.basename(folder);
    const m = /^(?:localEnv|env):([^:]+)(?::(.*))?$/.exec(expr);
    if (m) return ctx.env[m[1]] ?? m[2] ?? '';
    unknown = true;
    return whole;
  });
  return unknown ? undefined : out;
}

/** `type=bind,source=/x,target=/y` (docker's --mount syntax) → its bind source, if it is a bind mount. */
export function mountSpecBindSource(spec: string): string | undefined {
  const fields = new Map<string, string>();
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  if ((fields.get('type') ?? 'volume') !== 'bind') return undefined;
  return fields.get('source') ?? fields.get('src');
}

/** The bind mounts of a devcontainer.json text; a file that does not parse to an object has none. */
export function devcontainerBinds(text: string, ctx: DevcontainerContext): DevcontainerBind[] {
  const root = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  if (!root || root.type !== 'object') return [];
  const api = ctx.os === 'win32' ? path.win32 : path.posix;
  const folder = localWorkspaceFolder(ctx.configFile, ctx.os);
  const out: DevcontainerBind[] = [];
  const add = (raw: string | undefined, node: Node, what: string) => {
    if (raw === undefined) return;
    const sub = substituteLocal(raw, ctx);
    if (sub === undefined || sub === '') return;
    const home = ctx.env.HOME ?? ctx.env.USERPROFILE;
    const expanded = sub.startsWith('~') && home ? api.join(home, sub.slice(1)) : sub;
    if (expanded.startsWith('~')) return;
    const source = api.isAbsolute(expanded) ? api.normalize(expanded) : api.resolve(folder, expanded);
    out.push({ source, offset: node.offset, length: node.length, what });
  };
  const str = (n: Node | undefined) => (n?.type === 'string' ? (n.value as string) : undefined);

  if (!findNodeAtLocation(root, ['dockerComposeFile'])) {
    const ws = findNodeAtLocation(root, ['workspaceMount']);
    if (ws) add(typeof ws.value === 'string' ? mountSpecBindSource(ws.value) : undefined, ws, 'the workspace mount');
    else {
      // The default: the configuration's folder, bound at /workspaces/<name>. Point at the
      // property that makes it a container (image/build/dockerFile), else at the opening brace.
      const anchor = ['image', 'build', 'dockerFile', 'dockerfile'].map((k) => findNodeAtLocation(root, [k])?.parent?.children?.[0]).find(Boolean);
      out.push({ source: folder, offset: anchor?.offset ?? root.offset, length: anchor?.length ?? 1, what: 'the workspace folder' });
    }
  }

  const mounts = findNodeAtLocation(root, ['mounts']);
  mounts?.children?.forEach((m, i) => {
    if (m.type === 'string') add(mountSpecBindSource(m.value as string), m, `mounts[${i}]`);
    else if (m.type === 'object') {
      const type = str(findNodeAtLocation(m, ['type']));
      if (type === 'bind') add(str(findNodeAtLocation(m, ['source'])), m, `mounts[${i}]`);
    }
  });

  const runArgs = findNodeAtLocation(root, ['runArgs'])?.children ?? [];
  for (let i = 0; i < runArgs.length; i++) {
    const arg = str(runArgs[i]);
    if (arg === undefined) continue;
    const next = runArgs[i + 1];
    let value: string | undefined;
    let node = runArgs[i];
    let kind: 'volume' | 'mount' | undefined;
    const long = /^--(volume|mount)(?:=(.*))?$/s.exec(arg);
    if (long) {
      kind = long[1] as 'volume' | 'mount';
      if (long[2] !== undefined) value = long[2];
      else if (next) {
        value = str(next);
        node = next;
        i++;
      }
    } else if (arg === '-v') {
      kind = 'volume';
      value = str(next);
      if (next) node = next;
      i++;
    } else if (arg.startsWith('-v')) {
      kind = 'volume';
      value = arg.slice(arg[2] === '=' ? 3 : 2);
    }
    if (value === undefined || !kind) continue;
    // `-v` tells a bind from a named volume by the source's first character: substitute first.
    const volume = kind === 'volume' ? substituteLocal(value, ctx) : undefined;
    add(kind === 'mount' ? mountSpecBindSource(value) : volume === undefined ? undefined : bindSourceOf(volume), node, `runArgs[${runArgs.indexOf(node)}]`);
  }
  return out;
}

/** The bind mounts of a devcontainer.json that no shared folder of the machine covers. */
export function devcontainerBindsOutsideShares(text: string, ctx: DevcontainerContext, shares: readonly Pick<Share, 'hostPath'>[]): DevcontainerBind[] {
  return devcontainerBinds(text, ctx).filter((b) => !shareContaining(b.source, shares, ctx.os));
}
