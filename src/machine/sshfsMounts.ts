// The sshfs shares of a running machine (reverse-sshfs): for each one, an SSH
// exec channel runs `sshfs -o passive` in the guest, and this process serves
// SFTP from the host folder (sftp/server.ts, confined to the share) over one of
// two transports:
// - virtio-serial (Linux and macOS hosts): the share's own QEMU virtio-serial
//   port, whose host end is a unix socket (qemuArgs.ts, layout.ts). sshfs's
//   stdin/stdout are the port device; the exec channel only carries its stderr
//   and its lifetime. This skips the guest's sshd, whose encryption on an
//   emulated CPU capped the SSH channel at about 5 MB/s.
// - ssh: the exec channel itself carries the stream. Used on Windows (Node
//   cannot connect to AF_UNIX sockets there, and QEMU's named pipes get a
//   default DACL) and for machines started before the ports existed.
// The mounts live as long as the session that holds them: when the exec
// channel closes the port socket is closed too, sshfs reads end of file, exits
// and the kernel unmounts; should sshfs be stuck, the guest script kills it
// when its channel closes (PORT_SCRIPT).
//
// How a port behaves, measured with QEMU 7.2 and Debian's 6.12 kernel: while
// no host end is connected, a guest read returns end of file at once and a
// guest write blocks (so sshfs's first request waits for us; we connect
// before starting it). A reader sees end of file within ~0.1 s of the host end
// closing. Nothing crosses from one host connection to the next: what the host
// wrote and the guest had not read is dropped when the guest closes the port,
// and what the guest wrote while the host stopped reading is not delivered to
// the next connection. The marker line (PORT_SCRIPT) guards against it anyway.
// A second host connection is accepted by the kernel but QEMU serves it only
// after the first closes. After a reconnect they are mounted again. A share
// another live session already serves is left alone (it holds the port: QEMU
// lets a second client connect but never serves it); a dead one (its server
// gone) is cleared first.

import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import type { ClientChannel } from 'ssh2';
import { Emitter } from '../base/emitter';
import { sftpPortName } from './qemuArgs';
import { serveSftp, type SftpService } from './sftp/server';
import { sshfsPassiveArgv } from './sftp/sshfsArgv';
import type { ResolvedShare } from './shares';
import { openExecChannel } from '../ssh/exec';
import { type SshSession } from '../ssh/session';

/** What carries a share's SFTP stream (see the header). */
export type ShareTransport = 'virtio-serial' | 'ssh';

export type ShareEvent =
  | { kind: 'share-mounted'; guestPath: string; mechanism: 'sshfs'; servedBy: 'this'; transport: ShareTransport }
  | { kind: 'share-mounted'; guestPath: string; mechanism: 'sshfs'; servedBy: 'another session' }
  | { kind: 'share-lost'; guestPath: string; error: Error; retryInMs?: number };

interface Mounted {
  share: ResolvedShare;
  channel: ClientChannel;
  service: SftpService;
  port?: net.Socket;
  /** Date.now() when the kernel listed it. */
  since?: number;
}

/**
 * Runs in the guest as `sh -c PORT_SCRIPT sh <port name> <marker> <mount
 * point> sshfs …`: finds the virtio-serial port by name without udev (the
 * guest has none; the kernel's devtmpfs creates /dev/vportNpM), writes the
 * marker line so the host can skip anything a previous sshfs left in flight,
 * then runs sshfs with stdin and stdout on the port. The device is opened
 * once, read-write: the kernel lets one process at a time open a port. Values
 * are positional parameters, never part of the script. virtio_console is
 * built into Debian's kernel; the modprobe is for kernels that build it as a
 * module.
 *
 * The exec channel's stdin ties sshfs to the host session: when the host
 * closes the channel (the session ends, the SSH connection drops), the
 * watcher reads end of file and kills sshfs, and the dead mount is detached.
 * sshfs cannot be trusted to exit by itself then: one caught writing a
 * request when the host end went away blocks in that write for ever (writes
 * to a port wait for a host end), never reads the end of file, and wedges the
 * mount, every process using it, and the port for the next session. Once
 * both are started the script's own output goes nowhere: after the channel
 * closes, a message (dash reports a killed job) would end it by SIGPIPE
 * before it detaches the mount.
 */
