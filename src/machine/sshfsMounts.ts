// The sshfs shares of a running machine (reverse-sshfs): for each one, an SSH
// exec channel runs `sshfs -o passive` in the guest, and this process serves
// SFTP from the host folder over that very channel (sftp/server.ts, confined to
// the share). The mounts live as long as the session that holds them; after a
// reconnect they are mounted again. A share another live session already
// serves is left alone; a dead one (its server gone) is cleared first.

import type { ClientChannel } from 'ssh2';
import { Emitter } from '../engine/emitter';
import { serveSftp, type SftpService } from './sftp/server';
import { sshfsPassiveArgv } from './sftp/sshfsArgv';
import type { ResolvedShare } from './shares';
import { openExecChannel, type SshSession } from './ssh';

export type ShareEvent =
  | { kind: 'share-mounted'; guestPath: string; mechanism: 'sshfs'; servedBy: 'this' | 'another session' }
  | { kind: 'share-lost'; guestPath: string; error: Error };

interface Mounted {
  share: ResolvedShare;
  channel: ClientChannel;
  service: SftpService;
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

export class SshfsMounts {
  private readonly onEventEmitter = new Emitter<ShareEvent>();
  readonly onEvent = this.onEventEmitter.event;
  private readonly mounted = new Map<string, Mounted>();
  private disposed = false;
  private stateSub: { dispose(): void } | undefined;

  /**
   * @param owner the guest user: files are presented as theirs.
   * @param asRoot true when the SSH user is root (no sudo needed to mount).
   */
  constructor(
    private readonly ssh: SshSession,
    private readonly shares: readonly ResolvedShare[],
    private readonly owner: { uid: number; gid: number },
    private readonly asRoot: boolean,
  ) {}

  /** Mounts every sshfs share now and again after each reconnect. Rejects with the failures of the first round. */
  async start(): Promise<void> {
    this.stateSub = this.ssh.onState((s) => {
      if (s.kind === 'connected' && s.reconnected) void this.mountAll().catch(() => undefined);
    });
    await this.mountAll();
  }

  private async mountAll(): Promise<void> {
    const errors: Error[] = [];
    for (const share of this.shares) {
      if (share.mechanism !== 'sshfs' || this.mounted.has(share.guestPath)) continue;
      try {
        await this.mountOne(share);
      } catch (err) {
        errors.push(err as Error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length) throw new AggregateError(errors, errors.map((e) => e.message).join(' '));
  }

  private sudo(argv: string[]): string[] {
    return this.asRoot ? argv : ['sudo', '-n', ...argv];
  }

  private async isMounted(guestPath: string): Promise<boolean> {
    const r = await this.ssh.exec(['cat', '/proc/mounts']);
    return parseProcMounts(r.stdout).some((m) => m.path === guestPath && m.type.startsWith('fuse'));
  }

  private async mountOne(share: ResolvedShare): Promise<void> {
    if (await this.isMounted(share.guestPath)) {
      // Alive (another window or the agent serves it) or dead (its server went away)?
      if ((await this.ssh.exec(['stat', '-c', '%i', share.guestPath])).code === 0) {
        this.onEventEmitter.fire({ kind: 'share-mounted', guestPath: share.guestPath, mechanism: 'sshfs', servedBy: 'another session' });
        return;
      }
      await this.ssh.exec(this.sudo(['fusermount3', '-uz', share.guestPath]));
    }
    const client = await this.ssh.ready();
    await this.ssh.exec(this.sudo(['mkdir', '-p', share.guestPath]));
    const channel = await openExecChannel(client, this.sudo(sshfsPassiveArgv({ guestRoot: share.guestPath, readOnly: share.readOnly })));
    let stderr = '';
    channel.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    const service = serveSftp(channel, { hostRoot: share.hostPath, guestRoot: share.guestPath, readOnly: share.readOnly, owner: this.owner });
    const entry: Mounted = { share, channel, service };
    this.mounted.set(share.guestPath, entry);
    let closed = false;
    channel.on('close', () => {
      closed = true;
      if (this.mounted.get(share.guestPath) === entry) this.mounted.delete(share.guestPath);
      service.close();
      if (!this.disposed)
        this.onEventEmitter.fire({ kind: 'share-lost', guestPath: share.guestPath, error: new Error(`The shared folder "${share.hostPath}" (sshfs) was unmounted${stderr.trim() ? `: ${stderr.trim()}` : ''}.`) });
    });
    // sshfs mounts once the SFTP handshake is done; wait until the kernel lists it.
    const deadline = Date.now() + 30_000;
    while (!(await this.isMounted(share.guestPath))) {
      if (closed || Date.now() > deadline) {
        channel.close();
        throw new Error(`Could not mount the shared folder "${share.hostPath}" at "${share.guestPath}" with sshfs${stderr.trim() ? `: ${stderr.trim()}` : ' (no error output; see the guest log)'}.`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    this.onEventEmitter.fire({ kind: 'share-mounted', guestPath: share.guestPath, mechanism: 'sshfs', servedBy: 'this' });
  }

  /** Stops serving: sshfs in the guest sees end of input, exits and unmounts. */
  dispose(): void {
    this.disposed = true;
    this.stateSub?.dispose();
    for (const m of this.mounted.values()) {
      m.service.close();
      m.channel.close();
    }
    this.mounted.clear();
    this.onEventEmitter.dispose();
  }
}
