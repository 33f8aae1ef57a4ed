// Fake programs for unit tests (style.md #11): small shell scripts in a temp
// directory that count how often they were started.

import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** Writes an executable `dir/name` that logs each start to `dir/name.calls`, then runs `body` (sh). */
export function fakeBin(dir: string, name: string, body: string): string {
  const file = path.join(dir, name);
  const log = `${file}.calls`;
  writeFileSync(file, `#!/bin/sh\necho "run $*" >> '${log}'\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

/** One line ("run <args>") per start of a `fakeBin` program. */
export function fakeCalls(file: string): string[] {
  const log = `${file}.calls`;
  return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
}
