// Running commands over an SSH connection: argv in, the one command line the
// remote shell needs built by shellQuote (quote.ts), nothing else.

import type { Client, ClientChannel } from 'ssh2';
import { shellQuote } from './quote';

export interface ExecResult {
  code: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
}

/** Runs `argv` on the remote host and collects its output. The command line is built by shellQuote only. */
export function execOn(client: Client, argv: readonly string[], opts: { stdin?: string | Buffer } = {}): Promise<ExecResult> {
  const command = shellQuote(argv);
  return new Promise((resolve, reject) => {
    client.exec(command, (err, stream: ClientChannel) => {
      if (err) return reject(new Error(`Cannot run "${argv[0]}" over SSH: ${err.message}`, { cause: err }));
      const out: Buffer[] = [];
      const errOut: Buffer[] = [];
      let code: number | null = null;
      let signal: string | undefined;
      stream.on('data', (d: Buffer) => out.push(d));
      stream.stderr.on('data', (d: Buffer) => errOut.push(d));
      stream.on('exit', (c: number | null, sig?: string) => {
        code = c;
        signal = sig ?? undefined;
      });
      stream.on('close', () => resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errOut).toString('utf8') }));
      stream.on('error', reject);
      if (opts.stdin !== undefined) stream.end(opts.stdin);
      else stream.end();
    });
  });
}

/** Starts `argv` remotely and hands over its channel (stdin/stdout as a duplex, `.stderr` apart) for the caller to drive. */
export function openExecChannel(client: Client, argv: readonly string[]): Promise<ClientChannel> {
  const command = shellQuote(argv);
  return new Promise((resolve, reject) =>
    client.exec(command, (err, stream) => (err ? reject(new Error(`Cannot run "${argv[0]}" over SSH: ${err.message}`, { cause: err })) : resolve(stream))),
  );
}

export interface StreamIO {
  stdin?: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Runs `argv` remotely with its output streamed to `io`; resolves with the exit code (null when killed by a signal). */
export function execStreaming(client: Client, argv: readonly string[], io: StreamIO): Promise<number | null> {
  const command = shellQuote(argv);
  return new Promise((resolve, reject) => {
    client.exec(command, (err, stream) => {
      if (err) return reject(new Error(`Cannot run "${argv[0]}" over SSH: ${err.message}`, { cause: err }));
      let code: number | null = null;
      stream.on('exit', (c: number | null) => (code = c));
      stream.on('data', (d: Buffer) => io.stdout.write(d));
      stream.stderr.on('data', (d: Buffer) => io.stderr.write(d));
      stream.on('close', () => {
        io.stdin?.unpipe(stream);
        resolve(code);
      });
      if (io.stdin) io.stdin.pipe(stream);
      else stream.end();
    });
  });
}

/** An interactive login shell on a terminal (raw mode while it runs); resolves with its exit code. */
export function interactiveShell(client: Client, io: Required<StreamIO> & { stdin: NodeJS.ReadStream; stdout: NodeJS.WriteStream }): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const window = { term: process.env.TERM || 'xterm-256color', rows: io.stdout.rows || 24, cols: io.stdout.columns || 80 };
    client.shell(window, (err, stream) => {
      if (err) return reject(new Error(`Cannot open a shell over SSH: ${err.message}`, { cause: err }));
      let code: number | null = null;
      const wasRaw = io.stdin.isRaw;
      if (io.stdin.isTTY) io.stdin.setRawMode(true);
      const onResize = () => stream.setWindow(io.stdout.rows, io.stdout.columns, 0, 0);
      io.stdout.on('resize', onResize);
      io.stdin.pipe(stream);
      stream.pipe(io.stdout, { end: false });
      stream.stderr.pipe(io.stderr, { end: false });
      stream.on('exit', (c: number | null) => (code = c));
      stream.on('close', () => {
        io.stdin.unpipe(stream);
        if (io.stdin.isTTY) io.stdin.setRawMode(wasRaw);
        io.stdin.pause();
        io.stdout.removeListener('resize', onResize);
        resolve(code);
      });
    });
  });
}
