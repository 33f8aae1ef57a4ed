// A unix-socket proxy in front of dockerd that counts the HTTP requests the
// client sends (request lines seen on the client→engine direction). Used to
// prove, at the wire, that idle views send nothing. It can also drop every
// connection, to simulate a lost engine.

import * as net from 'node:net';
import * as fs from 'node:fs';

const REQUEST_LINE = /(?:^|\r\n)(GET|POST|PUT|DELETE|HEAD) (\/[^ ]*) HTTP\/1\.[01]\r\n/g;

export interface CountingProxy {
  socket: string;
  host: string;
  /** Request lines seen so far, as "METHOD /path". */
  requests: string[];
  /** Closes every open connection (the client sees the engine go away). */
  dropConnections(): void;
  close(): Promise<void>;
}

/** Listens on `socket` (a path; replaced if a stale file is there) and forwards to the unix socket `target`. */
export function startCountingProxy(target: string, socket: string): Promise<CountingProxy> {
  fs.rmSync(socket, { force: true });
  const requests: string[] = [];
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target);
    open.add(client).add(upstream);
    let carry = '';
    client.on('data', (d) => {
      // Keep a little of the previous chunk so a request line split across chunks is still seen.
      const text = carry + d.toString('latin1');
      for (const m of text.matchAll(REQUEST_LINE)) {
        if (m.index! + m[0].length > carry.length) requests.push(`${m[1]} ${m[2]}`);
      }
      carry = text.slice(-2048);
      upstream.write(d);
    });
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () =>
      resolve({
        socket,
        host: `unix://${socket}`,
        requests,
        dropConnections: () => open.forEach((s) => s.destroy()),
        close: () =>
          new Promise<void>((r) => {
            open.forEach((s) => s.destroy());
            server.close(() => {
              fs.rmSync(socket, { force: true });
              r();
            });
          }),
      }),
    );
  });
}
