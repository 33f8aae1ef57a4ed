// The one module that owns where a machine's files live. Nothing else in the
// code base builds a path under the Slipway root: ask here.
//
//   <root>/                         ~/.slipway, %LOCALAPPDATA%\Slipway, or $SLIPWAY_HOME
//     images/                       guest images (image.ts's defaultImageDir owns this part)
//     machines/<name>/              one instance directory per machine
//       config.json                 the machine spec (spec.ts)
//       data.qcow2                  the persistent data disk
//       serial.log  qemu.log        guest console; QEMU's own stderr
//       lock                        held while a process starts/stops/deletes it (lock.ts)
//       seed/                       0700: files handed to the guest with -fw_cfg
//       ssh/                        0700: our client key pair, the guest's host key pair
//       run/                        0700: qmp.sock, qemu.pid, state.json, agent.pid, docker.sock,
//                                   sftp-<tag>.sock (one per sshfs share: QEMU's virtio-serial port, see sftpSocketPath)
//
// Unix socket paths are limited to 104 bytes on macOS (108 on Linux), including
// the terminating NUL. When run/ would make a socket path too long (a deep home
// directory, a long SLIPWAY_HOME in tests) the runtime directory moves to
// <tmp>/slipway-<hash of the instance dir>, which is short and still unique per
// machine. The check uses the macOS limit on every host so behaviour is the same
// everywhere. On Windows the Docker socket is a named pipe instead.

import { createHash } from 'node:crypto';
import * as nodeOs from 'node:os';
import * as path from 'node:path';

export type HostOs = 'linux' | 'darwin' | 'win32';

/** sun_path on macOS is 104 bytes including the NUL terminator. */
export const MAX_SOCKET_PATH_BYTES = 103;

export const DEFAULT_MACHINE = 'default';

const NAME_RE = /^[a-z0-9][a-z0-9-]{0,39}$/;

/** Share tags (shares.ts: `slipway<i>`) that may name a socket: short, so the length check below can reserve room for any of them. */
const SOCKET_TAG = '[a-z0-9]{1,10}';
const SOCKET_TAG_RE = new RegExp(`^${SOCKET_TAG}$`);
const SFTP_SOCKET_RE = new RegExp(`^sftp-${SOCKET_TAG}\\.sock$`);
const sftpSocketName = (tag: string) => `sftp-${tag}.sock`;
/** True for the file name of a share's virtio-serial socket in run/ (for cleaning up after a crash). */
export const isSftpSocketName = (name: string): boolean => SFTP_SOCKET_RE.test(name);
/** The socket file names in run/ checked against the limit whatever the shares are (the longest sftp one included). */
const SOCKET_NAMES = ['qmp.sock', 'docker.sock', sftpSocketName('x'.repeat(10))];

/**
 * Machine names become host names and directory names, so they are kept to
 * what is safe for both on every platform (lower case: macOS and Windows file
 * systems are case-insensitive).
 */
export function nameProblem(name: string): string | undefined {
  if (NAME_RE.test(name) && !name.endsWith('-')) return undefined;
  return (
    `"${name}" is not a valid machine name: use 1 to 40 characters, lower-case letters a-z, ` +
    'digits 0-9 and "-", starting with a letter or digit and not ending with "-" (e.g. "default", "dev-2").'
  );
}

export function validateName(name: string): string {
  const p = nameProblem(name);
  if (p) throw new Error(p);
  return name;
}

export interface RootInput {
  os: HostOs;
  env: Record<string, string | undefined>;
  homeDir: string;
}

function pathFor(os: HostOs): path.PlatformPath {
  return os === 'win32' ? path.win32 : path.posix;
}

/** The Slipway root directory: $SLIPWAY_HOME, else the platform default. */
export function slipwayRoot(input: RootInput): string {
  const p = pathFor(input.os);
  const override = input.env.SLIPWAY_HOME?.trim();
  if (override) return p.resolve(override);
  if (input.os === 'win32') {
    const local = input.env.LOCALAPPDATA?.trim() || p.join(input.homeDir, 'AppData', 'Local');
    return p.join(local, 'Slipway');
  }
  return p.join(input.homeDir, '.slipway');
}

/** The root for this process (reads the real environment). */
export function currentRoot(env: Record<string, string | undefined> = process.env): string {
  return slipwayRoot({ os: hostOs(), env, homeDir: nodeOs.homedir() });
}

export function hostOs(platform: NodeJS.Platform = process.platform): HostOs {
  if (platform === 'darwin' || platform === 'win32') return platform;
  return 'linux';
}

