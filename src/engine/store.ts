// A cached list of one kind of engine resource, refreshed by engine events
// (debounced) and fully after every (re)connect. No polling: with an idle
// engine a store sends no requests at all.

import type { EngineClient } from './client';
import type { EngineConnection } from './connection';
import { Emitter, type Disposable } from '../base/emitter';
import type { EngineEvent } from './events';

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

export interface StoreOptions<T> {
  fetch: (client: EngineClient) => Promise<T[]>;
  /** Whether an event can change this list. */
  relevant: (e: EngineEvent) => boolean;
  debounceMs?: number;
}

export class ResourceStore<T> implements Disposable, ListSource<T> {
  private readonly changed = new Emitter<Snapshot<T>>();
  readonly onDidChange = this.changed.event;
  private snap: Snapshot<T> = { kind: 'offline' };
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private again = false;
  private readonly subs: Disposable[] = [];

  constructor(
    private readonly conn: EngineConnection,
    private readonly opts: StoreOptions<T>,
  ) {
    this.subs.push(
      conn.onState((s) => {
        if (s.kind === 'connected') this.refresh();
        else if (s.kind === 'unreachable' || s.kind === 'idle') this.set({ kind: 'offline' });
      }),
      conn.onEvent((e) => {
        if (opts.relevant(e)) this.schedule();
      }),
    );
    if (conn.state.kind === 'connected') this.refresh();
  }

  get snapshot(): Snapshot<T> {
    return this.snap;
  }

  /** Resolves once the current refresh (if any) has finished. */
  async settled(): Promise<Snapshot<T>> {
    while (this.inFlight || this.timer) {
      await (this.inFlight ?? new Promise((r) => setTimeout(r, this.opts.debounceMs ?? 60)));
    }
    return this.snap;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refresh();
    }, this.opts.debounceMs ?? 60);
  }

  /** Fetch now (coalesced: a refresh asked for during a fetch runs once after it). */
  refresh(): void {
    if (this.inFlight) {
      this.again = true;
      return;
    }
    const client = this.conn.client;
    if (!client) return;
    if (this.snap.kind !== 'ok') this.set({ kind: 'loading' });
    this.inFlight = this.opts.fetch(client).then(
      (items) => {
        if (this.conn.client === client) this.set({ kind: 'ok', items });
      },
      (err) => {
        if (this.conn.client === client) this.set({ kind: 'error', message: (err as Error).message ?? String(err) });
      },
    ).finally(() => {
      this.inFlight = undefined;
      if (this.again) {
        this.again = false;
        this.refresh();
      }
    });
  }

  private set(s: Snapshot<T>): void {
    this.snap = s;
    this.changed.fire(s);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.subs.forEach((d) => d.dispose());
    this.changed.dispose();
  }
}
