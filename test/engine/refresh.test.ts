// Views refresh from engine events only: a container started from outside
// shows up in the Containers model quickly, an idle engine sees no requests at
// all (counted on the wire by a proxy), and a lost connection heals by itself.

import assert from 'node:assert/strict';
import { EngineConnection } from '../../src/engine/connection';
import { createStores, type Stores } from '../../src/engine/stores';
import { buildContainerTree, type ContainerGroupNode } from '../../src/models/containers';
import { startCountingProxy, type CountingProxy } from '../harness/countingProxy';
import { docker } from '../harness/images';
import { daemon, fixture, unique, waitFor } from './fixture';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function groups(stores: Stores): ContainerGroupNode[] {
  const s = stores.containers.snapshot;
  return s.kind === 'ok' ? (buildContainerTree(s.items, { groupBy: 'composeProject', sortBy: 'name' }) as ContainerGroupNode[]) : [];
}

describe('event-driven refresh (real dockerd)', function () {
  let proxy: CountingProxy;
  let conn: EngineConnection;
  let stores: Stores;
  const created: string[] = [];
  let proxySocket = '';

  before(async () => {
    proxySocket = `${daemon().dir}/proxy.sock`;
    proxy = await startCountingProxy(daemon().socket, proxySocket);
    conn = new EngineConnection(() => [{ name: 'test proxy', source: 'setting', host: proxy.host }], {
      backoff: { minMs: 50, maxMs: 400 },
    });
    stores = createStores(conn);
    await conn.start();
    assert.equal(conn.state.kind, 'connected');
    await Promise.all(Object.values(stores).map((s) => s.settled()));
  });

  after(async () => {
    Object.values(stores).forEach((s) => s.dispose());
    conn.dispose();
    await proxy.close();
    for (const n of created) docker(daemon().env, 'rm', '-f', n);
  });

  // How fast is measured in the bench (containers.*); here only that it arrives, from events alone.
  it('shows a container started from outside, under its compose project', async () => {
    const name = unique('outside');
    const project = 'démo "quoted" ünïcode';
    created.push(name);
    docker(daemon().env, 'run', '-d', '--name', name, '--label', `com.docker.compose.project=${project}`, '--label', 'com.docker.compose.service=web', fixture.image!, 'sleep', '1000');
    const group = await waitFor('the container in the model', () =>
      groups(stores).find((g) => g.project === project && g.children.some((c) => c.name === name)),
      15_000,
      5,
    );
    const node = group.children.find((c) => c.name === name)!;
    assert.equal(node.state, 'running');
    assert.equal(node.icon.id, 'vm-running');
    assert.equal(group.label, project);
  });

  it('sends no request during 5 idle seconds', async () => {
    // settled() also runs a refresh whose debounce is still pending, so nothing is left to come.
    await Promise.all(Object.values(stores).map((s) => s.settled()));
    const wireBefore = proxy.requests.length;
    const clientBefore = conn.client!.requestCount;
    await sleep(5000);
    assert.deepEqual(proxy.requests.slice(wireBefore), [], 'requests seen on the wire while idle');
    assert.equal(conn.client!.requestCount, clientBefore);
  });

  it('recovers by itself after the connection is lost, and shows what changed meanwhile', async () => {
    const states: string[] = [];
    const sub = conn.onState((s) => states.push(s.kind));
    await proxy.close(); // the engine "goes away": the event stream breaks, reconnects fail
    await waitFor('unreachable state', () => conn.state.kind === 'unreachable');
    assert.equal(stores.containers.snapshot.kind, 'offline');

    const name = unique('while-away');
    created.push(name);
    docker(daemon().env, 'create', '--name', name, fixture.image!, 'true');

    // Bring the engine back at the same address; the connection's own retries find it.
    proxy = await startCountingProxy(daemon().socket, proxySocket);
    await waitFor('connected again', () => conn.state.kind === 'connected', 10_000);
    await waitFor('the container created while away', () => groups(stores).some((g) => g.children.some((c) => c.name === name)), 5000);
    sub.dispose();
    assert.ok(states.includes('unreachable') && states.at(-1) === 'connected', `states: ${states.join(' → ')}`);
  });
});

