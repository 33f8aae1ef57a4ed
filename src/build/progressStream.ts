// The engine answers /build, /images/create and /images/push with
// newline-delimited JSON messages. This splits a byte stream into them.

import type { Readable } from 'node:stream';

/** One message of the engine's JSON progress stream (fields we use). */
export interface ProgressMessage {
  stream?: string;
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { code?: number; message?: string };
  aux?: { ID?: string; Tag?: string; Digest?: string; Size?: number };
}

/** Splits chunks into JSON messages; a line that is not JSON becomes a `stream` message. */
export class JsonLineSplitter {
  private rest = '';

  push(chunk: string): ProgressMessage[] {
    this.rest += chunk;
    const lines = this.rest.split(/\r?\n/);
    this.rest = lines.pop() ?? '';
    return lines.filter((l) => l.trim()).map(parseLine);
  }

  end(): ProgressMessage[] {
    const r = this.rest.trim();
    this.rest = '';
    return r ? [parseLine(r)] : [];
  }
}

function parseLine(line: string): ProgressMessage {
  try {
    const v = JSON.parse(line) as unknown;
    if (v && typeof v === 'object') return v as ProgressMessage;
  } catch {
    // fall through
  }
  return { stream: line + '\n' };
}

/** Feeds each message of `stream` to `onMessage`; resolves when the stream ends. */
export function readProgress(stream: Readable, onMessage: (m: ProgressMessage) => void): Promise<void> {
  const split = new JsonLineSplitter();
  return new Promise((resolve, reject) => {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => split.push(chunk).forEach(onMessage));
    stream.on('end', () => {
      split.end().forEach(onMessage);
      resolve();
    });
    stream.on('error', reject);
    stream.on('close', () => {
      split.end().forEach(onMessage);
      resolve();
    });
  });
}
