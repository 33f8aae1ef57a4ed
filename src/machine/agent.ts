// The agent: a small detached process that holds a running machine's SSH
// session so the Docker socket and published ports stay served after the
// command that started the machine has exited (like Lima's host agent).
// It ends when QEMU is gone, on SIGTERM (stop/kill/rm send it), or when the
// guest presents a different host key.

import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Machines } from './machine';
import { pidAlive } from './lock';
import { runningAgentPid, runningQemuPid } from './runtime';
import { MachineSession, type SessionEvent } from './session';

/** How to run `slipway machine __agent NAME` (argv[0] is the executable). */
export interface AgentCommand {
  exe: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs the agent in this process until the machine stops. `log` receives one
 * line per noteworthy event (the CLI writes them to agent.log).
 */
export async function runAgent(machines: Machines, name: string, log: (line: string) => void): Promise<void> {
  const paths = machines.paths(name);
  const other = runningAgentPid(paths);
  if (other && other !== process.pid) {
    log(`agent ${other} already serves machine "${name}"`);
    return;
  }
  writeFileSync(paths.agentPidFile, `${process.pid}\n`, { mode: 0o600 });
  let session: MachineSession | undefined;
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const shutdown = (why: string) => {
    log(`stopping: ${why}`);
    finished();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  const onEvent = (e: SessionEvent) => {
    if (e.kind === 'ssh') {
      if (e.state.kind === 'refused') shutdown(e.state.error.message);
      else if (e.state.kind === 'disconnected') {
        if (!runningQemuPid(paths)) shutdown('QEMU has exited');
        else log(`ssh lost (${e.state.error.message}); retrying in ${e.state.retryInMs} ms`);
      } else if (e.state.kind === 'connected') log(e.state.reconnected ? 'ssh reconnected' : 'ssh connected');
    } else if (e.kind === 'error') log(`error: ${e.error.message}`);
    else if (e.kind === 'share-mounted') log(`share ${e.guestPath} mounted (${e.mechanism}${e.servedBy === 'this' ? ` over ${e.transport}` : ''}, served by ${e.servedBy})`);
    else if (e.kind === 'share-lost') log(`share ${e.guestPath} lost: ${e.error.message}${e.retryInMs !== undefined ? ` (mounting it again in ${e.retryInMs / 1000} s)` : ''}`);
    else log(`${e.kind} ${e.hostPort} → ${e.guestPort} (${e.owner})${e.kind === 'port-failed' ? `: ${e.error.message}` : ''}`);
  };
  try {
    // Subscribed from the start: the first mounts and the SSH connection are logged too.
    session = await MachineSession.open(machines, name, { onEvent });
    log(`serving ${session.dockerHost}`);
    for (const err of session.shareErrors) log(`error: ${err.message}`);
    await done;
  } finally {
    await session?.dispose().catch((err: Error) => log(`cleanup: ${err.message}`));
    if (readFileSync(paths.agentPidFile, 'utf8').trim() === String(process.pid)) rmSync(paths.agentPidFile, { force: true });
  }
}

/**
 * Starts the agent detached and resolves once it serves the Docker socket.
 * Nothing to do when one is already running.
 */
export async function spawnAgent(machines: Machines, name: string, command: AgentCommand, timeoutMs = 30_000): Promise<void> {
  const paths = machines.paths(name);
  if (runningAgentPid(paths) && existsSync(paths.dockerSocket)) return;
  const log = openSync(paths.agentLog, 'a', 0o600);
  const child = spawn(command.exe, command.args, { detached: true, stdio: ['ignore', log, log], env: command.env ?? process.env, windowsHide: true });
  closeSync(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone: number | null | undefined;
  void exited.then((c) => (gone = c));
  const deadline = Date.now() + timeoutMs;
  while (!(existsSync(paths.dockerSocket) && runningAgentPid(paths))) {
    if (gone !== undefined || (child.pid && !pidAlive(child.pid)))
      throw new Error(`The machine agent exited (code ${gone}) before serving the Docker socket: ${lastLines(paths.agentLog)}`);
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`The machine agent did not serve the Docker socket within ${timeoutMs / 1000} s; see "${paths.agentLog}".`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.unref();
}

function lastLines(file: string, n = 3): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-n).join(' | ');
  } catch {
    return '(no log)';
  }
}
