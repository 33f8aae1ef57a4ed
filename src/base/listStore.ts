// A cached list that refreshes on demand: debounced (a burst of triggers costs
// one fetch), coalesced (a refresh asked for during a fetch runs once after
// it), and stale-safe (a fetch that was overtaken by a reset is dropped). What
// triggers a refresh is the subclass's business: engine events for the
// resource stores (engine/store.ts), file changes for the machine list
// (machine/watch.ts). Nothing here polls.

import { DisposableStore } from './disposables';
import { Emitter, type Disposable } from './emitter';

export type Snapshot<T> =
  | { kind: 'offline' }
  | { kind: 'loading' }
  | { kind: 'ok'; items: T[] }
  | { kind: 'error'; message: string };

/** What a view reads: a snapshot, a change event, and a way to wait for a refresh in flight. */
export interface ListSource<T> {
  readonly snapshot: Snapshot<T>;
  onDidChange(listener: (s: Snapshot<T>) => void): Disposable;
  settled(): Promise<Snapshot<T>>;
}

export abstract class ListStore<T> implements ListSource<T>, Disposable {
  private readonly changed = new Emitter<Snapshot<T>>();
  readonly onDidChange = this.changed.event;
  private snap: Snapshot<T>;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private again = false;
  private generation = 0;
  /** The subclass's subscriptions, disposed with the store. */
  protected readonly subs = new DisposableStore();

  constructor(
    initial: Snapshot<T>,
    private readonly debounceMs: number,
  ) {
    this.snap = initial;
  }

  /** The items now, or undefined when they cannot be fetched now (e.g. no connection). */
  protected abstract fetch(): Promise<T[]> | undefined;

  get snapshot(): Snapshot<T> {
    return this.snap;
  }

  /** Resolves once the scheduled and running refreshes (if any) have finished. */
  async settled(): Promise<Snapshot<T>> {
    while (this.inFlight || this.timer) {
      if (this.timer) {
        clearTimeout(this.timer);
        this.timer = undefined;
        this.refresh();
      }
      await this.inFlight;
    }
    return this.snap;
  }

  /** Refresh after the debounce delay; more calls within it cost nothing. */
  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refresh();
    }, this.debounceMs);
  }

  /** Fetch now (coalesced: a refresh asked for during a fetch runs once after it). */
  refresh(): void {
    if (this.inFlight) {
      this.again = true;
      return;
    }
    const generation = this.generation;
    let pending: Promise<T[]> | undefined;
    try {
      pending = this.fetch();
    } catch (err) {
      pending = Promise.reject(err);
    }
    if (!pending) return;
    if (this.snap.kind !== 'ok') this.set({ kind: 'loading' });
    this.inFlight = pending
      .then(
        (items) => {
          if (generation === this.generation) this.set({ kind: 'ok', items });
        },
        (err) => {
          if (generation === this.generation) this.set({ kind: 'error', message: (err as Error)?.message ?? String(err) });
        },
      )
      .finally(() => {
        this.inFlight = undefined;
        if (this.again) {
          this.again = false;
          this.refresh();
        }
      });
  }

  /** Replaces the snapshot and drops the answer of any fetch still running (its source is gone). */
  protected reset(s: Snapshot<T>): void {
    this.generation++;
    this.again = false;
    if (s !== this.snap) this.set(s);
  }

  private set(s: Snapshot<T>): void {
    this.snap = s;
    this.changed.fire(s);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.subs.dispose();
    this.changed.dispose();
  }
}
