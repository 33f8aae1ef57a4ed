import * as assert from 'node:assert/strict';
import { machinePaths, nameProblem, sftpSocketPath, slipwayRoot, MAX_SOCKET_PATH_BYTES, type HostOs } from '../../../src/machine/layout';

describe('machine layout', () => {
  describe('slipwayRoot', () => {
    const cases: { title: string; os: HostOs; env: Record<string, string>; home: string; want: string }[] = [
      { title: 'linux default', os: 'linux', env: {}, home: '/home/ann', want: '/home/ann/.slipway' },
      { title: 'macOS default', os: 'darwin', env: {}, home: '/Users/ann', want: '/Users/ann/.slipway' },
      { title: 'windows LOCALAPPDATA', os: 'win32', env: { LOCALAPPDATA: 'C:\\Users\\ann\\AppData\\Local' }, home: 'C:\\Users\\ann', want: 'C:\\Users\\ann\\AppData\\Local\\Slipway' },
      { title: 'windows without LOCALAPPDATA', os: 'win32', env: {}, home: 'C:\\Users\\ann', want: 'C:\\Users\\ann\\AppData\\Local\\Slipway' },
      { title: 'SLIPWAY_HOME wins', os: 'linux', env: { SLIPWAY_HOME: '/tmp/sw' }, home: '/home/ann', want: '/tmp/sw' },
      { title: 'SLIPWAY_HOME relative is resolved', os: 'darwin', env: { SLIPWAY_HOME: 'rel' }, home: '/Users/ann', want: `${process.cwd()}/rel` },
      { title: 'blank SLIPWAY_HOME ignored', os: 'linux', env: { SLIPWAY_HOME: '  ' }, home: '/root', want: '/root/.slipway' },
    ];
    for (const c of cases) it(c.title, () => assert.equal(slipwayRoot({ os: c.os, env: c.env, homeDir: c.home }), c.want));
  });

  describe('machine names', () => {
    const valid = ['default', 'dev-2', 'a', '0', 'x'.repeat(40)];
    const invalid = ['', 'Default', 'has space', 'dot.name', 'under_score', '-lead', 'trail-', 'x'.repeat(41), '../evil', 'a/b', 'é', 'a\nb'];
    for (const n of valid) it(`accepts ${JSON.stringify(n)}`, () => assert.equal(nameProblem(n), undefined));
    for (const n of invalid)
      it(`rejects ${JSON.stringify(n)} with the allowed characters`, () => {
        const p = nameProblem(n);
        assert.ok(p);
        assert.match(p, /lower-case letters a-z, digits 0-9 and "-"/);
      });
    it('machinePaths refuses an invalid name', () => {
      assert.throws(() => machinePaths('/r', '../x', { os: 'linux', tmpDir: '/tmp' }), /not a valid machine name/);
    });
  });

  describe('machinePaths', () => {
    it('puts every file in the instance directory', () => {
      const p = machinePaths('/home/ann/.slipway', 'default', { os: 'linux', tmpDir: '/tmp' });
      const dir = '/home/ann/.slipway/machines/default';
      assert.equal(p.dir, dir);
      assert.deepEqual(
        [p.config, p.dataDisk, p.serialLog, p.lock, p.clientKey, p.hostPub, p.qmpSocket, p.pidFile, p.dockerSocket],
        [`${dir}/config.json`, `${dir}/data.qcow2`, `${dir}/serial.log`, `${dir}/lock`, `${dir}/ssh/id_ed25519`, `${dir}/ssh/host_ed25519.pub`, `${dir}/run/qmp.sock`, `${dir}/run/qemu.pid`, `${dir}/run/docker.sock`],
      );
      assert.equal(p.runDirRelocated, false);
      assert.equal(p.dockerHost, `unix://${dir}/run/docker.sock`);
    });

    it('moves sockets to a short temp path when they would pass the macOS 104-byte limit', () => {
      const deep = '/Users/' + 'a'.repeat(80);
      const p = machinePaths(deep, 'default', { os: 'darwin', tmpDir: '/tmp' });
      assert.equal(p.runDirRelocated, true);
      assert.match(p.runDir, /^\/tmp\/slipway-[0-9a-f]{12}$/);
      assert.ok(Buffer.byteLength(p.qmpSocket) <= MAX_SOCKET_PATH_BYTES);
      assert.ok(Buffer.byteLength(p.dockerSocket) <= MAX_SOCKET_PATH_BYTES);
      // Still unique per machine, and stable.
      const q = machinePaths(deep, 'other', { os: 'darwin', tmpDir: '/tmp' });
      assert.notEqual(q.runDir, p.runDir);
      assert.equal(machinePaths(deep, 'default', { os: 'darwin', tmpDir: '/tmp' }).runDir, p.runDir);
      // Non-socket files stay in the instance directory.
      assert.ok(p.config.startsWith(deep));
    });

    it('puts the sshfs shares\' virtio-serial sockets in run/, within the limit even for the longest tag', () => {
      const p = machinePaths('/home/ann/.slipway', 'default', { os: 'linux', tmpDir: '/tmp' });
      assert.equal(sftpSocketPath(p, 'slipway0', 'linux'), '/home/ann/.slipway/machines/default/run/sftp-slipway0.sock');
      assert.throws(() => sftpSocketPath(p, 'x/../y', 'linux'), /cannot name a socket/);
      assert.throws(() => sftpSocketPath(p, 'a'.repeat(11), 'linux'), /cannot name a socket/);
      // A root for which docker.sock still fits but sftp-<10 chars>.sock does not: run/ moves.
      const runDirLen = MAX_SOCKET_PATH_BYTES - 'docker.sock'.length - 1;
      const root = '/' + 'r'.repeat(runDirLen - '/machines/default/run'.length - 1);
      const q = machinePaths(root, 'default', { os: 'darwin', tmpDir: '/tmp' });
      assert.ok(Buffer.byteLength(`${root}/machines/default/run/docker.sock`) <= MAX_SOCKET_PATH_BYTES);
      assert.equal(q.runDirRelocated, true);
      assert.ok(Buffer.byteLength(sftpSocketPath(q, 'slipway999', 'darwin')) <= MAX_SOCKET_PATH_BYTES);
    });

    it('counts bytes, not characters (multi-byte home directories)', () => {
      const home = '/Users/' + 'é'.repeat(40); // 80 bytes, 40 characters
      const p = machinePaths(home, 'default', { os: 'darwin', tmpDir: '/tmp' });
      assert.equal(p.runDirRelocated, true);
    });

    it('fails clearly when even the temp dir is too long', () => {
      assert.throws(() => machinePaths('/' + 'a'.repeat(100), 'default', { os: 'linux', tmpDir: '/' + 'b'.repeat(100) }), /set TMPDIR/);
    });

    it('uses a named pipe for the Docker socket on Windows', () => {
      const p = machinePaths('C:\\Users\\ann\\AppData\\Local\\Slipway', 'dev', { os: 'win32', tmpDir: 'C:\\Temp', user: 'ann' });
      assert.equal(p.dir, 'C:\\Users\\ann\\AppData\\Local\\Slipway\\machines\\dev');
      assert.equal(p.dockerSocket, '\\\\.\\pipe\\slipway-ann-dev-docker');
      assert.equal(p.dockerHost, 'npipe:////./pipe/slipway-ann-dev-docker');
      // Another user's machine of the same name gets another pipe; odd characters in a user name are made safe.
      const bob = machinePaths('C:\\Users\\bob\\AppData\\Local\\Slipway', 'dev', { os: 'win32', tmpDir: 'C:\\Temp', user: 'DOMAIN\\bob smith' });
      assert.equal(bob.dockerSocket, '\\\\.\\pipe\\slipway-DOMAIN_bob_smith-dev-docker');
      assert.throws(() => machinePaths('C:\\S', 'dev', { os: 'win32', tmpDir: 'C:\\Temp' }), /needs the user name on Windows/);
    });
  });
});
