// A minimal typed event emitter for the layers that cannot use vscode.EventEmitter.
// Listener errors are isolated: one bad listener never stops the others.

export type Listener<T> = (value: T) => void;

export interface Disposable {
  dispose(): void;
}

export class Emitter<T> implements Disposable {
  private listeners = new Set<Listener<T>>();

  /** Subscribe; the returned handle unsubscribes. */
  readonly event = (listener: Listener<T>): Disposable => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(value);
      } catch (err) {
        queueMicrotask(() => {
          // Surface it without breaking the emitter's loop.
          console.error('slipway: listener failed', err);
        });
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
