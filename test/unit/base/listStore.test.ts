import assert from 'node:assert/strict';
import { ListStore, type Snapshot } from '../../../src/base/listStore';

/** A store whose fetches the test answers by hand. */
class ManualStore extends ListStore<number> {
  calls: { resolve: (v: number[]) => void; reject: (e: Error) => void }[] = [];
  available = true;
  constructor(debounceMs = 5) {
    super({ kind: 'offline' }, debounceMs);
  }
  protected fetch(): Promise<number[]> | undefined {
    if (!this.available) return undefined;
    return new Promise((resolve, reject) => this.calls.push({ resolve, reject }));
  }
  goOffline(): void {
    this.reset({ kind: 'offline' });
  }
}

const until = async (cond: () => boolean) => {
  while (!cond()) await new Promise((r) => setImmediate(r));
};

describe('ListStore', () => {
  it('a burst of schedule() calls costs one fetch', async () => {
    const s = new ManualStore();
    for (let i = 0; i < 50; i++) s.schedule();
    await until(() => s.calls.length === 1);
    s.calls[0].resolve([1, 2]);
    assert.deepEqual(await s.settled(), { kind: 'ok', items: [1, 2] });
    assert.equal(s.calls.length, 1);
    s.dispose();
  });

  it('a refresh asked for during a fetch runs once after it, with the newer answer winning', async () => {
    const s = new ManualStore();
    const seen: Snapshot<number>[] = [];
    s.onDidChange((x) => seen.push(x));
    s.refresh();
    s.refresh();
    s.refresh();
    assert.equal(s.calls.length, 1);
    s.calls[0].resolve([1]);
    await until(() => s.calls.length === 2);
    s.calls[1].resolve([1, 2]);
    assert.deepEqual(await s.settled(), { kind: 'ok', items: [1, 2] });
    assert.deepEqual(seen.map((x) => x.kind), ['loading', 'ok', 'ok']);
    s.dispose();
  });

  it('drops the answer of a fetch overtaken by a reset', async () => {
    const s = new ManualStore();
    s.refresh();
    s.goOffline();
    s.calls[0].resolve([9]);
    assert.deepEqual(await s.settled(), { kind: 'offline' });
  });

  it('shows a failed fetch as an error snapshot and recovers on the next one', async () => {
    const s = new ManualStore();
    s.refresh();
    s.calls[0].reject(new Error('engine said no'));
    assert.deepEqual(await s.settled(), { kind: 'error', message: 'engine said no' });
    s.refresh();
    s.calls[1].resolve([3]);
    assert.deepEqual(await s.settled(), { kind: 'ok', items: [3] });
  });

  it('does nothing while the source cannot fetch', async () => {
    const s = new ManualStore();
    s.available = false;
    s.refresh();
    assert.deepEqual(await s.settled(), { kind: 'offline' });
  });

  it('settled() flushes a scheduled refresh instead of waiting out the debounce', async () => {
    const s = new ManualStore(60_000);
    s.schedule();
    const done = s.settled();
    await until(() => s.calls.length === 1);
    s.calls[0].resolve([4]);
    assert.deepEqual(await done, { kind: 'ok', items: [4] });
  });
});
