// Runs the Compose binary for one action against one engine, streaming its
// output. The engine is passed as DOCKER_HOST so compose talks to the same
// engine as the rest of Slipway.

import { spawn } from 'node:child_process';
import { composeArgs, type ComposeAction, type ComposeProject } from './argv';
import type { ComposeBinary } from './locate';

export interface ComposeRunOptions {
  /** Engine address, e.g. `unix:///var/run/docker.sock`. */
  dockerHost: string;
  /** Base environment (default: process.env). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Receives stdout and stderr text as it arrives (compose writes progress to stderr). */
  write?: (text: string) => void;
  signal?: AbortSignal;
}

export interface ComposeRunResult {
  code: number | null;
  /** The last lines of stderr, for the error message. */
  stderrTail: string;
}

/** The environment compose runs with: DOCKER_HOST set, any docker context override cleared. */
export function composeEnv(base: NodeJS.ProcessEnv, dockerHost: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, DOCKER_HOST: dockerHost };
  delete env.DOCKER_CONTEXT;
  return env;
}

export function runCompose(bin: ComposeBinary, project: ComposeProject, action: ComposeAction, opts: ComposeRunOptions): Promise<ComposeRunResult> {
  const args = composeArgs(project, action);
  return new Promise((resolve, reject) => {
    const child = spawn(bin.exe, args, {
      cwd: opts.cwd ?? project.projectDirectory,
      env: composeEnv(opts.env ?? process.env, opts.dockerHost),
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: opts.signal,
    });
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => opts.write?.(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-4000);
      opts.write?.(d);
    });
    child.on('error', (err) => {
      if ((err as { name?: string }).name === 'AbortError') resolve({ code: null, stderrTail: 'cancelled' });
      else reject(new Error(`Could not start ${bin.exe}: ${err.message}`, { cause: err }));
    });
    child.on('close', (code) => resolve({ code, stderrTail: lastLines(stderr, 3) }));
  });
}

function lastLines(s: string, n: number): string {
  return s.trim().split('\n').slice(-n).join('\n');
}

/** Runs an action and throws one sentence when compose fails. */
export async function composeOrThrow(bin: ComposeBinary, project: ComposeProject, action: ComposeAction, opts: ComposeRunOptions): Promise<void> {
  const r = await runCompose(bin, project, action, opts);
  if (r.code === 0) return;
  const what = project.projectName ? `project "${project.projectName}"` : project.files.join(', ');
  throw new Error(`docker compose ${action.verb} failed for ${what}: ${r.stderrTail || `exit code ${r.code}`}`);
}
