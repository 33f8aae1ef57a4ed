// known_hosts: every host-field form OpenSSH writes or accepts, the markers,
// and the verdict for a presented key. Keys are generated per run; the hashed
// entry is computed here with node:crypto, as `HashKnownHosts yes` does.

import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import {
  checkHostKey,
  hostKeyAlgorithms,
  hostKeyError,
  knownHostName,
  lookupHost,
  matchGlob,
  matchPatternList,
  parseKnownHosts,
} from '../../../src/ssh/knownHosts';
import { generateKeyPair } from '../../../src/ssh/keys';

const keyLine = (comment: string) => generateKeyPair(comment).publicKey.split(' ').slice(0, 2).join(' ');
const blob = (line: string) => Buffer.from(line.split(' ')[1], 'base64');
const hashed = (name: string, salt = randomBytes(20)) =>
  `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;

const A = keyLine('a');
const B = keyLine('b');
const C = keyLine('c');
const REVOKED = keyLine('revoked');
// A second key type for one host (an ECDSA key blob built by hand: the parser only checks the type prefix).
const ecdsaBlob = Buffer.concat([lenPrefixed('ecdsa-sha2-nistp256'), lenPrefixed('nistp256'), lenPrefixed(Buffer.alloc(65, 4))]);
const ECDSA = `ecdsa-sha2-nistp256 ${ecdsaBlob.toString('base64')}`;

function lenPrefixed(v: string | Buffer): Buffer {
  const b = Buffer.isBuffer(v) ? v : Buffer.from(v);
  const n = Buffer.alloc(4);
  n.writeUInt32BE(b.length);
  return Buffer.concat([n, b]);
}

describe('known_hosts', () => {
  describe('glob and pattern lists', () => {
    const globs: [string, string, boolean][] = [
      ['example.com', 'example.com', true],
      ['EXAMPLE.com', 'example.COM', true],
      ['a.example.com', '*.example.com', true],
      ['example.com', '*.example.com', false],
      ['web1', 'web?', true],
      ['web10', 'web?', false],
      ['[h]:2222', '[h]:*', true],
      ['anything', '*', true],
      ['abcabd', '*abd', true],
    ];
    for (const [text, pattern, want] of globs) it(`"${text}" ${want ? 'matches' : 'does not match'} "${pattern}"`, () => assert.equal(matchGlob(text, pattern), want));

    const lists: [string, string, boolean][] = [
      ['db.example.com', '*.example.com,!db.example.com', false],
      ['web.example.com', '*.example.com,!db.example.com', true],
      ['other.org', 'a.org,b.org', false],
      ['b.org', 'a.org,b.org', true],
      ['x', '!x', false], // a negation alone never matches
    ];
    for (const [name, list, want] of lists) it(`"${name}" against "${list}" → ${want}`, () => assert.equal(matchPatternList(name, list), want));
  });

  it('names port 22 bare and other ports as [host]:port, lower-cased', () => {
    assert.equal(knownHostName('Example.COM', 22), 'example.com');
    assert.equal(knownHostName('10.0.0.5', 2222), '[10.0.0.5]:2222');
  });

  it('parses markers, skips comments, blank, broken and unknown-marker lines', () => {
    const text = [
      '# comment',
      '',
      `host1 ${A} user@laptop`,
      `@revoked * ${B}`,
      `@cert-authority *.corp ${C}`,
      `@bogus host1 ${A}`,
      'host2 ssh-ed25519 not-base64!!',
      `host3 ssh-rsa ${A.split(' ')[1]}`, // type says rsa, blob says ed25519
      `  host4\t${A}`,
    ].join('\n');
    const entries = parseKnownHosts(text, 'kh');
    assert.deepEqual(
      entries.map((e) => [e.line, e.marker ?? '', e.hosts, e.keyType]),
      [
        [3, '', 'host1', 'ssh-ed25519'],
        [4, 'revoked', '*', 'ssh-ed25519'],
        [5, 'cert-authority', '*.corp', 'ssh-ed25519'],
        [9, '', 'host4', 'ssh-ed25519'],
      ],
    );
  });

  describe('verdicts', () => {
    const file = [
      `plain.example ${A}`,
      `[plain.example]:2222 ${B}`,
      `${hashed('[hashed.example]:2200')} ${A}`,
      `web1.example,web2.example ${B}`,
      `*.wild.example,!secret.wild.example ${C}`,
      `multi.example ${A}`,
      `multi.example ${ECDSA}`,
      `@revoked * ${REVOKED}`,
      `@cert-authority *.corp.example ${A}`,
    ].join('\n');
    const entries = parseKnownHosts(file, '/home/u/.ssh/known_hosts');
    const cases: [string, string, number, string, string | true][] = [
      ['plain host, right key', 'plain.example', 22, A, true],
      ['plain host, other key', 'plain.example', 22, B, 'mismatch'],
      ['[host]:port form is separate from port 22', 'plain.example', 2222, B, true],
      ['[host]:port with the port-22 key', 'plain.example', 2222, A, 'mismatch'],
      ['unrecorded port of a known host', 'plain.example', 2200, A, 'unknown'],
      ['hashed [host]:port', 'hashed.example', 2200, A, true],
      ['hashed entry, wrong key', 'hashed.example', 2200, B, 'mismatch'],
      ['hashed entry, other port', 'hashed.example', 22, A, 'unknown'],
      ['host list, second name', 'web2.example', 22, B, true],
      ['wildcard', 'a.wild.example', 22, C, true],
      ['negated name inside a wildcard', 'secret.wild.example', 22, C, 'unknown'],
      ['several key types: ed25519', 'multi.example', 22, A, true],
      ['several key types: ecdsa', 'multi.example', 22, ECDSA, true],
      ['cert-authority only', 'db.corp.example', 22, B, 'cert-authority-only'],
      ['unknown host', 'nowhere.example', 22, A, 'unknown'],
      ['case-insensitive host', 'PLAIN.Example', 22, A, true],
      ['a key revoked for all hosts', 'plain.example', 22, REVOKED, 'revoked'],
    ];
    for (const [what, host, port, presented, want] of cases) {
      it(what, () => {
        const v = checkHostKey(lookupHost(entries, host, port), blob(presented));
        assert.equal(v.ok ? true : v.kind, want);
      });
    }

    it('a @revoked key is refused even where it is also recorded as the host key', () => {
      const rev = REVOKED;
      const e = parseKnownHosts(`revoked.example ${rev}\n@revoked revoked.example ${rev}`, 'kh');
      const v = checkHostKey(lookupHost(e, 'revoked.example', 22), blob(rev));
      assert.equal(v.ok ? 'ok' : v.kind, 'revoked');
    });

    it('offers the recorded key types as host key algorithms, RSA as its SHA-2 variants first', () => {
      const rsaBlob = Buffer.concat([lenPrefixed('ssh-rsa'), lenPrefixed(Buffer.from([1, 0, 1])), lenPrefixed(Buffer.alloc(33, 7))]);
      const e = parseKnownHosts(`h ${A}\nh ssh-rsa ${rsaBlob.toString('base64')}\nh ${ECDSA}`, 'kh');
      assert.deepEqual(hostKeyAlgorithms(lookupHost(e, 'h', 22)), ['ssh-ed25519', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ecdsa-sha2-nistp256']);
    });
  });

  describe('messages', () => {
    const ctx = { login: 'me@box', host: 'box', port: 2222, files: ['/h/.ssh/known_hosts'] };
    it('unknown: says which file and the exact ssh command that records the key', () => {
      const e = hostKeyError({ ok: false, kind: 'unknown' }, undefined, ctx);
      assert.equal(e.message, 'The SSH host box:2222 is not in /h/.ssh/known_hosts, so its identity cannot be checked: run "ssh -p 2222 me@box" once in a terminal to verify and record its key, then retry.');
    });
    it('mismatch: both fingerprints, the line, and how to replace the key', () => {
      const entries = parseKnownHosts(`[box]:2222 ${A}`, '/h/.ssh/known_hosts');
      const v = checkHostKey(lookupHost(entries, 'box', 2222), blob(B));
      assert.equal(v.ok, false);
      const e = hostKeyError(v as Exclude<typeof v, { ok: true }>, blob(B), ctx);
      assert.match(e.message, /^The SSH host key of box:2222 is SHA256:[A-Za-z0-9+/]+, but SHA256:[A-Za-z0-9+/]+ is recorded in \/h\/\.ssh\/known_hosts:1: refusing to connect\./);
      assert.match(e.message, /ssh-keygen -R \[box\]:2222/);
      assert.equal(e.kind, 'mismatch');
    });
    it('port 22 leaves -p out', () => {
      assert.match(hostKeyError({ ok: false, kind: 'unknown' }, undefined, { ...ctx, port: 22 }).message, /run "ssh me@box" once/);
    });
  });
});
