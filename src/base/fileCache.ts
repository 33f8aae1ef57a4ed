// Answers about a program that only change when the program does (its
// version, its help listings), remembered per file: path, device, inode,
// size and mtime. A replaced or upgraded binary is asked again.

import { stat } from 'node:fs/promises';

export class FileAnswerCache<T> {
  private readonly entries = new Map<string, { stamp: string; answer: Promise<T> }>();

  /**
   * The remembered answer for `key` while `file` is unchanged, else `ask()`'s
   * (concurrent callers share one `ask`). Answers that `keep` refuses (a
   * timeout, say) are not remembered. Undefined when `file` is not a regular file.
   */
  async get(key: string, file: string, ask: () => Promise<T>, keep: (answer: T) => boolean = () => true): Promise<T | undefined> {
    let stamp: string;
    try {
      const st = await stat(file);
      if (!st.isFile()) throw new Error('not a file');
      stamp = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      this.entries.delete(key);
      return undefined;
    }
    const known = this.entries.get(key);
    if (known?.stamp === stamp) return known.answer;
    const answer = ask();
    this.entries.set(key, { stamp, answer });
    const forget = () => {
      if (this.entries.get(key)?.answer === answer) this.entries.delete(key);
    };
    answer.then((a) => (keep(a) ? undefined : forget()), forget);
    return answer;
  }
}
