// Argument vectors for the Compose v2 CLI, as pure functions of a spec. The
// process is spawned with these arrays (never a shell string).

export interface ComposeProject {
  /** Compose files, in order (later ones override earlier ones). May be empty with `projectName`. */
  files: string[];
  projectName?: string;
  envFile?: string;
  profiles?: string[];
  /** Directory the project is relative to; default: the first file's directory. */
  projectDirectory?: string;
}

export type ComposeAction =
  | { verb: 'up'; detached?: boolean; build?: boolean; services?: string[]; removeOrphans?: boolean; forceRecreate?: boolean }
  | { verb: 'down'; volumes?: boolean; images?: 'all' | 'local'; removeOrphans?: boolean }
  | { verb: 'logs'; follow?: boolean; tail?: number; timestamps?: boolean; services?: string[] }
  | { verb: 'restart'; services?: string[] }
  | { verb: 'ps'; all?: boolean; json?: boolean };

/** Global options: files, project name, env file, profiles. */
export function projectArgs(p: ComposeProject): string[] {
  const args: string[] = [];
  for (const f of p.files) args.push('-f', f);
  if (p.projectName) args.push('-p', p.projectName);
  if (p.projectDirectory) args.push('--project-directory', p.projectDirectory);
  if (p.envFile) args.push('--env-file', p.envFile);
  for (const prof of p.profiles ?? []) args.push('--profile', prof);
  return args;
}

function services(list: string[] | undefined): string[] {
  const s = list ?? [];
  // "--" keeps a service named like an option from being read as one.
  return s.length ? ['--', ...s] : [];
}

export function actionArgs(a: ComposeAction): string[] {
  switch (a.verb) {
    case 'up':
      return [
        'up',
        ...(a.detached !== false ? ['--detach'] : []),
        ...(a.build ? ['--build'] : []),
        ...(a.removeOrphans ? ['--remove-orphans'] : []),
        ...(a.forceRecreate ? ['--force-recreate'] : []),
        ...services(a.services),
      ];
    case 'down':
      return [
        'down',
        ...(a.volumes ? ['--volumes'] : []),
        ...(a.images ? ['--rmi', a.images] : []),
        ...(a.removeOrphans ? ['--remove-orphans'] : []),
      ];
    case 'logs':
      return [
        'logs',
        ...(a.follow ? ['--follow'] : []),
        ...(a.tail !== undefined && a.tail >= 0 ? ['--tail', String(a.tail)] : []),
        ...(a.timestamps ? ['--timestamps'] : []),
        ...services(a.services),
      ];
    case 'restart':
      return ['restart', ...services(a.services)];
    case 'ps':
      return ['ps', ...(a.all ? ['--all'] : []), ...(a.json ? ['--format', 'json'] : [])];
  }
}

/** The full argv after the executable (and after `compose` when run through the docker CLI). */
export function composeArgs(p: ComposeProject, a: ComposeAction): string[] {
  return ['--ansi', 'never', ...projectArgs(p), ...actionArgs(a)];
}

/**
 * Compose's default project name for a directory: lower case, only
 * `[a-z0-9_-]`, starting with a letter or digit (compose-spec NormalizeProjectName).
 */
export function normalizeProjectName(dirName: string): string {
  return dirName.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[^a-z0-9]+/, '');
}
