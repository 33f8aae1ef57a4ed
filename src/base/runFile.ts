// Running a short-lived program to completion without blocking the event
// loop: the asynchronous replacement for spawnSync in code the extension host
// loads (credential helpers, `compose version`, QEMU's help listings).
// Always an argv array, never a shell string.

import { spawn } from 'node:child_process';

export interface RunFileOptions {
  /** Written to the program's stdin, which is then closed (stdin is empty otherwise). */
  input?: string;
  env?: NodeJS.ProcessEnv;
  /** The program is killed after this long and the result says `timedOut`. */
  timeoutMs: number;
  /** Aborting kills the program and rejects with an AbortError. */
  signal?: AbortSignal;
  /** Output kept per stream; the rest is dropped (default 1 MiB). */
  maxBytes?: number;
}

export interface RunFileResult {
  /** Exit code, or null when the program was killed (by the timeout or otherwise). */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs `exe` with `args` and resolves when it has finished or timed out.
 * Rejects only when the program could not be started (e.g. ENOENT, with the
 * spawn error as is) or when `signal` aborted it.
 */
export function runFile(exe: string, args: readonly string[], opts: RunFileOptions): Promise<RunFileResult> {
  const max = opts.maxBytes ?? 1024 * 1024;
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(abortError(exe));
      return;
    }
    const child = spawn(exe, args, { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    let stdout = '';
    let stderr = '';
    let settled = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (stdout.length < max) stdout += d.slice(0, max - stdout.length);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < max) stderr += d.slice(0, max - stderr.length);
    });
    // A program that exits before reading its input must not crash us with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');

    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      settle();
    };
    // On timeout or abort we do not wait for 'close': a grandchild that
    // inherited the pipes could keep them open for as long as it lives.
    const stop = () => {
      child.kill('SIGKILL');
      child.stdout.destroy();
      child.stderr.destroy();
    };
    const timer = setTimeout(() => {
      stop();
      finish(() => resolve({ code: null, stdout, stderr, timedOut: true }));
    }, opts.timeoutMs);
    const onAbort = () => {
      stop();
      finish(() => reject(abortError(exe)));
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => finish(() => reject(err)));
    child.on('close', (code) => finish(() => resolve({ code, stdout, stderr, timedOut: false })));
  });
}

function abortError(exe: string): Error {
  const err = new Error(`"${exe}" was cancelled.`);
  err.name = 'AbortError';
  return err;
}

/** A child's stderr (else stdout) shortened to one readable line, for error messages. */
export function outputDetail(r: Pick<RunFileResult, 'stdout' | 'stderr'>, maxChars = 300): string {
  const text = (r.stderr.trim() || r.stdout.trim()).replace(/\s+/g, ' ');
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}
