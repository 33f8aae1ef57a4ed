// Finding the host programs the harness runs. Kept apart from dockerd.ts so a
// tier that only needs the docker CLI (the machine tiers) does not pull in the
// private dockerd (the package scan in test/unit/hostPackages.test.ts follows imports).

import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** The program's path on PATH (or in /usr/sbin, /sbin), or undefined. */
export function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin'])) {
    const p = path.join(dir, cmd);
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

/** The docker CLI to use: Debian's, which matches the daemon, else whatever is on PATH. */
export function dockerCli(): string {
  return existsSync('/usr/bin/docker') ? '/usr/bin/docker' : (which('docker') ?? 'docker');
}
