import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type Docker from 'dockerode';
import { forwardUnixSocket, PortForwards, type PortEvent } from '../../../src/ssh/forward';
import { desiredPorts } from '../../../src/machine/portSync';
import { generateKeyPair } from '../../../src/ssh/keys';
import { SshSession } from '../../../src/ssh/session';
import { roundTrip, startEcho, startLoopbackSshd, type LoopbackSshd } from './loopbackSshd';
import { freeLoopbackPort as freePort } from '../../../src/machine/runtime';
import { refused } from '../../harness/net';

describe('forwarding over SSH (loopback ssh2 server)', () => {
  let dir: string;
  let sshd: LoopbackSshd;
  let session: SshSession;
  const closers: (() => unknown)[] = [];

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'slipway-fwd-'));
    const client = generateKeyPair('t');
    sshd = await startLoopbackSshd(client.publicKey);
    session = new SshSession({ host: '127.0.0.1', port: sshd.port, username: 'ann', privateKey: client.privateKey, hostKey: sshd.hostKey.publicKey, what: 'test' }).start();
  });
  after(async () => {
    for (const c of closers.reverse()) await c();
    session.dispose();
    await sshd.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves a remote unix socket on a local socket, 0600 in a 0700 directory', async () => {
    const remote = path.join(dir, 'remote.sock');
    const echo = await startEcho('guest:', remote);
    closers.push(() => echo.server.close());
    const local = path.join(dir, 'run', 'docker.sock');
    const l = await forwardUnixSocket(session, remote, local);
    assert.equal(statSync(path.dirname(local)).mode & 0o777, 0o700);
    assert.equal(statSync(local).mode & 0o777, 0o600);
    assert.equal(await roundTrip(local, 'ping'), 'guest:ping');
    assert.equal(await roundTrip(local, 'again'), 'guest:again');
    await l.close();
    assert.equal(existsSync(local), false);
  });

  it('keeps a half-closed connection open for the reply (regression: docker run lost its output)', async () => {
    // Like dockerd's attach: the reply comes after the client has shut down its write side.
    const remote = path.join(dir, 'halfclose.sock');
    const server = net.createServer({ allowHalfOpen: true }, (s) => {
      let got = '';
      s.on('data', (d) => (got += d));
      s.on('end', () => setTimeout(() => s.end(`output after ${got}`), 50));
    });
    await new Promise<void>((r) => server.listen(remote, r));
    closers.push(() => server.close());
    const local = path.join(dir, 'run', 'half.sock');
    const l = await forwardUnixSocket(session, remote, local);
    const reply = await new Promise<string>((resolve, reject) => {
      const c = net.createConnection({ path: local, allowHalfOpen: true });
      let buf = '';
      c.on('data', (d) => (buf += d));
      c.on('end', () => resolve(buf));
      c.on('error', reject);
      c.end('request');
    });
    assert.equal(reply, 'output after request');
    await l.close();
  });

  it('delivers all of a large reply the guest sends and closes at once, to a slow reader (huge logs, docker save)', async () => {
    const remote = path.join(dir, 'big.sock');
    const size = 16 * 1024 * 1024;
    const server = net.createServer((s) => {
      s.on('error', () => undefined);
      s.end(Buffer.alloc(size, 0x61));
    });
    await new Promise<void>((r) => server.listen(remote, r));
    closers.push(() => server.close());
    const local = path.join(dir, 'run', 'big-local.sock');
    const l = await forwardUnixSocket(session, remote, local);
    const received = await new Promise<number>((resolve, reject) => {
      const c = net.createConnection({ path: local });
      let n = 0;
      let stalled = false;
      c.on('data', (d: Buffer) => {
        n += d.length;
        // The reader stalls just before the end: the socket buffers fill and the
        // forwarder still holds the last bytes when the guest side closes.
        if (!stalled && n >= size - 512 * 1024) {
          stalled = true;
          c.pause();
          setTimeout(() => c.resume(), 500);
        }
      });
      c.on('end', () => resolve(n));
      c.on('error', reject);
    });
    assert.equal(received, size);
    await l.close();
  });

  it('replaces a stale socket file but refuses a live one', async () => {
    const remote = path.join(dir, 'remote2.sock');
    const echo = await startEcho('g2:', remote);
    closers.push(() => echo.server.close());
    const local = path.join(dir, 'run', 'stale.sock');
    writeFileSync(local, ''); // what a crashed process leaves behind
    const l = await forwardUnixSocket(session, remote, local);
    assert.equal(await roundTrip(local, 'x'), 'g2:x');
    await assert.rejects(forwardUnixSocket(session, remote, local), /already served by another process/);
    await l.close();
  });

  it('opens and closes published ports as told', async () => {
    const guest = await startEcho('port:', 0);
    closers.push(() => guest.server.close());
    const hostPort = await freePort();
    const ports = new PortForwards(session);
    const events: PortEvent[] = [];
    ports.onEvent((e) => events.push(e));
    // The loopback "guest" is this host, so guest port and host port must differ here.
    await ports.set(new Map([[hostPort, { guestPort: guest.port, owner: 'web' }]]));
    assert.equal(await roundTrip(hostPort, 'hi'), 'port:hi');
    assert.deepEqual(ports.list(), [{ hostPort, guestPort: guest.port, owner: 'web' }]);
    await ports.set(new Map());
    assert.equal(await refused(hostPort), true);
    assert.deepEqual(events.map((e) => e.kind), ['port-forwarded', 'port-closed']);
  });

  it('reports a busy host port as a failed forward without throwing', async () => {
    const busy = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => busy.once('listening', r));
    closers.push(() => busy.close());
    const port = (busy.address() as net.AddressInfo).port;
    const ports = new PortForwards(session);
    const events: PortEvent[] = [];
    ports.onEvent((e) => events.push(e));
    await ports.set(new Map([[port, { guestPort: 1, owner: 'db' }]]));
    assert.equal(events.length, 1);
    const e = events[0];
    assert.equal(e.kind, 'port-failed');
    if (e.kind === 'port-failed') assert.match(e.error.message, new RegExp(`Cannot forward port ${port} to the machine: another program on this computer already uses it\\.`));
    await ports.closeAll();
  });
});

