import * as assert from 'node:assert/strict';
import { parseSpec, SpecError, validateSpec, withDefaults, defaultUser, type HostFacts } from '../../../src/machine/spec';

const host: HostFacts = { arch: 'x86_64', cpus: 8, user: { name: 'ann', uid: 501, gid: 20 } };

function problemsOf(text: string): string[] {
  try {
    parseSpec(text, 'default', host, 'config.json');
  } catch (err) {
    assert.ok(err instanceof SpecError, String(err));
    return err.problems.map((p) => p.path);
  }
  return [];
}

describe('machine spec', () => {
  it('fills every default from the host', () => {
    assert.deepEqual(parseSpec('{}', 'default', host, 'config.json'), {
      name: 'default',
      arch: 'x86_64',
      cpus: 2,
      memoryMiB: 2048,
      diskGiB: 64,
      user: { name: 'ann', uid: 501, gid: 20, home: '/home/ann' },
      shares: [{ hostPath: '/root', guestPath: '/root', readOnly: false, mechanism: 'auto' }],
    });
  });

  it('shares /Users on macOS and the home folder elsewhere by default', () => {
    assert.deepEqual(
      withDefaults({}, 'x', { ...host, os: 'darwin', home: '/Users/ann' }).shares.map((s) => `${s.hostPath}=>${s.guestPath}`),
      ['/Users=>/Users'],
    );
    assert.deepEqual(
      withDefaults({}, 'x', { ...host, os: 'win32', home: 'C:\\Users\\Ann Smith' }).shares.map((s) => `${s.hostPath}=>${s.guestPath}`),
      ['C:\\Users\\Ann Smith=>/c/Users/Ann Smith'],
    );
    assert.deepEqual(withDefaults({}, 'x', { ...host, os: 'linux', home: '/usr/home/ann' }).shares, [], 'a home under a guest system folder is not shared');
  });

  it('fills share defaults and reports bad shares with their field paths', () => {
    const s = parseSpec('{"shares":[{"hostPath":"/srv/code","readOnly":true}]}', 'd', { ...host, os: 'linux' }, 'c');
    assert.deepEqual(s.shares, [{ hostPath: '/srv/code', guestPath: '/srv/code', readOnly: true, mechanism: 'auto' }]);
    assert.deepEqual(problemsOf('{"shares":[{"hostPath":"rel"},{"hostPath":"/a","mechanism":"nfs"}]}'), ['shares[0].hostPath', 'shares[1].mechanism']);
    assert.deepEqual(problemsOf('{"shares":"/home"}'), ['shares']);
  });

  it('keeps given values', () => {
    const s = parseSpec('{"cpus":4,"memoryMiB":4096,"arch":"aarch64","user":{"name":"bob"}}', 'dev', host, 'c');
    assert.equal(s.cpus, 4);
    assert.equal(s.arch, 'aarch64');
    assert.deepEqual(s.user, { name: 'bob', uid: 501, gid: 20, home: '/home/bob' });
  });

  const defaultUsers: { title: string; user: HostFacts['user']; want: string }[] = [
    { title: 'a normal account is mirrored', user: { name: 'ann', uid: 1000, gid: 1000 }, want: 'ann:1000:1000' },
    { title: 'root stays root (shared files keep their owner)', user: { name: 'root', uid: 0, gid: 0 }, want: 'root:0:0' },
    { title: 'a Windows account (uid -1, capitals) becomes slipway', user: { name: 'Ann Smith', uid: -1, gid: -1 }, want: 'slipway:1000:1000' },
  ];
  for (const c of defaultUsers)
    it(`default user: ${c.title}`, () => {
      const u = defaultUser(c.user);
      assert.equal(`${u.name}:${u.uid}:${u.gid}`, c.want);
    });

  it('uses one CPU on a one-CPU host', () => {
    assert.equal(withDefaults({}, 'x', { ...host, cpus: 1 }).cpus, 1);
  });

  const invalid: { title: string; text: string; paths: string[] }[] = [
    { title: 'not JSON', text: '{', paths: [''] },
    { title: 'an array', text: '[]', paths: [''] },
    { title: 'zero cpus', text: '{"cpus":0}', paths: ['cpus'] },
    { title: 'fractional memory', text: '{"memoryMiB":1024.5}', paths: ['memoryMiB'] },
    { title: 'string disk', text: '{"diskGiB":"64"}', paths: ['diskGiB'] },
    { title: 'unknown arch', text: '{"arch":"riscv64"}', paths: ['arch'] },
    { title: 'bad name', text: '{"name":"Bad Name"}', paths: ['name'] },
    { title: 'typo field', text: '{"memory":4096}', paths: ['memory'] },
    { title: 'user not an object', text: '{"user":"bob"}', paths: ['user'] },
    { title: 'root user with another uid', text: '{"user":{"name":"root","uid":5,"gid":0}}', paths: ['user.uid'] },
    { title: 'relative home and unknown user field', text: '{"user":{"home":"home/x","shell":"/bin/zsh"}}', paths: ['user.shell', 'user.home'] },
    {
      title: 'every problem at once',
      text: '{"cpus":-1,"memoryMiB":1,"diskGiB":1,"arch":"mips","user":{"uid":"x"}}',
      paths: ['arch', 'cpus', 'memoryMiB', 'diskGiB', 'user.uid'],
    },
  ];
  for (const c of invalid) it(`reports ${c.title}`, () => assert.deepEqual(problemsOf(c.text), c.paths));

  it('names the file and each field in the error message', () => {
    assert.throws(() => parseSpec('{"cpus":0,"diskGiB":1}', 'd', host, '/x/config.json'), (err: Error) => {
      assert.match(err.message, /^\/x\/config\.json is not a valid machine configuration: cpus: must be a whole number from 1 to 64 \(got 0\); diskGiB: /);
      return true;
    });
  });

  it('accepts root with uid 0 and home /root', () => {
    assert.deepEqual(parseSpec('{"user":{"name":"root","uid":0,"gid":0}}', 'd', host, 'c').user, { name: 'root', uid: 0, gid: 0, home: '/root' });
  });

  it('validateSpec accepts a complete valid spec', () => {
    assert.deepEqual(validateSpec(withDefaults({}, 'default', host)), []);
  });
});
