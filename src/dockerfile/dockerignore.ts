// Reads the .dockerignore that applies to a build, with the builder's
// precedence: `<Dockerfile name>.dockerignore` next to the Dockerfile, else
// `.dockerignore` at the context root. Matching follows Docker's rules
// (Go filepath.Match plus `**` and `!` exceptions) via @balena/dockerignore,
// the implementation dockerode itself uses when it sends a build context.

import ignore from '@balena/dockerignore';
import * as fs from 'node:fs';
import * as path from 'node:path';

export type IgnoreMatcher = (contextRelativePath: string) => boolean;

/** A matcher for .dockerignore text. */
export function dockerignoreMatcher(content: string): IgnoreMatcher {
  const patterns = content
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const ig = ignore().add(patterns);
  return (p) => {
    try {
      return ig.ignores(p);
    } catch {
      return false;
    }
  };
}

/** The matcher for building `dockerfile` with `contextDir`, or undefined when no ignore file exists. */
export function readDockerignore(dockerfile: string, contextDir = path.dirname(dockerfile)): IgnoreMatcher | undefined {
  for (const candidate of [`${dockerfile}.dockerignore`, path.join(contextDir, '.dockerignore')]) {
    let content: string;
    try {
      content = fs.readFileSync(candidate, 'utf8');
    } catch {
      continue;
    }
    return dockerignoreMatcher(content);
  }
  return undefined;
}
