// An SSH channel dressed as a socket for node's http client.

import { Duplex } from 'node:stream';
import type { ClientChannel } from 'ssh2';

/**
 * A Duplex over an SSH channel with the net.Socket methods node's http
 * client calls (setTimeout, setNoDelay, setKeepAlive, ref, unref), so the
 * channel can stand in for a socket. Half-closes pass through: hijacked exec
 * streams end their write side and keep reading.
 */
export class ChannelSocket extends Duplex {
  private timeoutMs = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Bytes received so far. */
  received = 0;

  constructor(private readonly ch: ClientChannel) {
    super({ allowHalfOpen: true });
    ch.on('data', (d: Buffer) => {
      this.received += d.length;
      this.touch();
      if (this.push(d)) returnWindow(ch);
      else ch.pause();
    });
    ch.on('end', () => this.push(null));
    ch.on('error', (e: Error) => this.destroy(e));
    ch.on('close', () => {
      this.push(null);
      if (!this.writableEnded) this.end();
    });
  }

  override _read(): void {
    this.ch.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.touch();
    this.ch.write(chunk) ? cb() : this.ch.once('drain', () => cb());
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.ch.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
    clearTimeout(this.timer);
    this.ch.close();
    cb(err);
  }

  /** Like net.Socket: 'timeout' after `ms` without traffic (0 turns it off). */
  setTimeout(ms: number, cb?: () => void): this {
    this.timeoutMs = ms;
    if (cb) this.once('timeout', cb);
    this.touch();
    return this;
  }

  private touch(): void {
    clearTimeout(this.timer);
    if (this.timeoutMs > 0 && !this.destroyed) {
      this.timer = setTimeout(() => this.emit('timeout'), this.timeoutMs);
      this.timer.unref();
    }
  }

  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}

/** ssh2's channel window (lib/Channel.js MAX_WINDOW). */
const CHANNEL_WINDOW = 2 * 1024 * 1024;

/**
 * Gives the server its window back as soon as data is consumed. ssh2 waits
 * until half the 2 MiB window is used, so after a response's first packet the
 * client sends nothing, its kernel delays the TCP ACK (40 ms on Linux) and
 * sshd's Nagle holds the rest of the response until then: every response of
 * more than one packet took 40 ms longer. The adjust carries the ACK at once.
 * Only called while the reader keeps up, so backpressure is unchanged. Uses
 * ssh2 1.17 channel internals (the same steps as its windowAdjust); does
 * nothing if they are not there.
 */
function returnWindow(ch: ClientChannel): void {
  const c = ch as unknown as {
    incoming?: { window: number };
    outgoing?: { id: number; state: string };
    _client?: { _protocol?: { channelWindowAdjust?(id: number, amount: number): void } };
  };
  const proto = c._client?._protocol;
  if (!c.incoming || !c.outgoing || c.outgoing.state === 'closed' || typeof proto?.channelWindowAdjust !== 'function') return;
  const amount = CHANNEL_WINDOW - c.incoming.window;
  if (amount <= 0) return;
  c.incoming.window += amount;
  proto.channelWindowAdjust(c.outgoing.id, amount);
}
