// Confinement of SFTP paths to a share root, the pure half: a path from the
// wire (a guest path, POSIX) is normalized lexically and mapped to a host path
// under hostRoot, or refused. The file-system half (symlinks in intermediate
// components, following a final symlink) is in server.ts and uses `isInside`.
//
// Lexical `..` is safe here: the result always stays under the root, and the
// guest never sends a path through a symlink it has not resolved itself (the
// guest kernel follows symlinks; sshfs sends resolved paths).

import * as path from 'node:path';

export type PathFlavor = typeof path.posix | typeof path.win32;

export interface MappedPath {
  /** Normalized absolute guest path. */
  guest: string;
  /** Components below the root ([] is the root itself). */
  rel: string[];
  /** The host path those components name. */
  host: string;
}

/** Windows device names: `C:\share\NUL.txt` opens a device, not a file. */
const WIN_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/** Whether `segment` is a single, plain name on the host (never a separator, drive, stream or device). */
export function safeSegment(segment: string, flavor: PathFlavor): boolean {
  if (!segment || segment === '.' || segment === '..' || segment.includes('\0') || segment.includes('/')) return false;
  if (flavor === path.win32) {
    // Win32 strips trailing dots and spaces (".. " is ".."), treats ':' as a
    // drive or stream separator and '\' as a separator.
    if (/[\\:<>"|?*\x00-\x1f]/.test(segment) || /[. ]$/.test(segment) || WIN_DEVICE.test(segment)) return false;
  }
  return true;
}

/** Splits a guest POSIX path into normalized components (`.`, `//` dropped, `..` applied; `/..` is `/`). */
export function normalizeGuest(p: string): string[] {
  const out: string[] = [];
  for (const s of p.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') out.pop();
    else out.push(s);
  }
  return out;
}

/**
 * Maps a path from the wire to the host, or undefined when it leaves the share.
 * Relative paths are relative to guestRoot (the server's "current directory").
 */
export function mapGuestPath(
  wirePath: string,
  share: { hostRoot: string; guestRoot: string },
  flavor: PathFlavor = path,
): MappedPath | undefined {
  if (wirePath.includes('\0')) return undefined;
  const root = normalizeGuest(share.guestRoot);
  const abs = normalizeGuest(wirePath.startsWith('/') ? wirePath : `${share.guestRoot}/${wirePath}`);
  if (abs.length < root.length || root.some((s, i) => abs[i] !== s)) return undefined;
  const rel = abs.slice(root.length);
  if (!rel.every((s) => safeSegment(s, flavor))) return undefined;
  return { guest: `/${abs.join('/')}`, rel, host: rel.length ? flavor.join(share.hostRoot, ...rel) : share.hostRoot };
}

/**
 * Whether host path `p` is `root` or below it. Both must be absolute and
 * normalized (realpath results). Case-insensitive where the host usually is.
 */
export function isInside(root: string, p: string, flavor: PathFlavor = path, caseInsensitive = false): boolean {
  const fold = (s: string) => (caseInsensitive ? s.toLowerCase() : s);
  const r = fold(root);
  const q = fold(p);
  if (q === r) return true;
  const prefix = r.endsWith(flavor.sep) ? r : r + flavor.sep;
  return q.startsWith(prefix);
}
