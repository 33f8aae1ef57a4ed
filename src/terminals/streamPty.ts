// Pseudoterminals backed by engine streams: a read-only log follower and an
// interactive session (exec or attach) with a real pty and resize.

import * as vscode from 'vscode';
import type { Readable } from 'node:stream';
import type { InteractiveSession } from '../engine/client';

/** Terminals need CRLF; a TTY stream already has it, a log stream has bare LF. */
export function toTerminalText(chunk: string): string {
  return chunk.replace(/\r?\n/g, '\r\n');
}

/** Streams a log into the terminal; the terminal stays open after the stream ends. */
export function logPty(title: string, open: () => Promise<Readable>): vscode.Pseudoterminal {
  const write = new vscode.EventEmitter<string>();
  let stream: Readable | undefined;
  let closed = false;
  return {
    onDidWrite: write.event,
    open() {
      write.fire(`\x1b[2m${title}\x1b[0m\r\n`);
      open().then(
        (s) => {
          if (closed) return s.destroy();
          stream = s;
          s.setEncoding('utf8');
          s.on('data', (d: string) => write.fire(toTerminalText(d)));
          s.on('end', () => write.fire('\r\n\x1b[2m— end of log —\x1b[0m\r\n'));
          s.on('error', (e) => write.fire(`\r\n\x1b[31m${e.message}\x1b[0m\r\n`));
        },
        (e: Error) => write.fire(`\x1b[31m${e.message}\x1b[0m\r\n`),
      );
    },
    close() {
      closed = true;
      stream?.destroy();
      write.dispose();
    },
  };
}

export type { InteractiveSession };

/** An interactive terminal over a hijacked engine stream (exec or attach with a TTY). */
export function interactivePty(start: (rows: number, cols: number) => Promise<InteractiveSession>): vscode.Pseudoterminal {
  const write = new vscode.EventEmitter<string>();
  const close = new vscode.EventEmitter<number | void>();
  let session: InteractiveSession | undefined;
  let size: { rows: number; cols: number } | undefined;
  let disposed = false;
  return {
    onDidWrite: write.event,
    onDidClose: close.event,
    open(dims) {
      size = dims ? { rows: dims.rows, cols: dims.columns } : { rows: 24, cols: 80 };
      start(size.rows, size.cols).then(
        (s) => {
          if (disposed) return s.stream.destroy();
          session = s;
          s.stream.setEncoding('utf8');
          s.stream.on('data', (d: string) => write.fire(d));
          s.stream.on('end', () => {
            void s.exitCode().then((code) => close.fire(code ?? 0), () => close.fire(0));
          });
          s.stream.on('error', (e) => write.fire(`\r\n\x1b[31m${e.message}\x1b[0m\r\n`));
          // The size may have changed while connecting.
          if (size) void s.resize(size.rows, size.cols).catch(() => undefined);
        },
        (e: Error) => {
          write.fire(`\x1b[31m${e.message}\x1b[0m\r\nPress any key to close.\r\n`);
        },
      );
    },
    handleInput(data) {
      if (session) session.stream.write(data);
      else close.fire(1);
    },
    setDimensions(d) {
      size = { rows: d.rows, cols: d.columns };
      void session?.resize(d.rows, d.columns).catch(() => undefined);
    },
    close() {
      disposed = true;
      session?.stream.end();
      session?.stream.destroy();
    },
  };
}
