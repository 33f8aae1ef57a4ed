// Building next to the files: which way a build goes and the guest argv. Pure.

import * as path from 'node:path';
import type { HostOs } from '../machine/layout';
import { guestPathFor, guestPathInShares, shareContaining, type Share } from '../machine/shares';
import type { BuildSpec } from './build';

export interface MachineSharesInfo {
  machine: string;
  shares: readonly (Pick<Share, 'hostPath'> & { guestPath?: string; mechanism?: string })[];
  os: HostOs;
}

export type BuildRoute =
  | { kind: 'machine'; machine: string; guestContext: string; guestDockerfile: string; mechanism?: string; hostPath: string }
  | { kind: 'upload'; reason: string };

export function guestPathThrough(p: string, m: MachineSharesInfo): string | undefined {
  const shares: Share[] = m.shares.map((s) => ({ hostPath: s.hostPath, guestPath: s.guestPath ?? guestPathFor(s.hostPath, m.os), readOnly: false, mechanism: 'auto' }));
  return guestPathInShares(p, shares, m.os);
}

export function buildRoute(spec: BuildSpec, dockerfile: string, machine: MachineSharesInfo | undefined, canExec: boolean): BuildRoute {
  if (!machine) return { kind: 'upload', reason: 'the engine is not a Slipway machine' };
  if (!canExec) return { kind: 'upload', reason: `commands cannot be run in machine "${machine.machine}" from here` };
  const guestContext = guestPathThrough(spec.context, machine);
  if (!guestContext) return { kind: 'upload', reason: `"${spec.context}" is not in a folder shared with machine "${machine.machine}"` };
  const guestDockerfile = guestPathThrough(dockerfile, machine);
  if (!guestDockerfile) return { kind: 'upload', reason: `the Dockerfile "${dockerfile}" is not in a folder shared with machine "${machine.machine}"` };
  const share = shareContaining(spec.context, machine.shares, machine.os);
  return { kind: 'machine', machine: machine.machine, guestContext, guestDockerfile, mechanism: share?.mechanism, hostPath: share?.hostPath ?? spec.context };
}

export function inMachineBuildArgv(spec: BuildSpec, guestContext: string, guestDockerfile: string): string[] {
  const argv = ['docker', 'build', '--progress=plain', '-f', guestDockerfile];
  for (const t of spec.tags ?? []) argv.push('-t', t);
  for (const [k, v] of Object.entries(spec.buildArgs ?? {})) argv.push('--build-arg', `${k}=${v}`);
  if (spec.target) argv.push('--target', spec.target);
  for (const [k, v] of Object.entries(spec.labels ?? {})) argv.push('--label', `${k}=${v}`);
  if (spec.platform) argv.push('--platform', spec.platform);
  if (spec.pull) argv.push('--pull');
  if (spec.noCache) argv.push('--no-cache');
  argv.push(guestContext);
  return argv;
}

export function routeLine(route: BuildRoute, context: string): string {
  if (route.kind === 'machine') {
    const over = route.mechanism ? ` over ${route.mechanism}` : '';
    return `Building in machine "${route.machine}" next to the files (${route.hostPath} is shared${over}): no context upload.`;
  }
  return `Uploading the build context "${path.resolve(context)}" to the engine: ${route.reason}.`;
}