export interface MachinePaths {
  name: string;
  root: string;
  dir: string;
  config: string;
  dataDisk: string;
  serialLog: string;
  qemuLog: string;
  lock: string;
  seedDir: string;
  sshDir: string;
  /** Our client private key (ed25519, OpenSSH format) and its public half. */
  clientKey: string;
  clientPub: string;
  /** The guest's SSH host key, generated here and pinned; the private half goes into the seed. */
  hostKey: string;
  hostPub: string;
  /** Runtime directory (0700); may be under the temp dir, see the header. */
  runDir: string;
  runDirRelocated: boolean;
  qmpSocket: string;
  pidFile: string;
  /** Runtime facts of a running machine (ssh port, start time): written by start. */
  stateFile: string;
  agentPidFile: string;
  agentLog: string;
  /** Where the guest's Docker socket appears on the host: a unix socket path, or a named pipe on Windows. */
  dockerSocket: string;
  /** The DOCKER_HOST value for `dockerSocket`. */
  dockerHost: string;
}

export interface LayoutOptions {
  os: HostOs;
  /** The temp directory used when a socket path would be too long. */
  tmpDir: string;
  /** The host user's login name: named pipes are machine-wide on Windows, so their names carry it. */
  user?: string;
}

/**
 * The Docker pipe of machine `name` on Windows. Pipe names are global to the
 * host, so the user is part of it: two users' "default" machines never meet
 * (characters a pipe name cannot hold become "_").
 */
export function dockerPipeName(user: string, name: string): string {
  const u = user.replace(/[^A-Za-z0-9._-]/g, '_') || '_';
  return `\\\\.\\pipe\\slipway-${u}-${name}-docker`;
}

export function machinesDir(root: string, os: HostOs): string {
  return pathFor(os).join(root, 'machines');
}

/** Every path of machine `name` under `root`. Pure; creates nothing. */
export function machinePaths(root: string, name: string, opts: LayoutOptions): MachinePaths {
  validateName(name);
  const p = pathFor(opts.os);
  const dir = p.join(machinesDir(root, opts.os), name);
  const sshDir = p.join(dir, 'ssh');
  const seedDir = p.join(dir, 'seed');
  let runDir = p.join(dir, 'run');
  let runDirRelocated = false;
  const longest = (dirPath: string) => Math.max(...SOCKET_NAMES.map((f) => Buffer.byteLength(p.join(dirPath, f))));
  if (longest(runDir) > MAX_SOCKET_PATH_BYTES) {
    const hash = createHash('sha256').update(dir).digest('hex').slice(0, 12);
    runDir = p.join(opts.tmpDir, `slipway-${hash}`);
    runDirRelocated = true;
    if (longest(runDir) > MAX_SOCKET_PATH_BYTES)
      throw new Error(
        `The machine's socket paths would be longer than ${MAX_SOCKET_PATH_BYTES} bytes even under the temp directory "${opts.tmpDir}": ` +
          'set TMPDIR (or SLIPWAY_HOME) to a shorter path.',
      );
  }
  if (opts.os === 'win32' && !opts.user) throw new Error('machinePaths needs the user name on Windows (its Docker pipe name carries it).');
  const dockerSocket = opts.os === 'win32' ? dockerPipeName(opts.user!, name) : p.join(runDir, 'docker.sock');
  return {
    name,
    root,
    dir,
    config: p.join(dir, 'config.json'),
    dataDisk: p.join(dir, 'data.qcow2'),
    serialLog: p.join(dir, 'serial.log'),
    qemuLog: p.join(dir, 'qemu.log'),
    lock: p.join(dir, 'lock'),
    seedDir,
    sshDir,
    clientKey: p.join(sshDir, 'id_ed25519'),
    clientPub: p.join(sshDir, 'id_ed25519.pub'),
    hostKey: p.join(sshDir, 'host_ed25519'),
    hostPub: p.join(sshDir, 'host_ed25519.pub'),
    runDir,
    runDirRelocated,
    qmpSocket: p.join(runDir, 'qmp.sock'),
    pidFile: p.join(runDir, 'qemu.pid'),
    stateFile: p.join(runDir, 'state.json'),
    agentPidFile: p.join(runDir, 'agent.pid'),
    agentLog: p.join(dir, 'agent.log'),
    dockerSocket,
    dockerHost: opts.os === 'win32' ? `npipe://${dockerSocket.replace(/\\/g, '/')}` : `unix://${dockerSocket}`,
  };
}

/**
 * The unix socket QEMU listens on for the virtio-serial port that carries sshfs
 * share `tag`'s SFTP stream (qemuArgs.ts; sshfsMounts.ts connects to it). Not
 * used on Windows, where the SSH channel carries the stream instead.
 */
export function sftpSocketPath(paths: Pick<MachinePaths, 'runDir'>, tag: string, os: HostOs): string {
  if (!SOCKET_TAG_RE.test(tag)) throw new Error(`The share tag "${tag}" cannot name a socket: use 1 to 10 characters a-z, 0-9.`);
  return pathFor(os).join(paths.runDir, sftpSocketName(tag));
}

/** Paths for this process's host (real temp dir and platform). */
export function localMachinePaths(root: string, name: string): MachinePaths {
  return machinePaths(root, name, { os: hostOs(), tmpDir: nodeOs.tmpdir(), user: localUserName() });
}

function localUserName(): string {
  try {
    return nodeOs.userInfo().username;
  } catch {
    return process.env.USERNAME ?? process.env.USER ?? 'user';
  }
}
