// The reverse-sshfs SFTP server (src/machine/sftp/) on a real temp folder, driven
// with raw SFTP packets over an in-memory stream pair, as a hostile guest could
// send them: nothing outside the share may be read, written, created, listed,
// renamed or linked to, whatever the path (`..`, absolute, symlinks anywhere).
// The machine tier runs the same server under the real sshfs in the guest.

import * as assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Duplex, PassThrough } from 'node:stream';
import { mapGuestPath } from '../../../src/machine/sftp/confine';
import { FX, FXF, FXP, Framer, Reader, Writer } from '../../../src/machine/sftp/protocol';
import { serveSftp, type SftpService } from '../../../src/machine/sftp/server';
import { sshfsPassiveArgv } from '../../../src/machine/sftp/sshfsArgv';

/** A minimal SFTP client: sends a packet, resolves with the reply of the same id. */
class RawClient {
  private next = 1;
  private waiting = new Map<number, (r: { type: number; body: Reader }) => void>();
  private framer = new Framer();
  constructor(private readonly toServer: PassThrough, fromServer: PassThrough) {
    fromServer.on('data', (chunk: Buffer) => {
      for (const p of this.framer.push(chunk)) {
        const r = new Reader(p, 1);
        if (p[0] === FXP.VERSION) continue;
        const id = r.u32();
        this.waiting.get(id)?.({ type: p[0], body: r });
        this.waiting.delete(id);
      }
    });
    toServer.write(new Writer(FXP.INIT).u32(3).finish());
  }
  request(type: number, fill: (w: Writer) => Writer): Promise<{ type: number; body: Reader }> {
    const id = this.next++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.toServer.write(fill(new Writer(type, id)).finish());
    });
  }
  /** The STATUS code of a reply (OK when the request succeeded with another reply type). */
  async status(type: number, fill: (w: Writer) => Writer): Promise<number> {
    const r = await this.request(type, fill);
    return r.type === FXP.STATUS ? r.body.u32() : FX.OK;
  }
}

function pair(): { server: Duplex; toServer: PassThrough; fromServer: PassThrough } {
  const toServer = new PassThrough();
  const fromServer = new PassThrough();
  const server = Duplex.from({ readable: toServer, writable: fromServer });
  return { server, toServer, fromServer };
}

