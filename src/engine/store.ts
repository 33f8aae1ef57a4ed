// A cached list of one kind of engine resource, refreshed by engine events
// (debounced) and fully after every (re)connect. No polling: with an idle
// engine a store sends no requests at all.

import { ListStore } from '../base/listStore';
import type { EngineClient } from './client';
import type { EngineConnection } from './connection';
import type { EngineEvent } from './events';

export interface StoreOptions<T> {
  fetch: (client: EngineClient) => Promise<T[]>;
  /** Whether an event can change this list. */
  relevant: (e: EngineEvent) => boolean;
  debounceMs?: number;
}

export class ResourceStore<T> extends ListStore<T> {
  constructor(
    private readonly conn: EngineConnection,
    private readonly opts: StoreOptions<T>,
  ) {
    super({ kind: 'offline' }, opts.debounceMs ?? 60);
    this.subs.add(
      conn.onState((s) => {
        // A new connection means a new client: what the old one was fetching is stale.
        if (s.kind === 'connected') {
          this.reset(this.snapshot.kind === 'ok' ? this.snapshot : { kind: 'loading' });
          this.refresh();
        } else if (s.kind === 'unreachable' || s.kind === 'idle') this.reset({ kind: 'offline' });
      }),
    );
    this.subs.add(
      conn.onEvent((e) => {
        if (opts.relevant(e)) this.schedule();
      }),
    );
    if (conn.state.kind === 'connected') this.refresh();
  }

  protected fetch(): Promise<T[]> | undefined {
    const client = this.conn.client;
    return client ? this.opts.fetch(client) : undefined;
  }
}
