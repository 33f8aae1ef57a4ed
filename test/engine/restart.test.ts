// A real engine restart: the views go offline, then come back by themselves
// with what the engine has now, without anyone pressing Retry.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EngineConnection } from '../../src/engine/connection';
import { createStores } from '../../src/engine/stores';
import { containerName } from '../../src/models/containers';
import { startDockerd, type Dockerd } from '../harness/dockerd';
import { docker, importBusybox } from '../harness/images';
import { unique, waitFor } from './fixture';

describe('engine restart (a second real dockerd)', function () {
  this.timeout(120_000);
  let dir: string;
  let d: Dockerd;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-restart-'));
    d = await startDockerd({ dir });
  });
  after(async () => {
    await d?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('recovers after the engine restarts and shows containers made while it was down', async () => {
    const image = importBusybox(d.env);
    const conn = new EngineConnection(() => [{ name: 'restarting', source: 'setting', host: d.host }], { backoff: { minMs: 50, maxMs: 500 } });
    const stores = createStores(conn);
    await conn.start();
    const gen = conn.state.kind === 'connected' ? conn.state.generation : -1;
    assert.ok(gen > 0);

    await d.stop();
    await waitFor('offline views', () => conn.state.kind === 'unreachable' && stores.containers.snapshot.kind === 'offline');

    d = await startDockerd({ dir });
    const name = unique('after-restart');
    docker(d.env, 'create', '--name', name, image, 'true');
    await waitFor('reconnected', () => conn.state.kind === 'connected', 20_000);
    assert.ok(conn.state.kind === 'connected' && conn.state.generation > gen);
    await waitFor('the new container in the list', () => {
      const s = stores.containers.snapshot;
      return s.kind === 'ok' && s.items.some((c) => containerName(c) === name);
    });
    Object.values(stores).forEach((s) => s.dispose());
    conn.dispose();
  });
});
