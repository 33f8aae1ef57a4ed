// Finding Compose v2 without blocking: fake compose binaries on PATH and in
// the plugin directory, each counting how often it was asked its version.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findCompose } from '../../../src/compose/locate';
import { fakeBin, fakeCalls } from '../../harness/fakeBin';

describe('findCompose', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let plugins: string;
  let bin: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'slipway-compose-'));
    plugins = path.join(dir, 'docker', 'cli-plugins');
    bin = path.join(dir, 'bin');
    mkdirSync(plugins, { recursive: true });
    mkdirSync(bin);
    // DOCKER_CONFIG's plugins come first; nothing of the real host is on PATH.
    env = { HOME: dir, DOCKER_CONFIG: path.join(dir, 'docker'), PATH: bin, SLIPWAY_CACHE: path.join(dir, 'cache') };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('asks a binary its version once, and again when the binary changes', async () => {
    const exe = fakeBin(plugins, 'docker-compose', 'echo v2.26.1');
    assert.deepEqual(await findCompose(env), { exe, version: '2.26.1' });
    assert.deepEqual(await findCompose(env), { exe, version: '2.26.1' });
    assert.equal(fakeCalls(exe).length, 1);
    utimesSync(exe, new Date(), new Date(Date.now() + 60_000));
    assert.deepEqual(await findCompose(env), { exe, version: '2.26.1' });
    assert.deepEqual(fakeCalls(exe), ['run version --short', 'run version --short']);
  });

  it('skips Python compose 1.x and a binary that fails, and takes the next candidate', async () => {
    const v1 = fakeBin(plugins, 'docker-compose', 'echo 1.29.2');
    const v2 = fakeBin(bin, 'docker-compose', 'echo 2.20.0');
    assert.deepEqual(await findCompose(env), { exe: v2, version: '2.20.0' });
    fakeBin(plugins, 'docker-compose', 'exit 3');
    assert.deepEqual(await findCompose(env), { exe: v2, version: '2.20.0' });
    assert.equal(fakeCalls(v1).length, 2, 'the rewritten plugin is asked again');
    assert.equal(fakeCalls(v2).length, 1);
  });

  it('finds nothing when no candidate is Compose v2', async () => {
    fakeBin(bin, 'docker-compose', 'echo 1.29.2');
    assert.equal(await findCompose(env), undefined);
  });

  it('gives up on a binary that hangs, without remembering it', async () => {
    const slow = fakeBin(plugins, 'docker-compose', 'exec sleep 10');
    const t0 = Date.now();
    assert.equal(await findCompose(env, 200), undefined);
    assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
    assert.equal(await findCompose(env, 200), undefined);
    assert.equal(fakeCalls(slow).length, 2, 'a timeout is asked again next time');
  });
});
