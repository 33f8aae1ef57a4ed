// The terminal of a Slipway task: runs one piece of work, streams its text
// (LF turned into CRLF), and closes with the work's exit code. Closing the
// terminal (or terminating the task) aborts the work.

import * as vscode from 'vscode';
import { toTerminalText } from '../terminals/streamPty';

export type TaskWork = (write: (text: string) => void, signal: AbortSignal) => Promise<number>;

export function taskPty(work: TaskWork): vscode.Pseudoterminal {
  const write = new vscode.EventEmitter<string>();
  const close = new vscode.EventEmitter<number>();
  const abort = new AbortController();
  let done = false;
  return {
    onDidWrite: write.event,
    onDidClose: close.event,
    open() {
      work((t) => write.fire(toTerminalText(t)), abort.signal).then(
        (code) => {
          done = true;
          close.fire(code);
        },
        (err: Error) => {
          done = true;
          write.fire(`\x1b[31m${toTerminalText(err.message)}\x1b[0m\r\n`);
          close.fire(1);
        },
      );
    },
    close() {
      if (!done) abort.abort();
    },
  };
}