describe('desiredPorts', () => {
  const c = (name: string, state: string, ports: Partial<Docker.Port>[]) =>
    ({ Id: `${name}-id-0123456789`, Names: [`/${name}`], State: state, Ports: ports }) as Pick<Docker.ContainerInfo, 'Names' | 'Id' | 'State' | 'Ports'>;
  const cases: { title: string; input: ReturnType<typeof c>[]; want: [number, number, string][] }[] = [
    { title: 'nothing running', input: [c('a', 'exited', [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }])], want: [] },
    { title: 'one published tcp port', input: [c('web', 'running', [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }])], want: [[8080, 8080, 'web']] },
    {
      title: 'IPv4 and IPv6 entries of the same port once',
      input: [c('web', 'running', [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }, { IP: '::', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }])],
      want: [[8080, 8080, 'web']],
    },
    { title: 'exposed but not published', input: [c('x', 'running', [{ PrivatePort: 80, Type: 'tcp' }])], want: [] },
    { title: 'udp is skipped', input: [c('dns', 'running', [{ IP: '0.0.0.0', PrivatePort: 53, PublicPort: 53, Type: 'udp' }])], want: [] },
    { title: 'bound to a guest-specific address is skipped', input: [c('x', 'running', [{ IP: '10.0.2.15', PrivatePort: 80, PublicPort: 81, Type: 'tcp' }])], want: [] },
    { title: 'loopback-bound in the guest is kept', input: [c('db', 'running', [{ IP: '127.0.0.1', PrivatePort: 5432, PublicPort: 5432, Type: 'tcp' }])], want: [[5432, 5432, 'db']] },
    { title: 'paused containers are not running', input: [c('p', 'paused', [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 80, Type: 'tcp' }])], want: [] },
  ];
  for (const t of cases)
    it(t.title, () =>
      assert.deepEqual(
        [...desiredPorts(t.input)].map(([h, v]) => [h, v.guestPort, v.owner]),
        t.want,
      ),
    );
});
