// ssh:// engines, the parts that need no server: URL forms, ~/.ssh/config,
// and which login methods are found in a temp home.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { utils } from 'ssh2';
import { parseHost } from '../../../src/engine/endpoint';
import { DEFAULT_REMOTE_SOCKET, resolveRemote } from '../../../src/engine/sshTransport';
import { discoverLogin, loginFailureMessage } from '../../../src/ssh/auth';
import { expandIdentityPath, resolveSshConfig } from '../../../src/ssh/config';

describe('ssh:// engine targets', () => {
  describe('URL forms', () => {
    const ok: [string, object][] = [
      ['ssh://me@box', { kind: 'ssh', host: 'box', port: 22, username: 'me' }],
      ['ssh://box:2222', { kind: 'ssh', host: 'box', port: 2222, username: undefined }],
      ['ssh://me@box:2222/run/user/1000/docker.sock', { kind: 'ssh', host: 'box', port: 2222, username: 'me', socketPath: '/run/user/1000/docker.sock' }],
      ['ssh://me@box/', { kind: 'ssh', host: 'box', port: 22, username: 'me' }],
      ['ssh://me@[::1]:2200', { kind: 'ssh', host: '::1', port: 2200, username: 'me' }],
      ['ssh://first.last%40corp@box', { kind: 'ssh', host: 'box', port: 22, username: 'first.last@corp' }],
    ];
    for (const [url, want] of ok) it(url, () => assert.deepEqual(parseHost(url), want));

    const bad: [string, RegExp][] = [
      ['ssh://me:secret@box', /passwords in ssh:\/\/ addresses are not supported/],
      ['ssh://box?x=1', /no \?query/],
      ['ssh://', /not a URL|host name is missing/],
    ];
    for (const [url, why] of bad) it(`refuses ${url}`, () => assert.throws(() => parseHost(url), why));
  });

  describe('~/.ssh/config', () => {
    const config = [
      'User fallback-everywhere',
      '',
      'Host build !build-old',
      '  HostName build.internal.example',
      '  Port 2201',
      '  IdentityFile ~/.ssh/build_key',
      '  IdentityFile "%d/.ssh/second %h"',
      'Host *.lab',
      '  User labuser',
      '  Port=2202',
      'Match host build',
      '  User never',
      'Host *',
      '  User anyone',
      '  Port 2299',
      '  Include other.conf',
    ].join('\n');
    const cases: [string, object][] = [
      ['build', { hostName: 'build.internal.example', user: 'fallback-everywhere', port: 2201, identityFiles: ['~/.ssh/build_key', '%d/.ssh/second %h'], ignored: ['Match', 'Include'] }],
      ['build-old', { user: 'fallback-everywhere', port: 2299, identityFiles: [], ignored: ['Match', 'Include'] }],
      ['pi.lab', { user: 'fallback-everywhere', port: 2202, identityFiles: [], ignored: ['Match', 'Include'] }],
    ];
    for (const [alias, want] of cases) it(`settings for "${alias}" (first value wins)`, () => assert.deepEqual(resolveSshConfig(config, alias), want));

    it('expands ~ and %d %u %h %r %% in IdentityFile', () => {
      assert.equal(
        expandIdentityPath('~/.ssh/%u-%r@%h-%%', { home: '/home/me', localUser: 'me', host: 'box', remoteUser: 'root' }),
        '/home/me/.ssh/me-root@box-%',
      );
    });

    it('applies HostName, User, Port and IdentityFile to the address; the URL wins where it says', () => {
      const home = mkdtempSync(path.join(os.tmpdir(), 'slipway-cfg-'));
      try {
        mkdirSync(path.join(home, '.ssh'));
        writeFileSync(path.join(home, '.ssh', 'config'), 'Host box\n  HostName 10.1.2.3\n  User admin\n  Port 2022\n  IdentityFile ~/.ssh/box_key\n');
        const a = resolveRemote('ssh://box', { homeDir: home, systemKnownHosts: [] });
        assert.deepEqual(
          { host: a.host, port: a.port, user: a.username, socket: a.socketPath, ids: a.identityFiles, kh: a.knownHostsFiles },
          {
            host: '10.1.2.3',
            port: 2022,
            user: 'admin',
            socket: DEFAULT_REMOTE_SOCKET,
            ids: [path.join(home, '.ssh', 'box_key')],
            kh: [path.join(home, '.ssh', 'known_hosts'), path.join(home, '.ssh', 'known_hosts2')],
          },
        );
        const b = resolveRemote('ssh://ops@box:22/srv/docker.sock', { homeDir: home, systemKnownHosts: [] });
        assert.deepEqual([b.username, b.port, b.socketPath], ['ops', 22, '/srv/docker.sock']);
        const c = resolveRemote('ssh://elsewhere', { homeDir: home, systemKnownHosts: [] });
        assert.deepEqual([c.host, c.port, c.username], ['elsewhere', 22, os.userInfo().username]);
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    });
  });

  describe('login methods', () => {
    let home: string;
    const ssh = () => path.join(home, '.ssh');
    // Drawn again while ssh2's keygen makes a malformed pair (1 in 256, mscdex/ssh2#1390).
    const key = (passphrase?: string): string => {
      for (;;) {
        const k = utils.generateKeyPairSync('ed25519', passphrase ? { passphrase, cipher: 'aes256-ctr', rounds: 4 } : {});
        if (!(utils.parseKey(k.public) instanceof Error) && !(utils.parseKey(k.private, passphrase) instanceof Error)) return k.private;
      }
    };
    beforeEach(() => {
      home = mkdtempSync(path.join(os.tmpdir(), 'slipway-keys-'));
      mkdirSync(ssh());
    });
    afterEach(() => rmSync(home, { recursive: true, force: true }));

    it('finds the agent first, then the default keys in OpenSSH order, skipping encrypted ones', () => {
      writeFileSync(path.join(ssh(), 'id_rsa'), key());
      writeFileSync(path.join(ssh(), 'id_ed25519'), key('pass'));
      writeFileSync(path.join(ssh(), 'id_ecdsa'), 'not a key');
      const agentSock = path.join(home, 'agent.sock');
      writeFileSync(agentSock, '');
      const m = discoverLogin({ homeDir: home, env: { SSH_AUTH_SOCK: agentSock } });
      assert.equal(m.agent, agentSock);
      assert.deepEqual(m.keys.map((k) => path.basename(k.file)), ['id_rsa']);
      assert.deepEqual(m.encrypted.map((f) => path.basename(f)), ['id_ed25519']);
      assert.deepEqual(m.unreadable.map((u) => path.basename(u.file)), ['id_ecdsa']);
    });

    it('uses only IdentityFile keys when the config names some, and ignores a missing agent socket', () => {
      writeFileSync(path.join(ssh(), 'id_ed25519'), key());
      const special = path.join(ssh(), 'special');
      writeFileSync(special, key());
      const m = discoverLogin({ homeDir: home, env: { SSH_AUTH_SOCK: path.join(home, 'gone.sock') }, identityFiles: [special] });
      assert.equal(m.agent, undefined);
      assert.deepEqual(m.keys.map((k) => k.file), [special]);
    });

    it('explains an encrypted key with no agent: ssh-add is the way out', () => {
      writeFileSync(path.join(ssh(), 'id_ed25519'), key('pass'));
      const m = discoverLogin({ homeDir: home, env: {} });
      assert.match(
        loginFailureMessage(m, 'me@box', false),
        /^No SSH key to log in as me@box: no ssh-agent \(SSH_AUTH_SOCK is not set\) and no usable key among .*id_ed25519, .*id_ecdsa, .*id_rsa\. .*id_ed25519 needs a passphrase, which Slipway cannot ask for: add it to ssh-agent with "ssh-add .*id_ed25519" and retry\.$/,
      );
    });
  });
});
