// Bad situations give one clear sentence, never a crash or an unhandled
// rejection: no engine at the address, permission denied on the socket, an
// engine that goes away under an open connection.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConnectError, EngineClient } from '../../src/engine/client';
import { EngineConnection } from '../../src/engine/connection';
import { createStores } from '../../src/engine/stores';
import { cannotRun } from '../harness/ci';
import { daemon, waitFor } from './fixture';

describe('engine problems (real dockerd)', function () {
  const unhandled: unknown[] = [];
  const onUnhandled = (r: unknown) => unhandled.push(r);
  before(() => process.on('unhandledRejection', onUnhandled));
  after(() => {
    process.off('unhandledRejection', onUnhandled);
  });
  afterEach(() => assert.deepEqual(unhandled, [], 'unhandled rejections'));

  it('says no engine runs at a socket that does not exist, and what to do', async () => {
    const host = `unix://${path.join(os.tmpdir(), 'no-such-dir', 'docker.sock')}`;
    const err = await new EngineClient({ name: 'x', source: 'setting', host }).identify().then(
      () => assert.fail('connected to nothing'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ConnectError);
    assert.equal(err.message, `No Docker engine is running at ${host} (the socket does not exist).`);
    // The address came from the setting: the fix names it first.
    assert.match(err.problem.fix, /^Fix `slipway\.engine\.host`, or start Docker or a Slipway machine/);
  });

  it('says nothing listens at a stale socket file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-stale-'));
    const sock = path.join(dir, 'docker.sock');
    // A socket file with no listener, as a crashed engine leaves behind: a process that dies by SIGKILL.
    spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(sock)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    assert.ok(fs.existsSync(sock));
    try {
      const err = await new EngineClient({ name: 'x', source: 'setting', host: `unix://${sock}` }).identify().catch((e: ConnectError) => e);
      assert.match((err as Error).message, /Nothing is listening at unix:\/\/.*docker\.sock \(connection refused\)\./);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says permission is denied when the user may not use the socket', function () {
    if (process.getuid?.() !== 0) cannotRun(this, 'the permission-denied test', 'it needs root to run a child as another user');
    const clientJs = path.resolve(__dirname, '../../src/engine/client.js');
    const script = `
      const { EngineClient } = require(${JSON.stringify(clientJs)});
      new EngineClient({ name: 'x', source: 'setting', host: ${JSON.stringify(daemon().host)} })
        .identify().then(() => console.log('connected'), (e) => console.log(e.message));`;
    const r = spawnSync(process.execPath, ['-e', script], { uid: 65534, gid: 65534, encoding: 'utf8', cwd: '/' });
    assert.equal(r.stderr, '');
    assert.equal(r.stdout.trim(), `Permission denied on ${daemon().host}.`);
  });

  it('a connection to nothing reports unreachable with every address tried, and keeps retrying', async () => {
    const conn = new EngineConnection(
      () => [
        { name: 'first', source: 'env', host: 'unix:///nonexistent/a.sock' },
        { name: 'second', source: 'default', host: 'tcp://127.0.0.1:1' },
      ],
      { backoff: { minMs: 20, maxMs: 40 } },
    );
    const stores = createStores(conn);
    let unreachable = 0;
    conn.onState((s) => s.kind === 'unreachable' && unreachable++);
    await conn.start();
    const s = conn.state;
    assert.equal(s.kind, 'unreachable');
    if (s.kind === 'unreachable') {
      assert.deepEqual(s.attempts.map((a) => a.endpoint.name), ['first', 'second']);
      assert.match(s.attempts[0].problem.reason, /does not exist/);
      assert.match(s.attempts[1].problem.reason, /connection refused/);
    }
    assert.equal(stores.containers.snapshot.kind, 'offline');
    assert.throws(() => conn.requireClient(), /No Docker engine is running at unix:\/\/\/nonexistent\/a\.sock/);
    await waitFor('a retry', () => unreachable >= 3, 5000);
    Object.values(stores).forEach((x) => x.dispose());
    conn.dispose();
  });

  it('an invalid engine address in the settings is reported, not thrown', async () => {
    const conn = new EngineConnection(() => [{ name: 'setting', source: 'setting', host: 'unix://relative' }], { backoff: { minMs: 1000, maxMs: 1000 } });
    await conn.start();
    const s = conn.state;
    assert.equal(s.kind, 'unreachable');
    if (s.kind === 'unreachable') assert.match(s.attempts[0].problem.reason, /Engine address "unix:\/\/relative" is not usable: the socket path must be absolute/);
    conn.dispose();
  });
});
