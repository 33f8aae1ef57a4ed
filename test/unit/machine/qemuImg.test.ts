import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { QemuImg, QemuImgError } from '../../../src/machine/qemuImg';

const GiB = 1024 ** 3;

describe('qemu-img wrapper (real qemu-img)', () => {
  let dir: string;
  const img = new QemuImg();
  before(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'slipway-qemu-img-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a sparse qcow2 and reads it back', async () => {
    const f = path.join(dir, 'data.qcow2');
    await img.create(f, 8 * GiB);
    const info = await img.info(f);
    assert.equal(info.format, 'qcow2');
    assert.equal(info.virtualSize, 8 * GiB);
    assert.ok(info.actualSize < 10 * 1024 * 1024, `actual size ${info.actualSize}`);
    assert.equal(info.dirty, false);
    assert.equal(info.backingFile, undefined);
  });

  it('creates an overlay on a backing file', async () => {
    const base = path.join(dir, 'base.qcow2');
    const top = path.join(dir, 'top.qcow2');
    await img.create(base, GiB);
    await img.create(top, GiB, { backingFile: base, backingFormat: 'qcow2' });
    const info = await img.info(top);
    assert.equal(info.backingFile, base);
    assert.equal(info.backingFormat, 'qcow2');
  });

  it('grows an image and refuses to shrink it', async () => {
    const f = path.join(dir, 'grow.qcow2');
    await img.create(f, GiB);
    await img.resize(f, 2 * GiB);
    assert.equal((await img.info(f)).virtualSize, 2 * GiB);
    await assert.rejects(img.resize(f, GiB), /Refusing to shrink/);
  });

  it('checks a healthy image and reports a broken one with qemu-img\'s message', async () => {
    const f = path.join(dir, 'ok.qcow2');
    await img.create(f, GiB);
    const r = await img.check(f);
    assert.equal(r.ok, true);
    assert.equal(r.corruptions, 0);
    const junk = path.join(dir, 'junk.qcow2');
    writeFileSync(junk, 'not an image');
    await assert.rejects(img.info(junk).then(() => img.check(junk)), (err: Error) => {
      assert.ok(err instanceof QemuImgError);
      assert.match(err.message, /^qemu-img check failed \(exit \d+\): .+/);
      assert.ok(err.stderr.length > 0);
      return true;
    });
  });

  it('surfaces stderr when the file does not exist', async () => {
    await assert.rejects(img.info(path.join(dir, 'missing.qcow2')), /qemu-img info failed \(exit 1\): .*missing\.qcow2.*No such file/);
  });

  it('says how to install qemu-img when it is missing', async () => {
    await assert.rejects(new QemuImg(path.join(dir, 'no-such-qemu-img')).info('x'), /was not found\. Install QEMU/);
  });

  it('refuses a non-positive size before spawning', async () => {
    await assert.rejects(img.create(path.join(dir, 'z.qcow2'), 0), /not a positive number of bytes/);
  });
});
