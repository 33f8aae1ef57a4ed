// Compose inside the machine when the host has none: host paths → guest paths. Pure.

import * as path from 'node:path';
import { guestPathThrough, type MachineSharesInfo } from '../build/inMachine';
import { composeArgs, type ComposeAction, type ComposeProject } from './argv';

export type GuestCompose = { ok: true; project: ComposeProject } | { ok: false; reason: string };

export function guestComposeProject(project: ComposeProject, machine: MachineSharesInfo): GuestCompose {
  // Resolved with the host's path rules (a Windows host's paths on any OS, for the tests).
  const resolve = machine.os === 'win32' ? path.win32.resolve : path.posix.resolve;
  const map = (p: string) => guestPathThrough(resolve(p), machine);
  const paths = [...project.files, ...(project.envFile ? [project.envFile] : []), ...(project.projectDirectory ? [project.projectDirectory] : [])];
  const outside = paths.filter((p) => map(p) === undefined);
  if (outside.length) return { ok: false, reason: `${outside.map((p) => `"${p}"`).join(', ')} ${outside.length > 1 ? 'are' : 'is'} not in a folder shared with machine "${machine.machine}"` };
  return { ok: true, project: { ...project, files: project.files.map((f) => map(f)!), envFile: project.envFile && map(project.envFile), projectDirectory: project.projectDirectory && map(project.projectDirectory) } };
}

export function guestComposeArgv(project: ComposeProject, action: ComposeAction): string[] {
  return ['docker', 'compose', ...composeArgs(project, action)];
}
