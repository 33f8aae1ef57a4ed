// One shared `/events` stream per engine connection, with reconnect and
// exponential backoff. Views refresh from these events only; when the stream
// comes back after a loss, `connected` fires again and every view does one
// full refresh (events missed while down are not replayed one by one).

import type { Readable } from 'node:stream';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '../base/backoff';
import { Emitter, type Disposable } from '../base/emitter';

export type ResourceType = 'container' | 'image' | 'volume' | 'network';

export interface EngineEvent {
  type: ResourceType;
  action: string;
  /** Container/image/network id, or volume name. */
  id: string;
  attributes: Record<string, string>;
  timeNano: number;
}

export type StreamState =
  | { kind: 'connected'; reconnected: boolean }
  | { kind: 'disconnected'; error: unknown; retryInMs: number };

/** Parses one line of the events stream; undefined for lines we do not use. */
export function parseEventLine(line: string): EngineEvent | undefined {
  let raw: { Type?: string; Action?: string; Actor?: { ID?: string; Attributes?: Record<string, string> }; timeNano?: number };
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  const type = raw.Type;
  if (type !== 'container' && type !== 'image' && type !== 'volume' && type !== 'network') return undefined;
  return {
    type,
    action: raw.Action ?? '',
    id: raw.Actor?.ID ?? '',
    attributes: raw.Actor?.Attributes ?? {},
    timeNano: raw.timeNano ?? 0,
  };
}

export class EventStream implements Disposable {
  private readonly onEventEmitter = new Emitter<EngineEvent>();
  private readonly onStateEmitter = new Emitter<StreamState>();
  readonly onEvent = this.onEventEmitter.event;
  readonly onState = this.onStateEmitter.event;

  private stream: Readable | undefined;
  private timer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private everConnected = false;
  private disposed = false;

  constructor(
    private readonly open: () => Promise<Readable>,
    private readonly backoff: BackoffOptions = DEFAULT_BACKOFF,
  ) {}

  start(): void {
    void this.connect();
  }

  private async connect(): Promise<void> {
    if (this.disposed) return;
    let s: Readable;
    try {
      s = await this.open();
    } catch (err) {
      this.scheduleRetry(err);
      return;
    }
    if (this.disposed) {
      s.destroy();
      return;
    }
    this.stream = s;
    this.attempt = 0;
    const reconnected = this.everConnected;
    this.everConnected = true;
    this.onStateEmitter.fire({ kind: 'connected', reconnected });

    let buf = '';
    s.setEncoding?.('utf8');
    s.on('data', (chunk: string | Buffer) => {
      buf += chunk.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        const ev = parseEventLine(line);
        if (ev) this.onEventEmitter.fire(ev);
      }
    });
    let ended = false;
    const lost = (err: unknown) => {
      if (ended) return;
      ended = true;
      this.stream = undefined;
      s.destroy();
      this.scheduleRetry(err ?? new Error('The engine closed the event stream.'));
    };
    s.on('error', lost);
    s.on('end', () => lost(undefined));
    s.on('close', () => lost(undefined));
  }

  private scheduleRetry(error: unknown): void {
    if (this.disposed) return;
    const retryInMs = backoffDelay(this.attempt++, this.backoff);
    this.onStateEmitter.fire({ kind: 'disconnected', error, retryInMs });
    this.timer = setTimeout(() => void this.connect(), retryInMs);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.stream?.destroy();
    this.stream = undefined;
    this.onEventEmitter.dispose();
    this.onStateEmitter.dispose();
  }
}
