// Where each guest image lives, and which manifests loadImage accepts: one
// directory per (recipe, architecture, variant), named alike by
// vm-images/build.mjs and src/machine/image.ts.

import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { imageDirName, loadImage } from '../../../src/machine/image';

describe('guest image directories', () => {
  const hash = 'ab'.repeat(32);
  for (const [arch, variant, want] of [
    ['x86_64', 'slipway', hash],
    ['aarch64', 'slipway', `${hash}-aarch64`],
    ['x86_64', 'systemd', `${hash}-systemd`],
    ['aarch64', 'systemd', `${hash}-aarch64-systemd`],
  ] as const) {
    it(`${arch} ${variant} → ${want.replace(hash, '<hash>')}`, () => assert.equal(imageDirName(hash, arch, variant), want));
  }

  describe('loadImage and the manifest arch', () => {
    let dir: string;
    const write = (arch: string) => {
      const artifacts: Record<string, { sha256: string; size: number }> = {};
      for (const name of ['vmlinuz', 'initrd.img', 'root.img']) {
        const bytes = Buffer.from(`${name} of ${arch}`);
        writeFileSync(path.join(dir, name), bytes);
        artifacts[name] = { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
      }
      writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ version: 'v', recipeHash: hash, arch, cmdline: 'console=ttyAMA0 quiet', artifacts }));
    };
    beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'slipway-imgdir-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('takes an aarch64 image with its arch', async () => {
      write('aarch64');
      const image = await loadImage(dir);
      assert.equal(image.arch, 'aarch64');
      assert.equal(image.cmdline, 'console=ttyAMA0 quiet');
    });

    it('refuses a manifest of an architecture Slipway does not boot', async () => {
      write('riscv64');
      await assert.rejects(loadImage(dir), /^Error: The guest image in ".*" is for riscv64; Slipway boots x86_64 and aarch64 guests \(build one with `npm run image -- --arch x86_64\|aarch64`\)\.$/);
    });
  });
});
