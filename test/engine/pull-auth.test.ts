// A registry that requires a login (htpasswd): without credentials the error
// says so plainly; with the user's docker config the push and pull work.

import assert from 'node:assert/strict';
import Docker from 'dockerode';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadRegistryAuth } from '../../src/build/registryAuth';
import { pullImage, pushImage } from '../../src/build/transfer';
import { startRegistry, type Registry } from '../harness/registry';
import { daemon, fixture, unique } from './fixture';

describe('registry login (real dockerd, real registry with htpasswd)', function () {
  const user = { name: 'slipway', password: 'correct horse' };
  let docker: Docker;
  let registry: Registry;
  let ref: string;
  let configDir: string;

  before(async function () {
    this.timeout(120_000);
    docker = new Docker({ socketPath: daemon().socket });
    registry = await startRegistry({ user });
    ref = `${registry.address}/private/busybox:${unique('t')}`;
    await docker.getImage(fixture.image!).tag({ repo: ref.slice(0, ref.lastIndexOf(':')), tag: ref.slice(ref.lastIndexOf(':') + 1) });
    configDir = mkdtempSync(path.join(os.tmpdir(), 'slipway-docker-config-'));
    writeFileSync(
      path.join(configDir, 'config.json'),
      JSON.stringify({ auths: { [registry.address]: { auth: Buffer.from(`${user.name}:${user.password}`).toString('base64') } } }),
    );
  });
  after(async function () {
    this.timeout(60_000);
    await docker.getImage(ref).remove({ force: true }).catch(() => undefined);
    await registry?.stop();
    rmSync(configDir, { recursive: true, force: true });
  });

  it('says plainly that the registry refused access without credentials', async function () {
    this.timeout(60_000);
    await assert.rejects(pushImage(docker, ref), new RegExp(`${registry.address.replace(/\./g, '\\.')} refused access\\. Log in to`));
  });

  it('pushes and pulls with the credentials from the docker config', async function () {
    this.timeout(120_000);
    const auth = await loadRegistryAuth(registry.address, { ...process.env, DOCKER_CONFIG: configDir });
    assert.equal(auth?.username, user.name);
    const pushed = await pushImage(docker, ref, { auth });
    assert.match(pushed.digest ?? '', /^sha256:/);
    await docker.getImage(ref).remove({ force: true });
    await assert.rejects(pullImage(docker, ref), /refused access/);
    const pulled = await pullImage(docker, ref, { auth });
    assert.equal(pulled.layersDone, pulled.layersTotal);
    await docker.getImage(ref).inspect();
  });
});
