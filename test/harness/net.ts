// Small socket probes the tiers share.
import * as net from 'node:net';

/** True when nothing listens on 127.0.0.1:`port` (the connection is refused). */
export function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createConnection(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}
