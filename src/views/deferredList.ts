// A ListSource whose real source is attached later: views must exist when
// the extension activates, but the code behind some of them (the machine
// layer, with ssh2) loads only after activation has returned.

import { Emitter, type Disposable } from '../base/emitter';
import type { Snapshot } from '../base/listStore';
import type { ListSource } from '../base/listStore';

export class DeferredList<T> implements ListSource<T>, Disposable {
  private inner: ListSource<T> | undefined;
  private sub: Disposable | undefined;
  private readonly changed = new Emitter<Snapshot<T>>();
  readonly onDidChange = this.changed.event;
  private resolveReady!: (s: ListSource<T>) => void;
  private readonly ready = new Promise<ListSource<T>>((r) => (this.resolveReady = r));

  attach(inner: ListSource<T>): void {
    this.inner = inner;
    this.sub = inner.onDidChange((s) => this.changed.fire(s));
    this.resolveReady(inner);
    this.changed.fire(inner.snapshot);
  }

  get snapshot(): Snapshot<T> {
    return this.inner?.snapshot ?? { kind: 'loading' };
  }

  async settled(): Promise<Snapshot<T>> {
    return (await this.ready).settled();
  }

  dispose(): void {
    this.sub?.dispose();
    this.changed.dispose();
  }
}
