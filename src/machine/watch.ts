// A live list of machines for the editor: re-read when anything under the
// machines directory changes (the CLI in a terminal, another window, a crash)
// or when this process's Machines reports an event, with the same debounce
// and coalescing as the engine's resource stores (base/listStore.ts). No
// polling: fs.watch.

import * as fs from 'node:fs';
import { ListStore } from '../base/listStore';
import { hostOs, machinesDir } from './layout';
import type { Machines } from './machine';
import type { MachineStatus } from './status';

export class MachineList extends ListStore<MachineStatus> {
  private watcher: fs.FSWatcher | undefined;

  constructor(
    private readonly machines: Machines,
    debounceMs = 150,
  ) {
    super({ kind: 'loading' }, debounceMs);
    this.subs.add(machines.onEvent(() => this.schedule()));
    this.subs.add({ dispose: () => this.watcher?.close() });
  }

  /** Starts watching (after activation: it touches the disk). */
  start(): void {
    this.refresh();
    this.watch();
  }

  protected fetch(): Promise<MachineStatus[]> {
    return Promise.resolve().then(() => this.machines.list());
  }

  private watch(): void {
    const dir = machinesDir(this.machines.root, hostOs());
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      this.watcher = fs.watch(dir, { recursive: true }, () => this.schedule());
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      // Recursive watching is unavailable on some file systems: the list still
      // refreshes after every operation started from this window.
      this.watcher = undefined;
    }
  }

  /** Running machines whose Docker socket is served: engine endpoints. */
  runningEngines(): { name: string; dockerHost: string }[] {
    const s = this.snapshot.kind === 'ok' ? this.snapshot.items : safeList(this.machines);
    return s.filter((m) => m.state === 'running' && m.dockerSocketServed && m.dockerHost).map((m) => ({ name: m.name, dockerHost: m.dockerHost }));
  }
}

function safeList(m: Machines): MachineStatus[] {
  try {
    return m.list();
  } catch {
    return [];
  }
}
