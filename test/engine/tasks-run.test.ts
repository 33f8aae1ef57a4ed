// The run task's detached path against a real dockerd: ports, volumes, env.

import assert from 'node:assert/strict';
import Docker from 'dockerode';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runDetached } from '../../src/build/run';
import { daemon, fixture, unique, waitFor } from './fixture';

describe('run task (real dockerd)', function () {
  let docker: Docker;
  let dir: string;
  const cleanup: (() => Promise<unknown>)[] = [];

  before(() => {
    docker = new Docker({ socketPath: daemon().socket });
    dir = mkdtempSync(path.join(os.tmpdir(), 'slipway-run-'));
  });
  after(async () => {
    for (const f of cleanup.reverse()) await f().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts a container with its published port, bind mount, named volume and env', async () => {
    const name = unique('run');
    const volume = unique('runvol');
    writeFileSync(path.join(dir, 'app.env'), '# comment\nFROM_FILE=yes\nOVERRIDDEN=file\n');
    const started = await runDetached(docker, {
      image: fixture.image!,
      name,
      command: ['sh', '-c', 'echo "$FROM_FILE $OVERRIDDEN" > /out/env.txt; echo v > /vol/v; exec httpd -f -p 80 -h /var/www'],
      env: { OVERRIDDEN: 'task' },
      envFiles: ['app.env'],
      ports: ['127.0.0.1::80'],
      volumes: ['./out:/out', `${volume}:/vol`],
      cwd: dir,
    });
    cleanup.push(() => docker.getVolume(volume).remove({ force: true }));
    cleanup.push(() => docker.getContainer(started.id).remove({ force: true }));
    assert.equal(started.name, name);
    assert.equal(started.ports.length, 1, started.ports.join(','));
    const hostPort = /:(\d+)->80\/tcp$/.exec(started.ports[0])?.[1];
    assert.ok(hostPort, started.ports[0]);
    const body = await waitFor('the published port to answer', async () => {
      try {
        return await (await fetch(`http://127.0.0.1:${hostPort}/`)).text();
      } catch {
        return undefined;
      }
    });
    assert.match(body, /hello from slipway test image/);
    const envFile = path.join(dir, 'out', 'env.txt');
    await waitFor('the bind mount to receive a file', () => existsSync(envFile));
    assert.equal(readFileSync(envFile, 'utf8').trim(), 'yes task');
    const info = await docker.getContainer(started.id).inspect();
    const vol = info.Mounts.find((m) => m.Destination === '/vol');
    assert.equal(vol?.Type, 'volume');
    assert.equal(vol?.Name, volume);
  });

  it('says which image could not be run', async () => {
    await assert.rejects(runDetached(docker, { image: 'slipway-test/does-not-exist:1' }), /Could not create a container from "slipway-test\/does-not-exist:1": No such image/);
  });

  it('removes the container on exit when asked', async () => {
    const started = await runDetached(docker, { image: fixture.image!, command: 'true', remove: true });
    await waitFor('the container to be removed', async () => !(await docker.listContainers({ all: true })).some((c) => c.Id === started.id));
  });
});
