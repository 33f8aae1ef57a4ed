import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireLock, LockedError, lockHolder, pidAlive } from '../../../src/machine/lock';

/** A pid that certainly belongs to no process: a child that has exited. */
async function deadPid(): Promise<number> {
  const c = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => c.once('exit', r));
  return c.pid!;
}

describe('machine lock', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'slipway-lock-'));
    file = path.join(dir, 'lock');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is exclusive while held and free after release', async () => {
    const a = await acquireLock(file, 'Machine "x"', 'starting');
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).pid, process.pid);
    await assert.rejects(acquireLock(file, 'Machine "x"', 'stopping'), (err: Error) => {
      assert.ok(err instanceof LockedError);
      assert.match(err.message, new RegExp(`^Machine "x" is busy: process ${process.pid} has been starting it since .+\\. Wait for it to finish and try again\\.$`));
      return true;
    });
    a.release();
    assert.equal(existsSync(file), false);
    (await acquireLock(file, 'Machine "x"', 'stopping')).release();
  });

  it('is exclusive across processes', async () => {
    const child = spawn(process.execPath, ['-e', `require(${JSON.stringify(require.resolve('../../../src/machine/lock'))}).acquireLock(${JSON.stringify(file)}, 'm', 'starting').then(() => { console.log('held'); setInterval(() => {}, 1000); })`], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise((r) => child.stdout!.once('data', r));
      assert.equal(lockHolder(file)?.pid, child.pid);
      await assert.rejects(acquireLock(file, 'm', 'starting'), LockedError);
      child.kill('SIGKILL'); // like a crash: the lock file stays behind
      await new Promise((r) => child.once('exit', r));
      assert.equal(existsSync(file), true);
      assert.equal(lockHolder(file), undefined);
      const l = await acquireLock(file, 'm', 'starting');
      assert.equal(l.owner.pid, process.pid);
      l.release();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('takes over a lock whose owner died, and a half-written one', async () => {
    writeFileSync(file, JSON.stringify({ pid: await deadPid(), purpose: 'starting', since: 'then', token: 't' }));
    (await acquireLock(file, 'm', 'starting')).release();
    writeFileSync(file, '{"pi');
    (await acquireLock(file, 'm', 'starting')).release();
  });

  it('waits for a live owner when asked to', async () => {
    const a = await acquireLock(file, 'm', 'starting');
    const waiting = acquireLock(file, 'm', 'stopping', { waitMs: 30_000 });
    setTimeout(() => a.release(), 50);
    const b = await waiting;
    assert.equal(b.owner.purpose, 'stopping');
    b.release();
  });

  it('release does not remove a lock someone else took over', async () => {
    const a = await acquireLock(file, 'm', 'starting');
    rmSync(file);
    const b = await acquireLock(file, 'm', 'stopping');
    a.release();
    assert.equal(existsSync(file), true);
    b.release();
  });

  it('pidAlive', async () => {
    assert.equal(pidAlive(process.pid), true);
    assert.equal(pidAlive(await deadPid()), false);
    assert.equal(pidAlive(0), false);
    assert.equal(pidAlive(-1), false);
  });
});
