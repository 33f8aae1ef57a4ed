import assert from 'node:assert/strict';
import { DisposableStore } from '../../../src/base/disposables';
import { delay, TimeoutError, withTimeout } from '../../../src/base/timeout';

describe('DisposableStore', () => {
  it('disposes in reverse order, runs every cleanup and joins their errors', () => {
    const order: string[] = [];
    const s = new DisposableStore();
    s.add({ dispose: () => order.push('first') });
    s.add({
      dispose: () => {
        order.push('second');
        throw new Error('second broke');
      },
    });
    s.add({
      dispose: () => {
        order.push('third');
        throw new Error('third broke');
      },
    });
    assert.throws(() => s.dispose(), (err: AggregateError) => {
      assert.equal(err.errors.length, 2);
      assert.match(err.message, /2 cleanups failed: third broke; second broke/);
      return true;
    });
    assert.deepEqual(order, ['third', 'second', 'first']);
    s.dispose(); // a second dispose is a no-op
    assert.equal(order.length, 3);
  });

  it('disposes at once what is added after it was disposed', () => {
    const s = new DisposableStore();
    s.dispose();
    let disposed = false;
    s.add({ dispose: () => (disposed = true) });
    assert.ok(disposed);
  });
});

describe('withTimeout and delay', () => {
  it('passes the value through when the promise wins', async () => {
    assert.equal(await withTimeout(Promise.resolve(7), 1000, () => new TimeoutError('late')), 7);
  });

  it('rejects with the given error when the time runs out', async () => {
    await assert.rejects(withTimeout(new Promise(() => undefined), 5, () => new TimeoutError('SSH to machine "x" timed out')), (e: TimeoutError) => {
      assert.equal(e.code, 'ETIMEDOUT');
      assert.match(e.message, /machine "x"/);
      return true;
    });
  });

  it('delay rejects when its signal aborts', async () => {
    const ac = new AbortController();
    const p = delay(60_000, ac.signal);
    ac.abort(new Error('cancelled'));
    await assert.rejects(p, /cancelled/);
  });
});
