// Compose up/down/restart/logs of a two-service project against a real dockerd
// with the real Compose v2 binary and local images only.

import assert from 'node:assert/strict';
import Docker from 'dockerode';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ComposeProject } from '../../src/compose/argv';
import { defaultComposeFiles, readComposeProject } from '../../src/compose/discover';
import type { ComposeBinary } from '../../src/compose/locate';
import { composeOrThrow, runCompose } from '../../src/compose/process';
import { composeBinary } from '../harness/compose';
import { daemon, fixture, unique } from './fixture';

describe('compose (real dockerd, real Compose v2)', function () {
  let docker: Docker;
  let bin: ComposeBinary;
  let dir: string;
  let project: ComposeProject;
  let name: string;

  before(async function () {
    this.timeout(300_000);
    bin = await composeBinary();
    docker = new Docker({ socketPath: daemon().socket });
    dir = mkdtempSync(path.join(os.tmpdir(), 'slipway-compose-'));
    name = unique('proj').toLowerCase();
    writeFileSync(
      path.join(dir, 'compose.yaml'),
      [
        `name: ${name}`,
        'services:',
        '  web:',
        `    image: ${fixture.image}`,
        '    command: ["httpd", "-f", "-p", "80", "-h", "/var/www"]',
        '    ports: ["127.0.0.1::80"]',
        '    volumes: ["data:/data"]',
        '    init: true',
        '  worker:',
        `    image: ${fixture.image}`,
        '    command: ["sh", "-c", "echo worker says hello; exec sleep 3600"]',
        '    init: true',
        'volumes:',
        '  data: {}',
        '',
      ].join('\n'),
    );
    writeFileSync(path.join(dir, 'compose.override.yaml'), 'services:\n  worker:\n    environment:\n      ROLE: worker\n');
    const files = defaultComposeFiles(dir);
    project = { files, projectName: name };
  });
  after(async function () {
    this.timeout(120_000);
    if (project) await runCompose(bin, project, { verb: 'down', volumes: true }, { dockerHost: daemon().host }).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  const opts = () => ({ dockerHost: daemon().host, write: (t: string) => (output += t) });
  let output = '';

  async function projectContainers() {
    return docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${name}`] } });
  }
  async function networkNames() {
    return (await docker.listNetworks()).map((n) => n.Name);
  }
  async function volumeNames() {
    return ((await docker.listVolumes()).Volumes ?? []).map((v) => v.Name);
  }

  it('discovers the project: both files, its name and services', () => {
    const info = readComposeProject(project.files);
    assert.deepEqual(project.files.map((f) => path.basename(f)), ['compose.yaml', 'compose.override.yaml']);
    assert.equal(info.name, name);
    assert.deepEqual(info.services, ['web', 'worker']);
    assert.deepEqual(info.problems, []);
  });

  it('up creates the containers, the network and the volume', async function () {
    this.timeout(120_000);
    await composeOrThrow(bin, project, { verb: 'up' }, opts());
    const containers = await projectContainers();
    assert.deepEqual(containers.map((c) => c.Labels['com.docker.compose.service']).sort(), ['web', 'worker']);
    assert.ok(containers.every((c) => c.State === 'running'), containers.map((c) => `${c.Names[0]} ${c.State}`).join(', '));
    const worker = containers.find((c) => c.Labels['com.docker.compose.service'] === 'worker')!;
    const env = (await docker.getContainer(worker.Id).inspect()).Config.Env;
    assert.ok(env.includes('ROLE=worker'), 'the override file was applied');
    assert.ok((await networkNames()).includes(`${name}_default`));
    assert.ok((await volumeNames()).includes(`${name}_data`));
  });

  it('restart and logs work on the running project', async function () {
    this.timeout(120_000);
    const before = await projectContainers();
    const started = async (id: string) => (await docker.getContainer(id).inspect()).State.StartedAt;
    const startedBefore = await Promise.all(before.map((c) => started(c.Id)));
    await composeOrThrow(bin, project, { verb: 'restart', services: ['worker'] }, opts());
    const worker = before.findIndex((c) => c.Labels['com.docker.compose.service'] === 'worker');
    assert.notEqual(await started(before[worker].Id), startedBefore[worker], 'worker restarted');
    let logs = '';
    await composeOrThrow(bin, project, { verb: 'logs', services: ['worker'] }, { dockerHost: daemon().host, write: (t) => (logs += t) });
    assert.match(logs, /worker.*worker says hello/);
  });

  it('down removes the containers and the network but keeps the volume', async function () {
    this.timeout(120_000);
    await composeOrThrow(bin, project, { verb: 'down' }, opts());
    assert.deepEqual(await projectContainers(), []);
    assert.ok(!(await networkNames()).includes(`${name}_default`));
    assert.ok((await volumeNames()).includes(`${name}_data`));
  });

  it('down with volumes removes the volume too', async function () {
    this.timeout(120_000);
    await composeOrThrow(bin, project, { verb: 'up' }, opts());
    assert.equal((await projectContainers()).length, 2);
    await composeOrThrow(bin, project, { verb: 'down', volumes: true }, opts());
    assert.deepEqual(await projectContainers(), []);
    assert.ok(!(await volumeNames()).includes(`${name}_data`));
  });

  it('down by project name alone (a Containers view group) finds the project from its labels', async function () {
    this.timeout(120_000);
    await composeOrThrow(bin, project, { verb: 'up' }, opts());
    await composeOrThrow(bin, { files: [], projectName: name }, { verb: 'down' }, { ...opts(), cwd: os.tmpdir() });
    assert.deepEqual(await projectContainers(), []);
  });

  it('a failing compose command says which project and why', async function () {
    this.timeout(60_000);
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, `services:\n  x:\n    image: ${fixture.image}\n    ports: ["not a port"]\n`);
    await assert.rejects(composeOrThrow(bin, { files: [bad], projectName: `${name}-bad` }, { verb: 'up' }, opts()), (err: Error) => {
      assert.match(err.message, new RegExp(`docker compose up failed for project "${name}-bad": .*port`, 'i'));
      return true;
    });
  });
});
