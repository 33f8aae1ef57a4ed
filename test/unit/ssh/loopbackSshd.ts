// A real SSH server (ssh2's Server) on 127.0.0.1 for tests: publickey auth for
// one key, exec through the local /bin/sh (so quoting is checked by a real
// POSIX shell), direct-tcpip and OpenSSH streamlocal channels to the local host.

import { spawn } from 'node:child_process';
import { timingSafeEqual } from 'node:crypto';
import * as net from 'node:net';
import { Server, utils, type Connection } from 'ssh2';
import { generateKeyPair, publicKeyBlob, type KeyPair } from '../../../src/ssh/keys';
import type { Duplex } from 'node:stream';

export interface LoopbackSshd {
  port: number;
  hostKey: KeyPair;
  /** The command lines the server was asked to run, as received. */
  commands: string[];
  connections: Set<Connection>;
  /** Drops every client connection (the server keeps listening). */
  dropAll(): void;
  close(): Promise<void>;
}

export async function startLoopbackSshd(clientPublicKey: string, hostKey: KeyPair = generateKeyPair('test host')): Promise<LoopbackSshd> {
  const allowed = publicKeyBlob(clientPublicKey);
  const commands: string[] = [];
  const connections = new Set<Connection>();
  const server = new Server({ hostKeys: [hostKey.privateKey] }, (conn) => {
    connections.add(conn);
    conn.on('close', () => connections.delete(conn));
    conn.on('error', () => {});
    conn.on('authentication', (ctx) => {
      if (ctx.method !== 'publickey') return ctx.reject(['publickey']);
      const parsed = utils.parseKey(clientPublicKey);
      const key = parsed instanceof Error ? undefined : Array.isArray(parsed) ? parsed[0] : parsed;
      const blob = ctx.key.data;
      if (!key || blob.length !== allowed.length || !timingSafeEqual(blob, allowed)) return ctx.reject();
      if (ctx.signature && ctx.blob && key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) return ctx.reject();
      ctx.accept();
    });
    conn.on('ready', () => {
      conn.on('session', (accept) => {
        const session = accept();
        session.on('exec', (acceptExec, _reject, info) => {
          commands.push(info.command);
          const ch = acceptExec();
          const child = spawn('/bin/sh', ['-c', info.command], { stdio: ['pipe', 'pipe', 'pipe'] });
          ch.pipe(child.stdin);
          child.stdout.pipe(ch, { end: false });
          child.stderr.pipe(ch.stderr, { end: false });
          child.on('close', (code) => {
            ch.exit(code ?? 1);
            ch.end();
          });
        });
      });
      conn.on('tcpip', (accept, reject, info) => bridge(net.createConnection(info.destPort, info.destIP), accept, reject));
      conn.on('openssh.streamlocal', (accept, reject, info) => bridge(net.createConnection(info.socketPath), accept, reject));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    hostKey,
    commands,
    connections,
    dropAll: () => {
      for (const c of connections) c.end();
    },
    close: () =>
      new Promise((resolve) => {
        for (const c of connections) c.end();
        server.close(() => resolve());
      }),
  };
}

/** An echo server on a unix socket or TCP port; replies "<prefix>" + what it got. */
export async function startEcho(prefix: string, at: string | 0): Promise<{ server: net.Server; port: number }> {
  const server = net.createServer((s) => s.on('data', (d) => s.write(prefix + d.toString())));
  await new Promise<void>((resolve) => (typeof at === 'string' ? server.listen(at, resolve) : server.listen(0, '127.0.0.1', resolve)));
  const addr = server.address();
  return { server, port: typeof addr === 'object' && addr ? addr.port : 0 };
}

/** Sends `msg` over a fresh connection and resolves with the first reply. */
export function roundTrip(target: string | number, msg: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = typeof target === 'string' ? net.createConnection(target) : net.createConnection(target, '127.0.0.1');
    s.once('error', reject);
    s.once('connect', () => s.write(msg));
    s.once('data', (d) => {
      s.destroy();
      resolve(d.toString());
    });
  });
}

/** Accepts a forwarding channel once `sock` connects and pipes the two together; refuses it when `sock` fails. */
function bridge(sock: net.Socket, accept: () => Duplex & { end(): void }, reject: () => void): void {
  sock.once('connect', () => {
    const ch = accept();
    ch.pipe(sock).pipe(ch);
    ch.on('close', () => sock.destroy());
    sock.on('close', () => ch.end());
  });
  sock.once('error', () => reject());
}
