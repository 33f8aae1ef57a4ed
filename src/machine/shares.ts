// Shared folders: host directories that appear inside a machine at the same
// path (the boot2docker promise: `docker run -v /Users/me/app:/app` works as if
// the engine were local). Pure functions: what is shared by default, how a host
// path maps to a guest path, validation, which mechanism serves each share, and
// whether a bind-mount source lies inside a share. Mounting happens elsewhere:
// virtio-9p shares are QEMU devices (qemuArgs.ts) mounted by the guest at boot
// (vm-images/rootfs/usr/lib/slipway/mounts); sshfs shares are served over SSH by
// the session (sftp/ and session.ts).

import * as path from 'node:path';
import type { HostOs } from './layout';

/** How a share reaches the guest. */
export type ShareMechanism = '9p' | 'sshfs';
/** What the user asks for; "auto" picks virtio-9p when the host QEMU has it, else sshfs. */
export type ShareMechanismChoice = 'auto' | ShareMechanism;
export const SHARE_MECHANISMS: readonly ShareMechanismChoice[] = ['auto', '9p', 'sshfs'];

export interface Share {
  /** Absolute host directory (a Windows path on Windows). */
  hostPath: string;
  /** Absolute POSIX path in the guest; the same as hostPath except on Windows (see guestPathFor). */
  guestPath: string;
  readOnly: boolean;
  mechanism: ShareMechanismChoice;
}

/** A share with its mechanism decided for this host, as the running machine uses it. */
export interface ResolvedShare extends Omit<Share, 'mechanism'> {
  mechanism: ShareMechanism;
  /** virtio-9p mount tag (also names the share in the seed and its virtio-serial port). */
  tag: string;
  /**
   * sshfs shares: the host unix socket of the virtio-serial port that carries
   * the share's SFTP stream (set at start; absent on Windows and for machines
   * started by an older version, which use the SSH channel).
   */
  sftpSocket?: string;
}

export interface ShareProblem {
  path: string;
  message: string;
}

/**
 * The guest path of a host path. macOS and Linux paths are used as they are.
 * Windows paths follow boot2docker's convention, which Docker Toolbox users
 * know: `C:\Users\me\app` → `/c/Users/me/app` (drive letter in lower case).
 */
export function guestPathFor(hostPath: string, os: HostOs): string {
  if (os !== 'win32') return path.posix.normalize(hostPath).replace(/(.)\/$/, '$1');
  const m = /^([A-Za-z]):[\\/]?(.*)$/.exec(hostPath);
  if (!m) throw new Error(`"${hostPath}" is not an absolute Windows path with a drive letter (e.g. C:\\Users\\me).`);
  const rest = m[2].replace(/\\/g, '/').replace(/\/+/g, '/').replace(/\/$/, '');
  return `/${m[1].toLowerCase()}${rest ? `/${rest}` : ''}`;
}

/**
 * What a new machine shares: the folder that holds users' homes on macOS
 * (`/Users`, as Docker Desktop does), the user profile on Windows, and the home
 * directory on Linux.
 */
export function defaultShares(os: HostOs, homeDir: string): Share[] {
  const hostPath = os === 'darwin' ? '/Users' : homeDir;
  let guestPath: string;
  try {
    guestPath = guestPathFor(hostPath, os);
  } catch {
    return [];
  }
  // A home in an odd place (e.g. under /var) cannot be mounted at the same path: share nothing by default.
  return guestPathProblem(guestPath) ? [] : [{ hostPath, guestPath, readOnly: false, mechanism: 'auto' }];
}

/** Guest directories a share must not cover (be or contain): the guest needs them. */
const NOT_COVERED = ['/bin', '/boot', '/dev', '/etc', '/lib', '/lib64', '/proc', '/run', '/sbin', '/sys', '/usr', '/var', '/mnt/slipway-data', '/tmp'];
/**
 * Guest directories a share must not sit inside either. Elsewhere a share may
 * sit inside a guest folder (e.g. macOS's temp folders under /var/folders, or
 * /tmp/x): it only hides that subfolder of the guest's own files.
 */
