import * as assert from 'node:assert/strict';
import {
  bindSourceOf,
  bindSourcesOutsideShares,
  guestPathFor,
  guestPathInShares,
  resolveShares,
  seedMountLines,
  shareContaining,
  validateShares,
  type Share,
} from '../../../src/machine/shares';
import { formatSeed } from '../../../src/machine/image';

const share = (hostPath: string, guestPath = hostPath, extra: Partial<Share> = {}): Share => ({ hostPath, guestPath, readOnly: false, mechanism: 'auto', ...extra });

describe('shared folders', () => {
  const guestPaths: [string, 'linux' | 'darwin' | 'win32', string][] = [
    ['/Users', 'darwin', '/Users'],
    ['/home/ann/', 'linux', '/home/ann'],
    ['/home//ann/./src', 'linux', '/home/ann/src'],
    ['C:\\Users\\Ann Smith', 'win32', '/c/Users/Ann Smith'],
    ['d:/work\\repo\\', 'win32', '/d/work/repo'],
    ['C:\\', 'win32', '/c'],
  ];
  for (const [host, os, want] of guestPaths) it(`guest path of ${os} "${host}" is "${want}"`, () => assert.equal(guestPathFor(host, os), want));

  it('refuses a Windows path without a drive letter', () => {
    assert.throws(() => guestPathFor('\\\\server\\share', 'win32'), /not an absolute Windows path with a drive letter/);
  });

  const invalid: { title: string; value: unknown; os?: 'linux' | 'win32'; paths: string[] }[] = [
    { title: 'not a list', value: { hostPath: '/a' }, paths: ['shares'] },
    { title: 'relative host path', value: [{ hostPath: 'src' }], paths: ['shares[0].hostPath'] },
    { title: 'guest root', value: [{ hostPath: '/a', guestPath: '/' }], paths: ['shares[0].guestPath'] },
    { title: 'guest system folder', value: [{ hostPath: '/a', guestPath: '/var/lib/docker/x' }], paths: ['shares[0].guestPath'] },
    { title: 'a share covering /usr', value: [{ hostPath: '/a', guestPath: '/usr' }], paths: ['shares[0].guestPath'] },
    { title: 'a share covering /tmp', value: [{ hostPath: '/a', guestPath: '/tmp' }], paths: ['shares[0].guestPath'] },
    { title: 'unnormalized guest path', value: [{ hostPath: '/a', guestPath: '/a/../etc' }], paths: ['shares[0].guestPath'] },
    { title: 'nested shares', value: [{ hostPath: '/a', guestPath: '/a' }, { hostPath: '/b', guestPath: '/a/b' }], paths: ['shares[1].guestPath'] },
    { title: 'unknown field and bad types', value: [{ hostPath: '/a', readonly: true, readOnly: 'yes' }], paths: ['shares[0].readonly', 'shares[0].readOnly'] },
    { title: '9p on Windows', value: [{ hostPath: 'C:\\x', mechanism: '9p' }], os: 'win32', paths: ['shares[0].mechanism'] },
  ];
  for (const c of invalid)
    it(`reports ${c.title}`, () =>
      assert.deepEqual(
        validateShares(c.value, c.os ?? 'linux').map((p) => p.path),
        c.paths,
      ));

  it('accepts the usual shares, including unicode and spaces', () => {
    assert.deepEqual(validateShares([{ hostPath: '/Users' }, { hostPath: '/Volumes/Data Ø/src', guestPath: '/Volumes/Data Ø/src', readOnly: true, mechanism: 'sshfs' }], 'linux'), []);
    // Inside a guest folder that is not vital: macOS temp folders, /tmp/x.
    assert.deepEqual(validateShares([{ hostPath: '/a', guestPath: '/var/folders/x/T/app' }, { hostPath: '/b', guestPath: '/tmp/b' }], 'linux'), []);
  });

  it('picks 9p when the host has it, sshfs otherwise, and refuses an impossible explicit 9p', () => {
    const shares = [share('/a'), share('/b', '/b', { mechanism: 'sshfs' })];
    assert.deepEqual(
      resolveShares(shares, { virtfs: true }).map((s) => `${s.tag}:${s.mechanism}`),
      ['slipway0:9p', 'slipway1:sshfs'],
    );
    assert.deepEqual(
      resolveShares(shares, { virtfs: false }).map((s) => s.mechanism),
      ['sshfs', 'sshfs'],
    );
    assert.throws(() => resolveShares([share('/a', '/a', { mechanism: '9p' })], { virtfs: false }), /asks for virtio-9p, but this QEMU has no virtio-9p device/);
  });

  it('puts the shares in the seed with the guest path last', () => {
    const lines = seedMountLines(resolveShares([share('/Users/ann/my app'), share('/srv', '/srv', { readOnly: true })], { virtfs: true }));
    assert.deepEqual(lines, ['9p slipway0 rw /Users/ann/my app', '9p slipway1 ro /srv']);
    const seed = formatSeed({
      hostname: 'x',
      user: { name: 'ann', uid: 501, gid: 20, home: '/home/ann', authorizedKeys: ['ssh-ed25519 AAAA k'] },
      hostKey: { ed25519Private: 'p', ed25519Public: 'ssh-ed25519 BBBB h' },
      mounts: lines,
      time: 1,
    });
    assert.match(seed, /\nmount=9p slipway0 rw \/Users\/ann\/my app\nmount=9p slipway1 ro \/srv\n$/);
    assert.throws(
      () =>
        formatSeed({
          hostname: 'x',
          user: { name: 'ann', uid: 501, gid: 20, home: '/home/ann', authorizedKeys: ['k'] },
          hostKey: { ed25519Private: 'p', ed25519Public: 'h' },
          mounts: ['9p slipway0 rw /a\nuser.uid=0'],
          time: 1,
        }),
      /mounts\[0\]/,
    );
  });

  it('finds the share holding a path, case-insensitively on macOS and Windows', () => {
    const shares = [share('/Users'), share('/home/ann')];
    assert.equal(shareContaining('/Users/ann/app', shares, 'darwin')?.hostPath, '/Users');
    assert.equal(shareContaining('/users/ann/app', shares, 'darwin')?.hostPath, '/Users');
    assert.equal(shareContaining('/users/ann/app', shares, 'linux'), undefined);
    assert.equal(shareContaining('/home/ann', shares, 'linux')?.hostPath, '/home/ann');
    assert.equal(shareContaining('/home/annabel', shares, 'linux'), undefined, 'a sibling with the same prefix is outside');
    assert.equal(shareContaining('/home/ann/../bob', shares, 'linux'), undefined);
    const win = [share('C:\\Users\\ann', '/c/Users/ann')];
    assert.equal(shareContaining('c:\\users\\ANN\\src', win, 'win32')?.guestPath, '/c/Users/ann');
    assert.equal(shareContaining('D:\\Users\\ann', win, 'win32'), undefined);
  });

  it('lists bind sources outside every share, resolving relative ones against the compose folder', () => {
    const shares = [share('/Users')];
    assert.deepEqual(bindSourcesOutsideShares(['/Users/ann/src', './data', '/opt/cache', '/opt/cache'], shares, 'darwin', '/Users/ann/app'), ['/opt/cache']);
    assert.deepEqual(bindSourcesOutsideShares(['../../../tmp/x'], shares, 'darwin', '/Users/ann/app'), ['/tmp/x']);
  });

  const volumes: [string, string | undefined][] = [
    ['/Users/ann/src:/src', '/Users/ann/src'],
    ['./src:/src:ro', './src'],
    ['~/cache:/cache', '~/cache'],
    ['C:\\Users\\ann:/w', 'C:\\Users\\ann'],
    ['data:/data', undefined],
    ['/anonymous', undefined],
  ];
  for (const [v, want] of volumes) it(`bind source of "${v}" is ${want ?? 'none'}`, () => assert.equal(bindSourceOf(v), want));

  it('maps a host path in a share to its guest path', () => {
    assert.equal(guestPathInShares('/Users/ann/app', [share('/Users')], 'darwin'), '/Users/ann/app');
    assert.equal(guestPathInShares('C:\\Users\\ann\\my app', [share('C:\\Users\\ann', '/c/Users/ann')], 'win32'), '/c/Users/ann/my app');
    assert.equal(guestPathInShares('/opt/x', [share('/Users')], 'darwin'), undefined);
  });
});