export const PORT_SCRIPT = `set -e
[ -d /sys/class/virtio-ports ] || modprobe virtio_console
port=$1 marker=$2 mnt=$3
shift 3
for d in /sys/class/virtio-ports/*; do
  [ "$(cat "$d/name" 2>/dev/null)" = "$port" ] || continue
  exec 3<>"/dev/\${d##*/}" 4<&0
  printf '%s\\n' "$marker" >&3
  "$@" <&3 >&3 3>&- 4<&- &
  server=$!
  exec 3>&-
  (while read -r _; do :; done; kill -9 "$server") <&4 >/dev/null 2>&1 &
  watcher=$!
  exec 4<&- >/dev/null 2>&1
  set +e
  wait "$server"
  status=$?
  kill "$watcher" 2>/dev/null
  [ "$status" != 137 ] || fusermount3 -uz "$mnt" 2>/dev/null
  exit "$status"
done
echo "no virtio-serial port named $port in /sys/class/virtio-ports" >&2
exit 1
`;

/**
 * Connects to the port's unix socket and resolves once `marker` arrives (the
 * guest script found the port); the socket is left paused with whatever
 * followed the marker put back. Bytes before the marker are discarded: a
 * previous sshfs's requests that were still in QEMU when its host end closed.
 */
export function connectPort(socketPath: string, marker: string, aborted: Promise<Error>, timeoutMs = 30_000): Promise<{ socket: net.Socket; connected: Promise<void> }> {
  return new Promise((resolveConnect, rejectConnect) => {
    const socket = net.connect(socketPath);
    socket.once('error', rejectConnect);
    socket.once('connect', () => {
      socket.off('error', rejectConnect);
      const connected = new Promise<void>((resolve, reject) => {
        const want = Buffer.from(`${marker}\n`);
        let seen = Buffer.alloc(0);
        const fail = (e: Error) => {
          cleanup();
          socket.destroy();
          reject(e);
        };
        const onData = (d: Buffer) => {
          seen = Buffer.concat([seen, d]);
          const at = seen.indexOf(want);
          if (at < 0) {
            seen = seen.subarray(Math.max(0, seen.length - want.length));
            return;
          }
          cleanup();
          socket.pause();
          const rest = seen.subarray(at + want.length);
          if (rest.length) socket.unshift(rest);
          resolve();
        };
        const onEnd = () => fail(new Error('the port closed before the guest answered'));
        const timer = setTimeout(() => fail(new Error(`the guest did not answer on the port within ${timeoutMs / 1000} s`)), timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          socket.off('data', onData);
          socket.off('end', onEnd);
          socket.off('error', fail);
        };
        socket.on('data', onData);
        socket.on('end', onEnd);
        socket.on('error', fail);
        void aborted.then(fail);
      });
      resolveConnect({ socket, connected });
    });
  });
}

/** Decodes a /proc/mounts field (octal escapes for space, tab, newline, backslash). */
export function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** The mount points and types listed in /proc/mounts text. */
export function parseProcMounts(text: string): { path: string; type: string }[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const f = line.split(' ');
      return { path: unescapeMountField(f[1] ?? ''), type: f[2] ?? '' };
    });
}

/**
 * The kernel's read-ahead for each sshfs mount, in KiB. FUSE starts at 128,
 * and sshfs (its `max_readahead` can only lower it) turns each read-ahead
 * window into requests that wait for one another's replies; with 1 MiB more
 * of them are in flight. Measured under TCG, 256 MiB read over the port:
 * 38-42 MB/s at 128 KiB, 55-86 at 1024, no better at 4096 or 16384.
 */
const READAHEAD_KIB = 1024;

/** Sets `$2` KiB of read-ahead on the mount at `$1` (its backing device, found by `mountpoint -d`). */
export const READAHEAD_SCRIPT = 'echo "$2" > "/sys/class/bdi/$(mountpoint -d "$1")/read_ahead_kb"';

/** How long a mount found at session start gets to answer a `stat` before it counts as dead. */
const LIVENESS_TIMEOUT_S = 10;

/**
 * A share whose sshfs ended while its session goes on is mounted again after
 * REMOUNT_FIRST_MS, doubling up to REMOUNT_MAX_MS while attempts fail or the
 * new mounts keep ending within REMOUNT_MAX_MS.
 */
const REMOUNT_FIRST_MS = 1_000;
const REMOUNT_MAX_MS = 60_000;

export class SshfsMounts {
  private readonly onEventEmitter = new Emitter<ShareEvent>();
  readonly onEvent = this.onEventEmitter.event;
  private readonly mounted = new Map<string, Mounted>();
  /** Shares being mounted now (by start, a reconnect or a retry): nobody else starts them. */
  private readonly mounting = new Set<string>();
  private readonly retries = new Map<string, { attempt: number; timer?: NodeJS.Timeout }>();
  private disposed = false;
  private stateSub: { dispose(): void } | undefined;