const NOT_INSIDE = ['/bin', '/boot', '/dev', '/etc', '/lib', '/lib64', '/proc', '/run', '/sbin', '/sys', '/usr', '/var/lib/docker', '/var/lib/containerd', '/var/run', '/mnt/slipway-data'];

function hostPathApi(os: HostOs): path.PlatformPath {
  return os === 'win32' ? path.win32 : path.posix;
}

/** Every problem of `value` as a list of shares, with field paths like `shares[1].hostPath`. */
export function validateShares(value: unknown, os: HostOs): ShareProblem[] {
  const problems: ShareProblem[] = [];
  const add = (p: string, message: string) => problems.push({ path: p, message });
  if (!Array.isArray(value)) return [{ path: 'shares', message: 'must be a list of { hostPath, guestPath?, readOnly?, mechanism? }' }];
  const seen: { guest: string; at: string }[] = [];
  value.forEach((s, i) => {
    const at = `shares[${i}]`;
    if (typeof s !== 'object' || s === null || Array.isArray(s)) return add(at, 'must be an object with hostPath');
    const o = s as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!['hostPath', 'guestPath', 'readOnly', 'mechanism'].includes(k)) add(`${at}.${k}`, 'unknown field (known: hostPath, guestPath, readOnly, mechanism)');
    const api = hostPathApi(os);
    if (typeof o.hostPath !== 'string' || !api.isAbsolute(o.hostPath) || /[\0\n]/.test(o.hostPath)) add(`${at}.hostPath`, 'must be an absolute host path');
    if (o.readOnly !== undefined && typeof o.readOnly !== 'boolean') add(`${at}.readOnly`, 'must be true or false');
    if (o.mechanism !== undefined && !SHARE_MECHANISMS.includes(o.mechanism as ShareMechanismChoice))
      add(`${at}.mechanism`, `must be one of ${SHARE_MECHANISMS.map((m) => `"${m}"`).join(', ')}`);
    if (o.mechanism === '9p' && os === 'win32') add(`${at}.mechanism`, 'virtio-9p is not available with QEMU on Windows; use "sshfs" or "auto"');
    const guest = o.guestPath;
    if (typeof guest !== 'string') return;
    const problem = guestPathProblem(guest);
    if (problem) return add(`${at}.guestPath`, problem);
    for (const other of seen)
      if (within(guest, other.guest) || within(other.guest, guest)) add(`${at}.guestPath`, `"${guest}" overlaps ${other.at} ("${other.guest}"); shares may not be nested`);
    seen.push({ guest, at });
  });
  return problems;
}

function guestPathProblem(p: string): string | undefined {
  if (!p.startsWith('/') || /[\0\n\r]/.test(p)) return 'must be an absolute guest path';
  if (path.posix.normalize(p) !== p.replace(/(.)\/$/, '$1')) return `"${p}" must be a normalized path (no "." or ".." parts, no repeated "/")`;
  if (p === '/') return 'must not be "/" (the guest needs its own root)';
  for (const r of NOT_COVERED) if (within(r, p)) return `"${p}" would cover the guest's own "${r}"; choose another guest path`;
  for (const r of NOT_INSIDE) if (within(p, r)) return `"${p}" is inside the guest's own "${r}"; choose another guest path`;
  return undefined;
}

/** True when `p` is `dir` or inside it (POSIX paths). */
function within(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}

/** Fills guestPath/readOnly/mechanism of shares read from config.json (validate first). */
export function withShareDefaults(shares: readonly Partial<Share>[], os: HostOs): Share[] {
  return shares.map((s) => ({
    hostPath: s.hostPath as string,
    guestPath: s.guestPath ?? guestPathFor(s.hostPath as string, os),
    readOnly: s.readOnly ?? false,
    mechanism: s.mechanism ?? 'auto',
  }));
}

