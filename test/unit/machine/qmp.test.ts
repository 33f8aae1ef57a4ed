import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { QmpClient, QmpError, type QmpEvent } from '../../../src/machine/qmp';

/** A real QEMU with no guest (firmware only): enough to speak QMP. */
async function startQemu(dir: string): Promise<{ proc: ChildProcess; socket: string; exited: Promise<number | null> }> {
  const socket = path.join(dir, 'qmp.sock');
  const proc = spawn(
    'qemu-system-x86_64',
    ['-machine', 'q35', '-accel', 'tcg', '-m', '64M', '-nodefaults', '-display', 'none', '-chardev', `socket,id=qmp,path=${socket},server=on,wait=off`, '-mon', 'chardev=qmp,mode=control'],
    { stdio: 'ignore' },
  );
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  while (!existsSync(socket)) await new Promise((r) => setTimeout(r, 20));
  return { proc, socket, exited };
}

describe('QMP client (real QEMU)', function () {
  this.timeout(30_000);
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'slipway-qmp-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('handshakes, queries status, reports errors, sees events and quits QEMU', async () => {
    const q = await startQemu(dir);
    try {
      const c = await QmpClient.connect(q.socket);
      assert.match(c.version, /^\d+\.\d+\.\d+$/);
      assert.deepEqual(await c.queryStatus().then((s) => [s.running, s.status]), [true, 'running']);
      await assert.rejects(c.execute('no-such-command'), (err: Error) => {
        assert.ok(err instanceof QmpError);
        assert.equal(err.errorClass, 'CommandNotFound');
        return true;
      });
      const events: QmpEvent[] = [];
      c.onEvent((e) => events.push(e));
      await c.powerdown(); // firmware only: QEMU reports the button press, nobody acts on it
      await c.quit();
      assert.equal(await q.exited, 0);
      assert.ok(events.some((e) => e.event === 'POWERDOWN'), JSON.stringify(events));
      assert.ok(events.some((e) => e.event === 'SHUTDOWN'), JSON.stringify(events));
      await assert.rejects(c.queryStatus(), /cannot be sent: QEMU closed the QMP connection/);
      c.close();
    } finally {
      q.proc.kill('SIGKILL');
    }
  });

  it('says clearly when nothing listens on the socket', async () => {
    await assert.rejects(QmpClient.connect(path.join(dir, 'absent.sock'), { machine: 'm1' }), /Cannot connect to the QMP socket of QEMU of machine "m1" \(".*absent\.sock"\): .*ENOENT/);
  });
});
