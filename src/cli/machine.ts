// `slipway machine …`: the development VM from the command line, like
// docker-machine. State lives under the Slipway root ($SLIPWAY_HOME or the
// platform default). `start` leaves an agent running that serves the Docker
// socket; `env` prints the lines that point the docker CLI at it.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { runAgent, spawnAgent } from '../machine/agent';
import { currentRoot, DEFAULT_MACHINE, nameProblem } from '../machine/layout';
import { Machines } from '../machine/machine';
import { type MachineEvent, type MachineStatus } from '../machine/status';
import { LogFollower } from '../machine/runtime';
import { SHARE_MECHANISMS, type Share, type ShareMechanismChoice } from '../machine/shares';
import type { GuestArch } from '../machine/spec';
import { shellQuoteWord } from '../ssh/quote';
import { connectSsh } from '../ssh/connect';
import { execStreaming, interactiveShell } from '../ssh/exec';
import { CliError, UsageError, type CliIO, type Command } from './command';

const HELP = `Usage: slipway machine <command> [NAME] [options]

Commands (NAME defaults to "default"):
  create [NAME] [--cpus N] [--memory MiB] [--disk GiB] [--arch x86_64|aarch64]
         [--share DIR]... [--share-ro DIR]... [--share-mechanism auto|9p|sshfs] [--no-shares]
                             host folders to mount in the machine at the same path
                             (default: /Users on macOS, your home folder elsewhere)
  start [NAME]               boot it and serve its Docker socket (creates "default" on first use)
  stop [NAME] [--kill]       shut it down (ACPI), or kill QEMU at once
  rm [NAME] [-f]             delete it and its data disk (-f: even when running)
  ls [--json]                list machines
  status [NAME]              print its state
  inspect [NAME]             print its details as JSON
  ssh [NAME] [-- CMD ...]    open a shell, or run one command
  env [NAME] [--shell sh|fish|powershell] [--unset]
                             print the lines that point docker at it:
                             eval "$(slipway machine env)"
  ip [NAME]                  print the address its ports are reached on
  logs [NAME] [-n LINES] [-f|--follow]
                             print its serial console log; -f keeps printing new lines

State lives under $SLIPWAY_HOME (default ~/.slipway; %LOCALAPPDATA%\\Slipway on Windows).`;

interface Parsed {
  verb: string;
  name: string;
  flags: Map<string, string | true>;
  /** Flags that may repeat (--share), in order. */
  lists: Map<string, string[]>;
  rest: string[];
}

const VALUE_FLAGS = new Set(['--cpus', '--memory', '--disk', '--arch', '--shell', '-n', '--share-mechanism']);
const LIST_FLAGS = new Set(['--share', '--share-ro']);
const BOOL_FLAGS = new Set(['--json', '--kill', '-f', '--force', '--follow', '--unset', '--help', '-h', '--no-shares']);

