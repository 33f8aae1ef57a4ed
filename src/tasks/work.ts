// What each task type does when it runs: the bodies of the CustomExecutions.
// The engine is the one Slipway is connected to; compose gets it as DOCKER_HOST.

import { buildImage, resolveDockerfile, type BuildResult, type BuildSpec } from '../build/build';
import { buildRoute, routeLine, type MachineSharesInfo } from '../build/inMachine';
import { buildInMachine } from '../build/machineBuild';
import { runDetached, containerOptions, readEnvFiles, type RunSpec } from '../build/run';
import type { ComposeAction, ComposeProject } from '../compose/argv';
import { readComposeProject, formatProblem } from '../compose/discover';
import { guestComposeArgv, guestComposeProject } from '../compose/inMachine';
import { composeNotFoundError, findCompose, type ComposeBinary } from '../compose/locate';
import { runCompose } from '../compose/process';
import type { EngineConnection } from '../engine/connection';
import type { RunInMachine } from '../machine/exec';
import { bindSourceOf, bindSourcesOutsideShares } from '../machine/shares';
import type { TaskDiagnostics } from './diagnostics';
import type { TaskWork } from './pty';

const dim = (s: string) => `\x1b[2m${s}\x1b[0m\n`;
const red = (s: string) => `\x1b[31m${s}\x1b[0m\n`;
const green = (s: string) => `\x1b[32m${s}\x1b[0m\n`;

export interface WorkDeps {
  conn: EngineConnection;
  diagnostics: TaskDiagnostics;
  /** The shared folders of the Slipway machine serving `engineHost`, when it is one. */
  machineShares?: (engineHost: string) => MachineShares | undefined;
  /** Runs a command in a running machine over SSH (builds next to shared files, compose when the host has none). */
  runInMachine?: RunInMachine;
  /** The host's Compose v2 (default: `findCompose()`); injectable so tests can take it away. */
  findCompose?: () => Promise<ComposeBinary | undefined>;
}

export type MachineShares = MachineSharesInfo;

const yellow = (s: string) => `\x1b[33m${s}\x1b[0m\n`;

/**
 * Warns when a bind mount's source lies outside every shared folder of the
 * machine the engine runs in: there the mount would silently be an empty
 * directory. Returns the warnings (also written to the task terminal).
 */
export function warnBindsOutsideShares(deps: WorkDeps, engineHost: string, sources: readonly string[], write: (s: string) => void, baseDir?: string): string[] {
  const m = deps.machineShares?.(engineHost);
  if (!m) return [];
  const outside = bindSourcesOutsideShares(sources, m.shares, m.os, baseDir);
  const warnings = outside.map(
    (src) =>
      `Warning: "${src}" is not in a folder shared with machine "${m.machine}" (${m.shares.map((s) => s.hostPath).join(', ') || 'no shared folders'}); ` +
      'inside the machine that bind mount is an empty directory. Add a share in the machine\'s config.json, or move the files.',
  );
  for (const w of warnings) write(yellow(w));
  return warnings;
}

export function buildWork(deps: WorkDeps, spec: BuildSpec): TaskWork {
  return async (write, signal) => {
    const client = deps.conn.requireClient();
    const result = await buildSomewhere(deps, client, spec, write, signal);
    deps.diagnostics.setBuildProblems(result.dockerfile, result.problems);
    if (result.ok) {
      write(green(`Built ${spec.tags?.length ? spec.tags.join(', ') : result.imageId ?? 'the image'}.`));
      return 0;
    }
    write(red(result.error ?? 'The build failed.'));
    return 1;
  };
}

/**
 * In a machine whose shared folders hold the context and the Dockerfile, the
 * guest's docker CLI builds next to the files (no context upload); anywhere
 * else the context is uploaded through the Engine API. The terminal says which.
 */
async function buildSomewhere(deps: WorkDeps, client: ReturnType<EngineConnection['requireClient']>, spec: BuildSpec, write: (t: string) => void, signal: AbortSignal): Promise<BuildResult> {
  const dockerfile = resolveDockerfile(spec);
  const route = buildRoute(spec, dockerfile, deps.machineShares?.(client.endpoint.host), !!deps.runInMachine);
  write(dim(routeLine(route, spec.context)));
  if (route.kind === 'machine' && deps.runInMachine) {
    try {
      return await buildInMachine(deps.runInMachine, route, spec, dockerfile, write, signal);
    } catch (err) {
      if (signal.aborted) return { ok: false, dockerfile, problems: [], error: 'The build was cancelled.' };
      write(dim(`Could not build in machine "${route.machine}" (${(err as Error).message}); uploading the context instead.`));
    }
  }
  return buildImage(client.docker, spec, write, signal);
}

export function runWork(deps: WorkDeps, spec: RunSpec): TaskWork {
  return async (write) => {
    const client = deps.conn.requireClient();
    if (spec.detached === false) {
      // Interactive runs get a terminal of their own (see tasks/register.ts); here: detached only.
      throw new Error('An interactive run needs a terminal; run it with "detached": true or from the Run Image… command.');
    }
    const sources = (spec.volumes ?? []).flatMap((v) => bindSourceOf(v) ?? []);
    warnBindsOutsideShares(deps, client.endpoint.host, sources, write, spec.cwd);
    write(dim(`Starting a container from ${spec.image}…`));
    const started = await runDetached(client.docker, spec);
    write(green(`Started container "${started.name}" (${started.id.slice(0, 12)}).`));
    for (const p of started.ports) write(`  published ${p}\n`);
    return 0;
  };
}

/** The create options of an interactive run, for the attach terminal. */
export function interactiveOptions(spec: RunSpec) {
  return containerOptions({ ...spec, detached: false }, readEnvFiles(spec));
}

export function composeWork(deps: WorkDeps, project: ComposeProject, action: ComposeAction): TaskWork {
  return async (write, signal) => {
    let bindSources: string[] = [];
    if (project.files.length) {
      const info = readComposeProject(project.files);
      deps.diagnostics.setComposeProblems(project.files, info.problems);
      if (info.problems.length) {
        for (const p of info.problems) write(red(formatProblem(p)));
        return 1;
      }
      bindSources = info.bindSources;
    }
    const client = deps.conn.requireClient();
    if (action.verb === 'up') warnBindsOutsideShares(deps, client.endpoint.host, bindSources, write);
    const bin = await (deps.findCompose ?? findCompose)();
    let r: { code: number | null };
    if (bin) {
      write(dim(`docker compose ${action.verb} (Compose ${bin.version}, engine ${client.endpoint.host})`));
      r = await runCompose(bin, project, action, { dockerHost: client.endpoint.host, write, signal });
    } else {
      // No Compose on this host: a machine has it in its image; it runs next to the shared files.
      const m = deps.machineShares?.(client.endpoint.host);
      const guest = m && deps.runInMachine ? guestComposeProject(project, m) : undefined;
      if (!m || !deps.runInMachine || !guest?.ok) {
        if (guest && !guest.ok) write(dim(`Compose cannot run in machine "${m!.machine}": ${guest.reason}.`));
        throw composeNotFoundError();
      }
      write(dim(`No Docker Compose on this host: running docker compose ${action.verb} in machine "${m.machine}", next to the project's shared files.`));
      r = await deps.runInMachine(m.machine, guestComposeArgv(guest.project, action), { write, signal });
    }
    if (signal.aborted) {
      write(dim('Cancelled.'));
      return 130;
    }
    if (r.code !== 0) write(red(`docker compose ${action.verb} failed (exit code ${r.code}).`));
    return r.code ?? 1;
  };
}