describe('SFTP server for reverse-sshfs: confinement', () => {
  let top: string;
  let root: string;
  let outside: string;
  let client: RawClient;
  let service: SftpService;
  const openFlags = (w: Writer, p: string, flags: number) => w.bytes(p).u32(flags).u32(0);

  beforeEach(() => {
    top = mkdtempSync(path.join(os.tmpdir(), 'slipway-sftp-'));
    root = path.join(top, 'share');
    outside = path.join(top, 'outside');
    mkdirSync(root);
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'secret'), 'secret\n');
    writeFileSync(path.join(root, 'inside.txt'), 'inside\n');
    symlinkSync(outside, path.join(root, 'to-outside')); // a symlink to a directory outside
    symlinkSync('../outside/secret', path.join(root, 'secret-link'));
    symlinkSync('/', path.join(root, 'to-root'));
    const { server, toServer, fromServer } = pair();
    service = serveSftp(server, { hostRoot: root, guestRoot: root, readOnly: false, owner: { uid: 1234, gid: 5678 } });
    client = new RawClient(toServer, fromServer);
  });
  afterEach(() => {
    service.close();
    rmSync(top, { recursive: true, force: true });
  });

  const escapes = () => [
    `${root}/../outside/secret`,
    '/etc/passwd',
    `${root}/to-outside/secret`,
    `${root}/secret-link`,
    `${root}/to-root/etc/passwd`,
    'inside/../../outside/secret',
  ];

  it('reads inside the share, reporting files as the guest user', async () => {
    const h = await client.request(FXP.OPEN, (w) => openFlags(w, `${root}/inside.txt`, FXF.READ));
    assert.equal(h.type, FXP.HANDLE);
    const handle = h.body.bytes();
    const data = await client.request(FXP.READ, (w) => w.bytes(handle).u64(0).u32(100));
    assert.equal(data.type, FXP.DATA);
    assert.equal(data.body.bytes().toString(), 'inside\n');
    const st = await client.request(FXP.LSTAT, (w) => w.bytes(`${root}/inside.txt`));
    assert.equal(st.type, FXP.ATTRS);
    const attrs = st.body.attrs();
    assert.deepEqual([attrs.uid, attrs.gid, attrs.size], [1234, 5678, 7]);
  });

  it('refuses to open, stat or list anything outside the share, however the path is written', async () => {
    for (const p of escapes()) {
      assert.notEqual(await client.status(FXP.OPEN, (w) => openFlags(w, p, FXF.READ)), FX.OK, `OPEN ${p}`);
      assert.notEqual(await client.status(FXP.STAT, (w) => w.bytes(p)), FX.OK, `STAT ${p}`);
    }
    for (const d of [`${root}/..`, '/etc', outside, `${root}/to-outside`, `${root}/to-root`]) {
      assert.notEqual(await client.status(FXP.OPENDIR, (w) => w.bytes(d)), FX.OK, `OPENDIR ${d}`);
    }
    // The symlinks themselves are visible (as links, with their raw target), not what they point at.
    const link = await client.request(FXP.READLINK, (w) => w.bytes(`${root}/secret-link`));
    assert.equal(link.type, FXP.NAME);
    assert.equal(link.body.u32(), 1);
    assert.equal(link.body.bytes().toString(), '../outside/secret');
  });

  it('refuses to create, write, rename, link or delete outside the share', async () => {
    const targets = [`${root}/../outside/new`, `${outside}/new`, `${root}/to-outside/new`, `${root}/to-root/tmp/slipway-sftp-escape`];
    for (const p of targets) {
      assert.notEqual(await client.status(FXP.OPEN, (w) => openFlags(w, p, FXF.WRITE | FXF.CREAT | FXF.TRUNC)), FX.OK, `OPEN(CREAT) ${p}`);
      assert.notEqual(await client.status(FXP.MKDIR, (w) => w.bytes(p).u32(0)), FX.OK, `MKDIR ${p}`);
      assert.notEqual(await client.status(FXP.RENAME, (w) => w.bytes(`${root}/inside.txt`).bytes(p)), FX.OK, `RENAME → ${p}`);
      assert.notEqual(await client.status(FXP.EXTENDED, (w) => w.bytes('hardlink@openssh.com').bytes(`${root}/inside.txt`).bytes(p)), FX.OK, `hardlink → ${p}`);
    }
    assert.notEqual(await client.status(FXP.RENAME, (w) => w.bytes(`${outside}/secret`).bytes(`${root}/stolen`)), FX.OK, 'RENAME from outside');
    assert.notEqual(await client.status(FXP.REMOVE, (w) => w.bytes(`${root}/to-outside/secret`)), FX.OK, 'REMOVE through a symlink');
    assert.notEqual(await client.status(FXP.SETSTAT, (w) => w.bytes(`${root}/secret-link`).attrs({ mode: 0o777 })), FX.OK, 'chmod through a symlink');
    // A symlink the guest creates may point anywhere, but following it is refused like the others.
    // (Argument order as OpenSSH and sshfs send it: target first, then the new link.)
    assert.equal(await client.status(FXP.SYMLINK, (w) => w.bytes('/etc/passwd').bytes(`${root}/made-link`)), FX.OK);
    assert.notEqual(await client.status(FXP.SYMLINK, (w) => w.bytes('x').bytes(`${outside}/link`)), FX.OK, 'a link created outside');
    assert.notEqual(await client.status(FXP.OPEN, (w) => openFlags(w, `${root}/made-link`, FXF.READ)), FX.OK, 'OPEN of a guest-made symlink to /etc/passwd');
    // Nothing outside changed; the file inside is still there.
    assert.equal(readFileSync(path.join(outside, 'secret'), 'utf8'), 'secret\n');
    assert.equal(existsSync(path.join(outside, 'new')), false);
    assert.equal(existsSync(path.join(outside, 'link')), false);
    assert.equal(existsSync('/tmp/slipway-sftp-escape'), false);
    assert.equal(lstatSync(path.join(root, 'inside.txt')).isFile(), true);
    assert.equal((lstatSync(path.join(outside, 'secret')).mode & 0o777) !== 0o777, true);
  });

  it('refuses every write to a read-only share', async () => {
    service.close();
    const { server, toServer, fromServer } = pair();
    service = serveSftp(server, { hostRoot: root, guestRoot: root, readOnly: true, owner: { uid: 1, gid: 1 } });
    client = new RawClient(toServer, fromServer);
    assert.equal(await client.status(FXP.OPEN, (w) => openFlags(w, `${root}/new`, FXF.WRITE | FXF.CREAT)), FX.PERMISSION_DENIED);
    assert.equal(await client.status(FXP.REMOVE, (w) => w.bytes(`${root}/inside.txt`)), FX.PERMISSION_DENIED);
    assert.equal(await client.status(FXP.MKDIR, (w) => w.bytes(`${root}/d`).u32(0)), FX.PERMISSION_DENIED);
    assert.equal(await client.status(FXP.OPEN, (w) => openFlags(w, `${root}/inside.txt`, FXF.READ)), FX.OK);
    assert.equal(existsSync(path.join(root, 'new')), false);
  });

  it('applies a create and a following LSTAT of the same path in order (sshfs pipelines them)', async () => {
    const [opened, st] = await Promise.all([
      client.request(FXP.OPEN, (w) => openFlags(w, `${root}/fresh`, FXF.WRITE | FXF.CREAT | FXF.TRUNC)),
      client.request(FXP.LSTAT, (w) => w.bytes(`${root}/fresh`)),
    ]);
    assert.equal(opened.type, FXP.HANDLE);
    assert.equal(st.type, FXP.ATTRS);
  });
});

