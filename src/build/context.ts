// The build context: which files are sent to the engine (honouring
// .dockerignore the way the docker CLI does), packed as a tar stream.
//
// Like the CLI, the Dockerfile and .dockerignore are always sent, and a
// Dockerfile outside the context is added under a private name.

import createIgnore from '@balena/dockerignore';
import { readFileSync, readdirSync, lstatSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { pack, type Pack } from 'tar-fs';

export interface ContextFiles {
  root: string;
  /** Relative POSIX paths of every file, symlink and directory that is sent. */
  entries: Set<string>;
  files: number;
  bytes: number;
}

/** Reads `.dockerignore` patterns (comments and blanks dropped). */
export function readDockerignore(contextDir: string): string[] {
  const file = path.join(contextDir, '.dockerignore');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => (l.startsWith('/') ? l.slice(1) : l));
}

/**
 * Walks the context and keeps what .dockerignore does not exclude. A directory
 * that is excluded is still walked when an exception pattern (`!x`) exists,
 * since an exception may re-include something inside it.
 */
export function listContext(contextDir: string, always: string[] = []): ContextFiles {
  const patterns = readDockerignore(contextDir);
  const ig = createIgnore({ ignorecase: false }).add(patterns);
  const hasExceptions = patterns.some((p) => p.startsWith('!'));
  const alwaysSet = new Set(always.map((a) => a.split(path.sep).join('/')).concat(['.dockerignore']));
  const entries = new Set<string>();
  let files = 0;
  let bytes = 0;
  const keepParents = (rel: string) => {
    for (let d = path.posix.dirname(rel); d !== '.' && !entries.has(d); d = path.posix.dirname(d)) entries.add(d);
  };
  const walk = (relDir: string) => {
    const abs = path.join(contextDir, relDir);
    for (const name of readdirSync(abs).sort()) {
      const rel = relDir ? `${relDir}/${name}` : name;
      const st = lstatSync(path.join(abs, name));
      const ignored = ig.ignores(rel) && !alwaysSet.has(rel);
      if (st.isDirectory()) {
        if (!ignored) {
          entries.add(rel);
          walk(rel);
        } else if (hasExceptions) {
          walk(rel);
        }
        continue;
      }
      if (ignored || st.isSocket()) continue;
      entries.add(rel);
      keepParents(rel);
      files++;
      bytes += st.isFile() ? st.size : 0;
    }
  };
  walk('');
  return { root: contextDir, entries, files, bytes };
}

export interface PackedContext {
  stream: Pack;
  /** The Dockerfile's name inside the tar (what the engine's `dockerfile` parameter gets). */
  dockerfileName: string;
  files: ContextFiles;
}

/** Packs the context for `/build`; `dockerfile` is an absolute path. */
export function packContext(contextDir: string, dockerfile: string): PackedContext {
  const rel = path.relative(contextDir, dockerfile);
  const inside = !rel.startsWith('..') && !path.isAbsolute(rel);
  const files = listContext(contextDir, inside ? [rel] : []);
  const outsideName = `.slipway-dockerfile-${process.pid}-${Date.now().toString(36)}`;
  const outside = inside ? undefined : readFileSync(dockerfile);
  const stream = pack(contextDir, {
    ignore: (abs) => !files.entries.has(path.relative(contextDir, abs).split(path.sep).join('/')),
    finalize: inside,
    finish: (p) => {
      if (!outside) return;
      p.entry({ name: outsideName, size: outside.length, mode: 0o644, mtime: new Date(), type: 'file' }, outside);
      p.finalize();
    },
  });
  return { stream, dockerfileName: inside ? rel.split(path.sep).join('/') : outsideName, files };
}
