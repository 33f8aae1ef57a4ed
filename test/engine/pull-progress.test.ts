// Push and pull with per-layer progress against a real registry on loopback
// (Debian's docker-registry) and a real dockerd; registry errors in plain words.

import assert from 'node:assert/strict';
import Docker from 'dockerode';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildImage } from '../../src/build/build';
import { pullImage, pushImage, type TransferSummary } from '../../src/build/transfer';
import { freePort, startRegistry, type Registry } from '../harness/registry';
import { daemon, fixture, unique } from './fixture';

describe('pull and push progress (real dockerd, real registry)', function () {
  let docker: Docker;
  let registry: Registry;
  let ref: string;

  before(async function () {
    this.timeout(120_000);
    docker = new Docker({ socketPath: daemon().socket });
    registry = await startRegistry();
    ref = `${registry.address}/slipway/busybox:${unique('t')}`;
    // An image with a layer of its own, so the pull after removing it really downloads.
    const ctx = mkdtempSync(path.join(os.tmpdir(), 'slipway-pull-'));
    writeFileSync(path.join(ctx, 'Dockerfile'), `FROM ${fixture.image}\nRUN dd if=/dev/urandom of=/blob bs=1024 count=512\n`);
    const built = await buildImage(docker, { context: ctx, tags: [ref] }, () => undefined);
    rmSync(ctx, { recursive: true, force: true });
    assert.equal(built.ok, true, built.error);
  });
  after(async function () {
    this.timeout(60_000);
    await docker.getImage(ref).remove({ force: true }).catch(() => undefined);
    await registry?.stop();
  });

  it('pushes an image with per-layer progress and a digest', async function () {
    this.timeout(120_000);
    const seen: TransferSummary[] = [];
    const s = await pushImage(docker, ref, { onProgress: (p) => seen.push(p) });
    assert.ok(s.layersTotal >= 1);
    assert.equal(s.layersDone, s.layersTotal);
    assert.match(s.digest ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.ok(seen.length > 1, 'progress was reported while pushing');
  });

  it('pulls it back with bytes and layers done/total', async function () {
    this.timeout(120_000);
    await docker.getImage(ref).remove({ force: true });
    const seen: TransferSummary[] = [];
    const s = await pullImage(docker, ref, { onProgress: (p) => seen.push(p) });
    assert.ok(s.layersTotal >= 2, `the base layer and the blob layer: ${JSON.stringify(s)}`);
    assert.equal(s.layersDone, s.layersTotal);
    assert.ok(s.bytesTotal > 0, 'layer sizes were reported');
    assert.equal(s.bytesCurrent, s.bytesTotal);
    assert.ok(seen.some((p) => p.layersDone < p.layersTotal), 'an intermediate state was reported');
    assert.match(s.status ?? '', /Downloaded newer image/);
    await docker.getImage(ref).inspect();
  });

  it('says plainly when the tag does not exist', async function () {
    this.timeout(60_000);
    const missing = `${registry.address}/slipway/busybox:no-such-tag`;
    await assert.rejects(pullImage(docker, missing), /has no such image or tag/);
  });

  it('says plainly when the registry cannot be reached', async function () {
    this.timeout(60_000);
    const port = await freePort();
    await assert.rejects(pullImage(docker, `127.0.0.1:${port}/slipway/busybox:1`), /cannot be reached from the engine/);
  });

  it('can be cancelled', async function () {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(pullImage(docker, ref, { signal: ac.signal }), /was cancelled/);
  });
});