describe('SFTP server for reverse-sshfs: paths and argv', () => {
  const share = { hostRoot: '/Users/ann', guestRoot: '/Users/ann' };
  const cases: [string, string | undefined][] = [
    ['/Users/ann/src/a.js', '/Users/ann/src/a.js'],
    ['/Users/ann//src/./a.js', '/Users/ann/src/a.js'],
    ['/Users/ann/src/../b', '/Users/ann/b'],
    ['/Users/ann/../bob/x', undefined],
    ['/Users/annabel/x', undefined],
    ['/etc/passwd', undefined],
    ['src/a.js', '/Users/ann/src/a.js'],
    ['../../etc', undefined],
    ['/Users/ann/a\0b', undefined],
  ];
  for (const [wire, want] of cases) it(`maps "${wire.replace('\0', '\\0')}" to ${want ?? 'a refusal'}`, () => assert.equal(mapGuestPath(wire, share)?.host, want));

  it('maps guest paths of a Windows share onto its host folder and refuses device names', () => {
    const win = { hostRoot: 'C:\\Users\\ann', guestRoot: '/c/Users/ann' };
    assert.equal(mapGuestPath('/c/Users/ann/src/a.js', win, path.win32)?.host, 'C:\\Users\\ann\\src\\a.js');
    assert.equal(mapGuestPath('/c/Users/ann/NUL.txt', win, path.win32), undefined);
    assert.equal(mapGuestPath('/c/Users/ann/a:stream', win, path.win32), undefined);
  });

  it('mounts in passive mode at the guest path, read-only when asked', () => {
    const argv = sshfsPassiveArgv({ guestRoot: '/Users/ann/my app', readOnly: true });
    assert.deepEqual(argv.slice(0, 4), ['sshfs', 'slipway:/Users/ann/my app', '/Users/ann/my app', '-f']);
    assert.match(argv[5], /(^|,)passive(,|$)/);
    assert.match(argv[5], /(^|,)allow_other(,|$)/);
    assert.match(argv[5], /(^|,)ro$/);
  });
});
