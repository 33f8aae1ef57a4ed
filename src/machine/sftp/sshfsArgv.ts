// The guest half of reverse-sshfs: the sshfs command that mounts a share over
// SFTP spoken on its own stdin/stdout (the SSH exec channel whose other end is
// serveSftp on the host). Pure; the caller adds `sudo -n` and runs it.

import type { SftpShare } from './server';

/**
 * Mount options (sshfs 3.7.3 with Debian's contain_symlinks patch, as in
 * bookworm and trixie), each for a reason:
 * - `passive`: SFTP over stdin/stdout instead of starting ssh (no max_conns:
 *   sshfs refuses it with passive).
 * - `-f` (foreground): the mount lives exactly as long as the channel; when
 *   the host closes it, sshfs sees EOF, exits and the kernel unmounts.
 * - `allow_other`: containers running as any uid can use the folder (we run as
 *   root, so /etc/fuse.conf's user_allow_other is not needed). Without
 *   `default_permissions` the kernel does not check mode bits against the
 *   presented owner: the host decides, as the host user, like Docker Desktop.
 * - `dir_cache=no`: sshfs's own cache of names and attributes (20 s by default)
 *   would hide host changes; without it each lookup asks the host.
 * - `attr_timeout=1,entry_timeout=1,negative_timeout=0`: FUSE's kernel caches
 *   kept at 1 s (its defaults, spelled out): a host change shows within 1 s,
 *   and a file the guest just created or deleted is seen at once (the guest's
 *   own changes update the kernel's cache). 0 would double the round trips of
 *   a `stat` after `open`; bench/sftp.bench.ts shows the difference.
 * - `no_contain_symlinks`: present symlinks raw, as virtio-9p does. Debian's
 *   default refuses to readlink absolute targets or ones containing `..`
 *   (EPERM), which breaks node_modules/.bin and the like; the host server is
 *   trusted and confines itself, and the guest follows links in its own tree.
 * - `ro` for read-only shares, so the guest kernel refuses writes early (the
 *   server refuses them as well).
 * - `fsname`/`subtype` make `mount` and `df` say what it is.
 */
export function sshfsPassiveArgv(share: Pick<SftpShare, 'guestRoot' | 'readOnly'>): string[] {
  const options = [
    'passive',
    'allow_other',
    'dir_cache=no',
    'attr_timeout=1',
    'entry_timeout=1',
    'negative_timeout=0',
    'no_contain_symlinks',
    `fsname=slipway:${share.guestRoot.replace(/[,\\]/g, '_')}`,
    'subtype=slipway',
    ...(share.readOnly ? ['ro'] : []),
  ];
  // "slipway:" is the host part sshfs wants; in passive mode it is not used.
  return ['sshfs', `slipway:${share.guestRoot}`, share.guestRoot, '-f', '-o', options.join(',')];
}