function parse(args: string[]): Parsed {
  const [verb, ...tail] = args;
  const flags = new Map<string, string | true>();
  const lists = new Map<string, string[]>();
  const positional: string[] = [];
  let rest: string[] = [];
  for (let i = 0; i < tail.length; i++) {
    const a = tail[i];
    if (a === '--') {
      rest = tail.slice(i + 1);
      break;
    }
    if (VALUE_FLAGS.has(a)) {
      const v = tail[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value.`);
      flags.set(a, v);
    } else if (LIST_FLAGS.has(a)) {
      const v = tail[++i];
      if (v === undefined) throw new UsageError(`${a} needs a folder.`);
      lists.set(a, [...(lists.get(a) ?? []), v]);
    } else if (BOOL_FLAGS.has(a)) flags.set(a, true);
    else if (a.startsWith('-')) throw new UsageError(`unknown option "${a}" for "machine ${verb}".\n\n${HELP}`);
    else positional.push(a);
  }
  if (positional.length > 1) throw new UsageError(`"machine ${verb}" takes one machine name, got ${positional.map((p) => `"${p}"`).join(', ')}.`);
  const name = positional[0] ?? DEFAULT_MACHINE;
  const bad = nameProblem(name);
  if (bad) throw new UsageError(bad);
  return { verb, name, flags, lists, rest };
}

/** The shares asked for on the command line; undefined keeps the default (the home folder). */
function sharesFlag(p: Parsed, env: NodeJS.ProcessEnv): Partial<Share>[] | undefined {
  const rw = p.lists.get('--share') ?? [];
  const ro = p.lists.get('--share-ro') ?? [];
  const mech = p.flags.get('--share-mechanism');
  if (mech !== undefined && !SHARE_MECHANISMS.includes(mech as ShareMechanismChoice))
    throw new UsageError(`--share-mechanism must be one of ${SHARE_MECHANISMS.join(', ')}, got "${mech}".`);
  if (p.flags.has('--no-shares')) {
    if (rw.length || ro.length) throw new UsageError('--no-shares cannot be combined with --share or --share-ro.');
    return [];
  }
  if (!rw.length && !ro.length) return undefined;
  const cwd = env.PWD && path.isAbsolute(env.PWD) ? env.PWD : process.cwd();
  const one = (dir: string, readOnly: boolean): Partial<Share> => ({
    hostPath: path.resolve(cwd, dir),
    readOnly,
    ...(mech ? { mechanism: mech as ShareMechanismChoice } : {}),
  });
  return [...rw.map((d) => one(d, false)), ...ro.map((d) => one(d, true))];
}

/** Aborted by the first Ctrl+C or SIGTERM. */
function interruptSignal(): AbortSignal {
  const ac = new AbortController();
  const stop = () => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return ac.signal;
}

function intFlag(p: Parsed, flag: string): number | undefined {
  const v = p.flags.get(flag);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} must be a positive whole number, got "${v}".`);
  return n;
}

function printEvent(io: CliIO, e: MachineEvent): void {
  if (e.kind === 'stage') io.stderr.write(`[${e.stage}] ${e.message}\n`);
  else if (e.kind === 'guest-stage') io.stderr.write(`        guest: ${e.name} at ${(e.ms / 1000).toFixed(1)} s\n`);
  else if (e.kind === 'progress') io.stderr.write(`        ${e.message}\n`);
  else if (e.kind === 'warning') io.stderr.write(`warning: ${e.message}\n`);
}

/** The lines that set (or unset) DOCKER_HOST for a shell. */
export function envLines(shell: string, dockerHost: string, name: string, unset: boolean): string {
  const comment = (c: string) => `# ${c}`;
  switch (shell) {
    case 'sh':
      return unset
        ? 'unset DOCKER_HOST SLIPWAY_MACHINE\n'
        : `export DOCKER_HOST=${shQuote(dockerHost)}\nexport SLIPWAY_MACHINE=${shQuote(name)}\n${comment(`Run this command to configure your shell:\n# eval "$(slipway machine env ${name})"`)}\n`;
    case 'fish':
      return unset
        ? 'set -e DOCKER_HOST;\nset -e SLIPWAY_MACHINE;\n'
        : `set -gx DOCKER_HOST ${shQuote(dockerHost)};\nset -gx SLIPWAY_MACHINE ${shQuote(name)};\n${comment(`Run this command to configure your shell:\n# slipway machine env ${name} --shell fish | source`)}\n`;
    case 'powershell':
      return unset
        ? 'Remove-Item Env:\\DOCKER_HOST\nRemove-Item Env:\\SLIPWAY_MACHINE\n'
        : `$Env:DOCKER_HOST = ${psQuote(dockerHost)}\n$Env:SLIPWAY_MACHINE = ${psQuote(name)}\n${comment(`Run this command to configure your shell:\n# & slipway machine env ${name} --shell powershell | Invoke-Expression`)}\n`;
    default:
      throw new UsageError(`--shell must be sh, fish or powershell, got "${shell}".`);
  }
}

/** Quoting for the printed env lines: the SSH exec helper's POSIX quoting (fish reads the same '\'' form). */
const shQuote = shellQuoteWord;

function psQuote(v: string): string {
  return `'${v.replace(/'/g, "''")}'`;
}

function describe(s: MachineStatus): string {
  if (s.state === 'broken') return `broken: ${s.error}`;
  return s.state;
}

function requireRunning(m: Machines, name: string): MachineStatus {
  const st = m.status(name);
  if (st.state !== 'running') throw new CliError(`Machine "${name}" is ${describe(st)}. Start it with "slipway machine start ${name}".`);
  return st;
}

export const machineCommand: Command = {
  name: 'machine',
  summary: 'create, start, stop and use Slipway machines (the Docker VM)',
  async run(args, io) {
    if (!args.length || args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
      io.stdout.write(HELP + '\n');
      return args.length ? 0 : 2;
    }
    const p = parse(args);
    if (p.flags.has('--help') || p.flags.has('-h')) {
      io.stdout.write(HELP + '\n');
      return 0;
    }
    const m = new Machines({ root: currentRoot(io.env), env: io.env });
    const { name } = p;
    switch (p.verb) {
      case 'create': {
        const arch = p.flags.get('--arch');
        if (arch !== undefined && arch !== 'x86_64' && arch !== 'aarch64') throw new UsageError(`--arch must be x86_64 or aarch64, got "${arch}".`);
        const spec = await m.create(name, {
          cpus: intFlag(p, '--cpus'),
          memoryMiB: intFlag(p, '--memory'),
          diskGiB: intFlag(p, '--disk'),
          arch: arch as GuestArch | undefined,
          shares: sharesFlag(p, io.env) as Share[] | undefined,
        });
        const shared = spec.shares.length ? `sharing ${spec.shares.map((s) => `${s.hostPath}${s.readOnly ? ' (read-only)' : ''}`).join(', ')}` : 'no shared folders';
        io.stdout.write(
          `Created machine "${name}" (${spec.cpus} CPUs, ${spec.memoryMiB} MiB, ${spec.diskGiB} GiB disk, ${shared}). Start it with "slipway machine start${name === DEFAULT_MACHINE ? '' : ' ' + name}".\n`,
        );
        return 0;
      }
      case 'start': {
        if (!m.exists(name) && name === DEFAULT_MACHINE) {
          io.stderr.write(`Creating machine "${name}"…\n`);
          await m.create(name);
        }
        const t0 = Date.now();
        await m.start(name, { onEvent: (e) => printEvent(io, e) });
        await spawnAgent(m, name, { exe: process.execPath, args: [process.argv[1], 'machine', '__agent', name], env: { ...io.env, ELECTRON_RUN_AS_NODE: '1' } });
        const st = m.status(name);
        io.stdout.write(`Machine "${name}" is running (${((Date.now() - t0) / 1000).toFixed(1)} s). Docker: ${st.dockerHost}\nPoint docker at it with: eval "$(slipway machine env${name === DEFAULT_MACHINE ? '' : ' ' + name})"\n`);
        return 0;
      }
      case 'stop': {
        if (p.flags.has('--kill')) {
          const killed = await m.kill(name);
          io.stdout.write(killed ? `Machine "${name}" killed.\n` : `Machine "${name}" was not running.\n`);
          return 0;
        }
        const how = await m.stop(name, { onEvent: (e) => printEvent(io, e) });
        io.stdout.write(how === 'already-stopped' ? `Machine "${name}" was not running.\n` : how === 'shutdown' ? `Machine "${name}" stopped.\n` : `Machine "${name}" did not shut down in time and was killed.\n`);
        return 0;
      }
      case 'rm': {
        await m.delete(name, { force: p.flags.has('-f') || p.flags.has('--force') });
        io.stdout.write(`Removed machine "${name}".\n`);
        return 0;
      }
      case 'ls': {
        const list = m.list();
        if (p.flags.has('--json')) {
          io.stdout.write(JSON.stringify(list, null, 2) + '\n');
          return 0;
        }
        const rows = [['NAME', 'STATE', 'CPUS', 'MEMORY', 'DISK', 'DOCKER_HOST']];
        for (const s of list)
          rows.push([s.name, describe(s), String(s.spec?.cpus ?? ''), s.spec ? `${s.spec.memoryMiB} MiB` : '', s.spec ? `${s.spec.diskGiB} GiB` : '', s.state === 'running' ? s.dockerHost : '']);
        const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
        for (const r of rows) io.stdout.write(r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd() + '\n');
        return 0;
      }
      case 'status': {
        io.stdout.write(describe(m.status(name)) + '\n');
        return 0;
      }
      case 'inspect': {
        io.stdout.write(JSON.stringify(await m.inspect(name), null, 2) + '\n');
        return 0;
      }
      case 'ip': {
        requireRunning(m, name);
        // Ports are forwarded to the host's loopback; the guest's own address is not reachable from the host.
        io.stdout.write('127.0.0.1\n');
        return 0;
      }
      case 'env': {
        const st = p.flags.has('--unset') ? m.status(name) : requireRunning(m, name);
        const shell = p.flags.get('--shell');
        const chosen = typeof shell === 'string' ? shell : process.platform === 'win32' ? 'powershell' : 'sh';
        io.stdout.write(envLines(chosen, st.dockerHost, name, p.flags.has('--unset')));
        return 0;
      }
      case 'logs': {
        const n = intFlag(p, '-n');
        const file = m.paths(name).serialLog;
        let text: string;
        try {
          text = readFileSync(file, 'utf8');
        } catch {
          throw new CliError(`Machine "${name}" has no console log yet; it is written from its first start.`);
        }
        const lines = text.split('\n');
        io.stdout.write((n ? lines.slice(-n - 1) : lines).join('\n'));
        if (!p.flags.has('-f') && !p.flags.has('--follow')) return 0;
        // Like tail -F: new lines as they come, across restarts (a boot starts the log afresh), until Ctrl+C.
        const follower = new LogFollower(file, (line) => io.stdout.write(line + '\n'), Buffer.byteLength(text), 250).start();
        await new Promise<void>((resolve) => {
          const signal = io.signal ?? interruptSignal();
          if (signal.aborted) return resolve();
          signal.addEventListener('abort', () => resolve(), { once: true });
        });
        follower.poll();
        follower.stop();
        return 0;
      }
      case 'ssh': {
        requireRunning(m, name);
        const client = await connectSsh(m.sshTarget(name));
        try {
          if (p.rest.length) {
            const stdin = process.stdin.isTTY ? undefined : process.stdin;
            const code = await execStreaming(client, p.rest, { stdin, stdout: io.stdout, stderr: io.stderr });
            return code ?? 1;
          }
          if (!process.stdin.isTTY) throw new UsageError('an interactive shell needs a terminal; to run a command use: slipway machine ssh NAME -- CMD ...');
          return (await interactiveShell(client, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr })) ?? 1;
        } finally {
          client.end();
        }
      }
      case '__agent': {
        const log = (line: string) => io.stdout.write(`${new Date().toISOString()} ${line}\n`);
        await runAgent(m, name, log);
        return 0;
      }
      default:
        throw new UsageError(`unknown machine command "${p.verb}".\n\n${HELP}`);
    }
  },
};