/**
 * Decides each share's mechanism on this host: "auto" is virtio-9p when the
 * host QEMU has the device (it is faster and needs no host process), else
 * sshfs. An explicit "9p" without host support is an error, not a silent fallback.
 */
export function resolveShares(shares: readonly Share[], host: { virtfs: boolean }): ResolvedShare[] {
  return shares.map((s, i) => {
    if (s.mechanism === '9p' && !host.virtfs)
      throw new Error(`The share "${s.hostPath}" asks for virtio-9p, but this QEMU has no virtio-9p device; set its mechanism to "sshfs" or "auto".`);
    const mechanism: ShareMechanism = s.mechanism === 'auto' ? (host.virtfs ? '9p' : 'sshfs') : s.mechanism;
    return { hostPath: s.hostPath, guestPath: s.guestPath, readOnly: s.readOnly, mechanism, tag: `slipway${i}` };
  });
}

/** The seed lines (vm-images/CONTRACT.md): `mount=<mechanism> <tag> <ro|rw> <guest path>`; the path is last so it may hold spaces. */
export function seedMountLines(shares: readonly ResolvedShare[]): string[] {
  return shares.map((s) => `${s.mechanism} ${s.tag} ${s.readOnly ? 'ro' : 'rw'} ${s.guestPath}`);
}

/** The share holding host path `p` (compared case-insensitively on macOS and Windows), if any. */
export function shareContaining<S extends Pick<Share, 'hostPath'>>(p: string, shares: readonly S[], os: HostOs): S | undefined {
  const api = hostPathApi(os);
  const fold = (x: string) => (os === 'linux' ? x : x.toLowerCase());
  const target = fold(api.resolve(p));
  return shares.find((s) => {
    const root = fold(api.resolve(s.hostPath));
    const rel = api.relative(root, target);
    return rel === '' || (!rel.startsWith('..') && !api.isAbsolute(rel));
  });
}

/**
 * The host source of a `docker run -v` / compose short-syntax volume when it
 * is a bind mount (`/abs:…`, `./rel:…`, `~/x:…`, `C:\x:…`); undefined for a
 * named or anonymous volume. `~` is left for the caller to expand.
 */
export function bindSourceOf(volume: string): string | undefined {
  const drive = /^[A-Za-z]:[\\/]/.test(volume);
  const colon = volume.indexOf(':', drive ? 2 : 0);
  if (colon < 0) return undefined; // `/data` alone is an anonymous volume at that container path
  const src = volume.slice(0, colon);
  return drive || src.startsWith('/') || src.startsWith('.') || src.startsWith('~') ? src : undefined;
}

/**
 * Bind-mount sources that no share covers. Inside the machine such a mount is
 * silently an empty directory, the classic support question; callers warn.
 * Relative sources are resolved against `baseDir` (a compose file's folder).
 */
export function bindSourcesOutsideShares(sources: readonly string[], shares: readonly Pick<Share, 'hostPath'>[], os: HostOs, baseDir?: string): string[] {
  const api = hostPathApi(os);
  const out: string[] = [];
  for (const src of sources) {
    const abs = api.isAbsolute(src) ? api.normalize(src) : baseDir ? api.resolve(baseDir, src) : undefined;
    if (abs && !shareContaining(abs, shares, os) && !out.includes(abs)) out.push(abs);
  }
  return out;
}

/** The guest path of host path `p` when it lies in a share (used to run builds and compose next to the files). */
export function guestPathInShares(p: string, shares: readonly Share[], os: HostOs): string | undefined {
  const share = shareContaining(p, shares, os);
  if (!share) return undefined;
  const api = hostPathApi(os);
  const rel = api.relative(api.resolve(share.hostPath), api.resolve(p));
  return rel ? path.posix.join(share.guestPath, rel.split(api.sep).join('/')) : share.guestPath;
}
