// A live list of machines for the editor: re-read when anything under the
// machines directory changes (the CLI in a terminal, another window, a crash)
// or when this process's Machines reports an event. No polling: fs.watch.

import * as fs from 'node:fs';
import { Emitter, type Disposable } from '../base/emitter';
import type { Snapshot } from '../engine/store';
import { hostOs, machinesDir } from './layout';
import type { Machines, MachineStatus } from './machine';

export class MachineList implements Disposable {
  private readonly changed = new Emitter<Snapshot<MachineStatus>>();
  readonly onDidChange = this.changed.event;
  private snap: Snapshot<MachineStatus> = { kind: 'loading' };
  private watcher: fs.FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly sub: Disposable;

  constructor(
    private readonly machines: Machines,
    private readonly debounceMs = 150,
  ) {
    this.sub = machines.onEvent(() => this.schedule());
  }

  /** Starts watching (after activation: it touches the disk). */
  start(): void {
    this.refresh();
    this.watch();
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

  get snapshot(): Snapshot<MachineStatus> {
    return this.snap;
  }

  async settled(): Promise<Snapshot<MachineStatus>> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.refresh();
    }
    return this.snap;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refresh();
    }, this.debounceMs);
  }

  refresh(): void {
    try {
      this.snap = { kind: 'ok', items: this.machines.list() };
    } catch (err) {
      this.snap = { kind: 'error', message: (err as Error).message };
    }
    this.changed.fire(this.snap);
  }

  /** Running machines whose Docker socket is served: engine endpoints. */
  runningEngines(): { name: string; dockerHost: string }[] {
    const s = this.snap.kind === 'ok' ? this.snap.items : safeList(this.machines);
    return s.filter((m) => m.state === 'running' && m.dockerSocketServed && m.dockerHost).map((m) => ({ name: m.name, dockerHost: m.dockerHost }));
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
    this.sub.dispose();
    this.changed.dispose();
  }
}

function safeList(m: Machines): MachineStatus[] {
  try {
    return m.list();
  } catch {
    return [];
  }
}
