// Ordering for a server that runs requests concurrently (sshfs keeps many in
// flight, and the file system calls go to libuv's thread pool).

/**
 * A readers-writer lock over the share's name space. Requests that resolve a
 * path and then act on it hold it shared; requests that can put a symlink or
 * move a name where a path is being resolved (SYMLINK, RENAME, posix-rename,
 * hardlink) hold it exclusively. So the guest cannot swap a checked directory
 * for a symlink between our check and our use of it.
 */
export class NameSpaceLock {
  private readers = 0;
  private writer = false;
  private waiting: Array<{ exclusive: boolean; go: () => void }> = [];

  async shared<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire(false);
    try {
      return await fn();
    } finally {
      this.readers--;
      this.pump();
    }
  }

  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire(true);
    try {
      return await fn();
    } finally {
      this.writer = false;
      this.pump();
    }
  }

  private acquire(exclusive: boolean): Promise<void> {
    return new Promise((go) => {
      this.waiting.push({ exclusive, go });
      this.pump();
    });
  }

  /** Grants in arrival order: a waiting writer holds back later readers. */
  private pump(): void {
    while (this.waiting.length && !this.writer) {
      const next = this.waiting[0];
      if (next.exclusive && this.readers > 0) return;
      this.waiting.shift();
      if (next.exclusive) this.writer = true;
      else this.readers++;
      next.go();
      if (next.exclusive) return;
    }
  }
}

/**
 * Per open file: WRITE, FSTAT, FSETSTAT, fsync and CLOSE run one at a time in
 * arrival order (overlapping writes must land in order; a size after a write
 * must include it); READs run concurrently with each other, after the
 * serialized requests that arrived before them. CLOSE also waits for reads.
 */
export class HandleOrder {
  private tail: Promise<unknown> = Promise.resolve();
  private reads = new Set<Promise<unknown>>();

  serial<T>(fn: () => Promise<T>, waitForReads = false): Promise<T> {
    const prev = this.tail;
    const reads = waitForReads ? [...this.reads] : [];
    const run = prev.then(async () => {
      await Promise.allSettled(reads);
      return fn();
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  read<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn);
    const settled = run.catch(() => undefined);
    this.reads.add(settled);
    void settled.then(() => this.reads.delete(settled));
    return run;
  }
}
