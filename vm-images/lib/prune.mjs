// What the image builder's --prune removes from the images directory. Each removal frees
// ~700-800 MiB; a running QEMU keeps its open files.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const PRUNE_AFTER_MS = 24 * 3600 * 1000;

/**
 * Removes, from `imagesDir`, what no build or machine used for a day (PRUNE_AFTER_MS):
 * - images of recipes other than `hash` (<hash>[-<arch>][-systemd]/): used means
 *   `.last-used` (written by Slipway when it boots one) or else the manifest's time, since
 *   another checkout or branch may still boot one;
 * - bootstrapped package trees (.rootfs-<key>/): `.complete` is touched each time a build
 *   reuses one; an unfinished one goes by its directory's time.
 * Returns the names removed. Nothing else in the directory is touched.
 */
export function pruneStale(imagesDir, hash, now = Date.now()) {
  const removed = [];
  for (const name of readdirSync(imagesDir)) {
    let marks;
    if (/^\.rootfs-[0-9a-f]{16}$/.test(name)) marks = ['.complete', '.'];
    else {
      const m = name.match(/^([0-9a-f]{64})(-[a-z0-9_]+)?(-systemd)?$/);
      if (!m || m[1] === hash) continue;
      marks = ['.last-used', 'manifest.json'];
    }
    if (now - lastTouched(join(imagesDir, name), marks) < PRUNE_AFTER_MS) continue;
    rmSync(join(imagesDir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** The newest modification time among `files` in `dir` (0 when none exists). */
function lastTouched(dir, files) {
  return Math.max(
    ...files.map((f) => {
      try {
        return statSync(join(dir, f)).mtimeMs;
      } catch {
        return 0;
      }
    }),
  );
}