  /**
   * @param owner the guest user: files are presented as theirs.
   * @param asRoot true when the SSH user is root (no sudo needed to mount).
   * @param shares sshfs shares; those with `sftpSocket` are served over their
   *   virtio-serial port unless `transport` says 'ssh' for them.
   * @param transport which transport a share may use ('auto': its port when
   *   it has one); for tests and benchmarks that compare them.
   */
  constructor(
    private readonly ssh: SshSession,
    private readonly shares: readonly ResolvedShare[],
    private readonly owner: { uid: number; gid: number },
    private readonly asRoot: boolean,
    private readonly transport: (share: ResolvedShare) => 'auto' | 'ssh' = () => 'auto',
  ) {}

  /**
   * Mounts every sshfs share now and again after each reconnect. Rejects with
   * the failures of the first round; those shares are tried again later
   * (retryLater), like shares whose sshfs ends.
   */
  async start(): Promise<void> {
    this.stateSub = this.ssh.onState((s) => {
      if (s.kind === 'connected' && s.reconnected) void this.mountAll().catch(() => undefined);
    });
    await this.mountAll();
  }

  private async mountAll(): Promise<void> {
    const errors: Error[] = [];
    for (const share of this.shares) {
      if (share.mechanism !== 'sshfs') continue;
      try {
        await this.mountIfIdle(share);
      } catch (err) {
        errors.push(err as Error);
        // Unless a mount that ended while being set up already did.
        if (!this.disposed && !this.retries.get(share.guestPath)?.timer) this.retryLater(share);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length) throw new AggregateError(errors, errors.map((e) => e.message).join(' '));
  }

  private async mountIfIdle(share: ResolvedShare): Promise<void> {
    if (this.disposed || this.mounted.has(share.guestPath) || this.mounting.has(share.guestPath)) return;
    this.mounting.add(share.guestPath);
    try {
      await this.mountOne(share);
    } finally {
      this.mounting.delete(share.guestPath);
    }
  }

  /** After a loss or a failed retry: tries again later (REMOUNT_*); returns the delay. */
  private retryLater(share: ResolvedShare): number {
    const retry = this.retries.get(share.guestPath) ?? { attempt: 0 };
    clearTimeout(retry.timer);
    const delay = Math.min(REMOUNT_MAX_MS, REMOUNT_FIRST_MS * 2 ** retry.attempt);
    retry.attempt++;
    retry.timer = setTimeout(() => {
      retry.timer = undefined;
      this.mountIfIdle(share).catch((err: Error) => {
        // A mount that ended while being set up has already scheduled the next try.
        if (this.disposed || this.mounted.has(share.guestPath) || retry.timer) return;
        const retryInMs = this.retryLater(share);
        this.onEventEmitter.fire({ kind: 'share-lost', guestPath: share.guestPath, error: err, retryInMs });
      });
    }, delay);
    this.retries.set(share.guestPath, retry);
    return delay;
  }

  private sudo(argv: string[]): string[] {
    return this.asRoot ? argv : ['sudo', '-n', ...argv];
  }

  private async isMounted(guestPath: string): Promise<boolean> {
    const r = await this.ssh.exec(['cat', '/proc/mounts']);
    return parseProcMounts(r.stdout).some((m) => m.path === guestPath && m.type.startsWith('fuse'));
  }

  private async mountOne(share: ResolvedShare): Promise<void> {
    // Before touching the port: a live mount means another session holds it.
    if (await this.isMounted(share.guestPath)) {
      // Alive (another window or the agent serves it) or dead (its server went away)?
      // Bounded: a wedged FUSE mount never answers, and SIGKILL is what ends a waiting request.
      if ((await this.ssh.exec(['timeout', '-s', 'KILL', String(LIVENESS_TIMEOUT_S), 'stat', '-c', '%i', share.guestPath])).code === 0) {
        this.onEventEmitter.fire({ kind: 'share-mounted', guestPath: share.guestPath, mechanism: 'sshfs', servedBy: 'another session' });
        return;
      }
      await this.ssh.exec(this.sudo(['fusermount3', '-uz', share.guestPath]));
    }
    const client = await this.ssh.ready();
    await this.ssh.exec(this.sudo(['mkdir', '-p', share.guestPath]));
    const sshfs = sshfsPassiveArgv({ guestRoot: share.guestPath, readOnly: share.readOnly });

    // The port's socket first: the guest's writes to the port wait until a host end is connected.
    let port: { socket: net.Socket; connected: Promise<void> } | undefined;
    let channelGone!: (e: Error) => void;
    const aborted = new Promise<Error>((r) => (channelGone = r));
    const marker = `slipway-sftp ${randomBytes(16).toString('hex')}`;
    // No socket, or nothing listening on it: the SSH channel carries the stream instead.
    if (share.sftpSocket && this.transport(share) === 'auto') port = await connectPort(share.sftpSocket, marker, aborted).catch(() => undefined);
    // Awaited below once the guest command runs; this keeps an early failure from going unhandled.
    port?.connected.catch(() => undefined);
    const transport: ShareTransport = port ? 'virtio-serial' : 'ssh';
    const argv = port ? ['sh', '-c', PORT_SCRIPT, 'sh', sftpPortName(share.tag), marker, share.guestPath, ...sshfs] : sshfs;
    let channel: ClientChannel;
    try {
      channel = await openExecChannel(client, this.sudo(argv));
    } catch (err) {
      channelGone(err as Error);
      throw err;
    }
    // Over the port nothing reads the channel's (empty) output, and ssh2 emits 'close' only after its 'end'.
    if (port) channel.resume();
    let stderr = '';
    channel.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    const failed = (why: string) =>
      new Error(`Could not mount the shared folder "${share.hostPath}" at "${share.guestPath}" with sshfs over ${transport}${stderr.trim() ? `: ${stderr.trim()}` : ` (${why}; see the guest log)`}.`);
    let closed = false;
    let service: SftpService | undefined;
    let entry: Mounted | undefined;
    channel.on('close', () => {
      closed = true;
      channelGone(new Error('the command in the guest ended'));
      port?.socket.destroy();
      service?.close();
      if (!entry) return;
      if (this.mounted.get(share.guestPath) === entry) this.mounted.delete(share.guestPath);
      if (this.disposed) return;
      // A mount that lasted starts the back-off again.
      if (entry.since !== undefined && Date.now() - entry.since >= REMOUNT_MAX_MS) this.retries.delete(share.guestPath);
      const retryInMs = this.retryLater(share);
      const error = new Error(`The shared folder "${share.hostPath}" (sshfs over ${transport}) was unmounted${stderr.trim() ? `: ${stderr.trim()}` : ''}.`);
      this.onEventEmitter.fire({ kind: 'share-lost', guestPath: share.guestPath, error, retryInMs });
    });
    const opts = { hostRoot: share.hostPath, guestRoot: share.guestPath, readOnly: share.readOnly, owner: this.owner };
    if (port) {
      const socket = port.socket;
      try {
        await port.connected;
      } catch (err) {
        channel.close();
        throw failed((err as Error).message);
      }
      service = serveSftp(socket, opts);
      socket.resume();
      // The host end going away (QEMU exited, a socket error) ends the mount like a closed channel.
      socket.on('close', () => channel.close());
    } else {
      service = serveSftp(channel, opts);
    }
    if (closed) {
      service.close();
      throw failed('the command in the guest ended');
    }
    entry = { share, channel, service, port: port?.socket };
    this.mounted.set(share.guestPath, entry);
    // sshfs mounts once the SFTP handshake is done; wait until the kernel lists it.
    const deadline = Date.now() + 30_000;
    while (!(await this.isMounted(share.guestPath))) {
      if (closed || Date.now() > deadline) {
        channel.close();
        throw failed('no error output');
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    entry.since = Date.now();
    // Best effort: a mount without it works, only reads more slowly.
    await this.ssh.exec(this.sudo(['sh', '-c', READAHEAD_SCRIPT, 'sh', share.guestPath, String(READAHEAD_KIB)])).catch(() => undefined);
    this.onEventEmitter.fire({ kind: 'share-mounted', guestPath: share.guestPath, mechanism: 'sshfs', servedBy: 'this', transport });
  }

  /** Stops serving: sshfs in the guest sees end of input, exits and unmounts. */
  dispose(): void {
    this.disposed = true;
    this.stateSub?.dispose();
    for (const r of this.retries.values()) clearTimeout(r.timer);
    this.retries.clear();
    for (const m of this.mounted.values()) {
      m.service.close();
      m.port?.destroy();
      m.channel.close();
    }
    this.mounted.clear();
    this.onEventEmitter.dispose();
  }
}
