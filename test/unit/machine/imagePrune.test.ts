// The image builder's --prune (vm-images/lib/prune.mjs): what it removes from the images
// directory, by the age of each entry's marks, and what it never touches.

import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { findRecipeDir } from '../../../src/machine/image';

type Prune = { pruneStale(imagesDir: string, hash: string, now?: number): string[]; PRUNE_AFTER_MS: number };
// tsc compiles import() to require() for CommonJS output; the builder's modules are ES modules.
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<Prune>;

describe('image builder: pruning the images directory', () => {
  let prune: Prune;
  let dir: string;
  const now = Date.now();
  const day = 24 * 3600 * 1000;
  const current = 'a'.repeat(64);
  const other = 'b'.repeat(64);

  /** Creates `name`/ with `marks` (file → age in ms); the directory itself gets `dirAge`. */
  function entry(name: string, marks: Record<string, number>, dirAge = 0): void {
    const d = path.join(dir, name);
    mkdirSync(d);
    for (const [f, age] of Object.entries(marks)) {
      writeFileSync(path.join(d, f), '');
      utimesSync(path.join(d, f), new Date(now - age), new Date(now - age));
    }
    utimesSync(d, new Date(now - dirAge), new Date(now - dirAge));
  }

  before(async () => {
    prune = await importEsm(pathToFileURL(path.join(findRecipeDir(), 'lib', 'prune.mjs')).href);
  });
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'slipway-prune-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('removes package trees and other recipes\' images nothing used for a day, and keeps the rest', () => {
    entry(current, { 'manifest.json': 3 * day });
    entry(`${current}-aarch64`, { 'manifest.json': 3 * day });
    entry(`${other}`, { 'manifest.json': 3 * day });
    entry(`${other}-aarch64-systemd`, { 'manifest.json': 3 * day, '.last-used': 2 * day });
    entry(`${other}-systemd`, { 'manifest.json': 3 * day, '.last-used': 3600_000 });
    entry('.rootfs-0123456789abcdef', { '.complete': 2 * day }, 2 * day);
    entry('.rootfs-fedcba9876543210', { '.complete': 60_000 }, 2 * day);
    entry('.rootfs-00000000ffffffff', {}, 2 * day);
    entry('.rootfs-11111111eeeeeeee', {}, 60_000);
    entry('.build-tmp', {}, 5 * day);
    entry('notes', {}, 5 * day);

    const removed = prune.pruneStale(dir, current, now).sort();
    assert.deepEqual(removed, ['.rootfs-00000000ffffffff', '.rootfs-0123456789abcdef', other, `${other}-aarch64-systemd`].sort());
    assert.deepEqual(readdirSync(dir).sort(), [
      '.build-tmp',
      '.rootfs-11111111eeeeeeee',
      '.rootfs-fedcba9876543210',
      current,
      `${current}-aarch64`,
      `${other}-systemd`,
      'notes',
    ].sort());
  });

  it('keeps everything within a day', () => {
    entry(other, { 'manifest.json': prune.PRUNE_AFTER_MS - 60_000 });
    entry('.rootfs-0123456789abcdef', { '.complete': prune.PRUNE_AFTER_MS - 60_000 }, 3 * day);
    assert.deepEqual(prune.pruneStale(dir, current, now), []);
    assert.equal(readdirSync(dir).length, 2);
  });
});
