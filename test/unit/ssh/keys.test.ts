import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureKeyPair, ensurePrivateDir, generateKeyPair, writePrivateFile } from '../../../src/ssh/keys';

describe('private files and directories', function () {
  if (process.platform === 'win32') return;
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'slipway-keys-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('tightens a key pair that already exists with loose modes', () => {
    const priv = path.join(dir, 'ssh', 'id_ed25519');
    const pair = generateKeyPair('t');
    mkdirSync(path.dirname(priv), { mode: 0o755 });
    writeFileSync(priv, pair.privateKey, { mode: 0o644 });
    writeFileSync(priv + '.pub', pair.publicKey + '\n', { mode: 0o666 });
    chmodSync(priv, 0o644);
    chmodSync(priv + '.pub', 0o666);
    assert.deepEqual(ensureKeyPair(priv, priv + '.pub', 't'), pair, 'a good pair is kept');
    assert.equal(statSync(priv).mode & 0o777, 0o600);
    assert.equal(statSync(priv + '.pub').mode & 0o777, 0o600);
    assert.equal(statSync(path.dirname(priv)).mode & 0o777, 0o700);
  });

  it('writePrivateFile tightens a file that existed before', () => {
    const f = path.join(dir, 'seed');
    writeFileSync(f, 'old', { mode: 0o644 });
    chmodSync(f, 0o644);
    writePrivateFile(f, 'secret');
    assert.equal(statSync(f).mode & 0o777, 0o600);
  });

  it('refuses a run directory that is a symbolic link', () => {
    const elsewhere = path.join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    const link = path.join(dir, 'slipway-abc');
    symlinkSync(elsewhere, link);
    assert.throws(() => ensurePrivateDir(link), /should be a private directory of yours but is a symbolic link/);
  });

  it('refuses a directory another user made first', function () {
    if (process.getuid?.() !== 0) this.skip(); // only root can give a directory away
    const theirs = path.join(dir, 'slipway-abc');
    mkdirSync(theirs, { mode: 0o777 });
    chownSync(theirs, 4242, 4242);
    assert.throws(() => ensurePrivateDir(theirs), /belongs to another user \(uid 4242\).*TMPDIR/);
  });
});
