// Owned cleanups (style.md 7): one store per lifetime (the extension, an engine
// connection, a machine session). Disposing runs the cleanups in reverse order
// of registration, runs every one even when some throw, and throws their
// errors joined in one AggregateError.

import type { Disposable } from './emitter';

export class DisposableStore implements Disposable {
  private items: Disposable[] = [];
  private disposed = false;

  /** Registers `d` and returns it; a store already disposed disposes it at once. */
  add<T extends Disposable>(d: T): T {
    if (this.disposed) disposeAll([d]);
    else this.items.push(d);
    return d;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const items = this.items.reverse();
    this.items = [];
    disposeAll(items);
  }
}

/** Disposes each in order; errors are collected and thrown together afterwards. */
export function disposeAll(items: Iterable<Disposable>): void {
  const errors: unknown[] = [];
  for (const d of items) {
    try {
      d.dispose();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} cleanups failed: ${errors.map((e) => (e as Error)?.message ?? String(e)).join('; ')}`);
}
