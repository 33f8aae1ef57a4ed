// Whether the guest's Docker engine answers: GET /_ping over an SSH channel to
// its socket, with no HTTP client in between (the status line is enough).

import { delay } from '../base/timeout';
import type { SshSession } from '../ssh/session';

export const GUEST_DOCKER_SOCKET = '/var/run/docker.sock';

/** GET /_ping on the guest's Docker socket through an SSH channel, retried until `timeoutMs`. */
export async function pingDocker(session: SshSession, what: string, timeoutMs: number, socketPath = GUEST_DOCKER_SOCKET): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    try {
      const ch = await session.openUnix(socketPath);
      const reply = await new Promise<string>((resolve) => {
        let buf = '';
        const done = () => {
          clearTimeout(timer);
          ch.destroy();
          resolve(buf);
        };
        // The status line is all we need; do not wait for the channel to close.
        ch.on('data', (d: Buffer) => {
          buf += d.toString();
          if (buf.includes('\r\n')) done();
        });
        ch.on('end', done);
        ch.on('close', done);
        ch.on('error', done);
        const timer = setTimeout(done, 5000);
        ch.write('GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n');
      });
      if (/^HTTP\/1\.[01] 200/.test(reply)) return;
      last = `it answered "${reply.split('\r\n')[0] || '(nothing)'}"`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() >= deadline) throw new Error(`The Docker engine in ${what} did not answer within ${Math.round(timeoutMs / 1000)} s: ${last}`);
    await delay(250);
  }
}
