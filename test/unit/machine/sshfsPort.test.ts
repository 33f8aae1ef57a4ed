import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { connectPort } from '../../../src/machine/sshfsMounts';

/** A unix socket server standing in for QEMU's end of a virtio-serial port. */
function fakePort(onClient: (c: net.Socket) => void): Promise<{ path: string; close(): void }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'slipway-port-'));
  const sock = path.join(dir, 'sftp-slipway0.sock');
  const server = net.createServer(onClient);
  return new Promise((resolve) =>
    server.listen(sock, () =>
      resolve({
        path: sock,
        close: () => {
          server.close();
          rmSync(dir, { recursive: true, force: true });
        },
      }),
    ),
  );
}

const never = new Promise<Error>(() => undefined);

function readAll(s: net.Socket): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    s.on('data', (d) => (out += d));
    s.on('end', () => resolve(out));
    s.resume();
  });
}

describe('sshfs over a virtio-serial port: the host end', () => {
  it('skips what comes before the marker line and keeps what follows it', async () => {
    const port = await fakePort((c) => {
      c.write('left over from the last sshfs\0\0\0\x05\x01');
      setTimeout(() => c.end('slipway-sftp abc\n\0\0\0\x05\x01\0\0\0\x03after'), 20);
    });
    try {
      const { socket, connected } = await connectPort(port.path, 'slipway-sftp abc', never);
      await connected;
      assert.equal(await readAll(socket), '\0\0\0\x05\x01\0\0\0\x03after');
    } finally {
      port.close();
    }
  });

  it('finds a marker split across reads', async () => {
    const port = await fakePort((c) => {
      c.write('junk slipway-sf');
      setTimeout(() => c.end('tp abc\nrest'), 20);
    });
    try {
      const { socket, connected } = await connectPort(port.path, 'slipway-sftp abc', never);
      await connected;
      assert.equal(await readAll(socket), 'rest');
    } finally {
      port.close();
    }
  });

  it('fails when the port closes before the marker, or when the guest command ends', async () => {
    const closing = await fakePort((c) => c.end('no marker here\n'));
    try {
      const { connected } = await connectPort(closing.path, 'slipway-sftp abc', never);
      await assert.rejects(connected, /closed before the guest answered/);
    } finally {
      closing.close();
    }
    const silent = await fakePort(() => undefined);
    try {
      let gone!: (e: Error) => void;
      const aborted = new Promise<Error>((r) => (gone = r));
      const { socket, connected } = await connectPort(silent.path, 'slipway-sftp abc', aborted);
      gone(new Error('the command in the guest ended'));
      await assert.rejects(connected, /command in the guest ended/);
      assert.equal(socket.destroyed, true);
    } finally {
      silent.close();
    }
  });

  it('rejects when nothing listens (the caller then uses the SSH channel)', async () => {
    await assert.rejects(connectPort(path.join(tmpdir(), 'slipway-no-such-dir', 'x.sock'), 'm', never), /ENOENT/);
  });
});
