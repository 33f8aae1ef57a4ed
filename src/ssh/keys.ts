// SSH key material: ed25519 key pairs in owner-only files, public key blobs and
// OpenSSH fingerprints.

import { createHash } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { utils } from 'ssh2';

export interface KeyPair {
  /** OpenSSH private key file text. */
  privateKey: string;
  /** "ssh-ed25519 AAAA… comment" */
  publicKey: string;
}

/**
 * Makes `dir` (and parents) with mode 0700, and tightens it if it already
 * existed. A directory someone else made first (a predictable name under a
 * shared /tmp) is refused: it must be a real directory, not a symlink, owned
 * by the current user.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return;
  const st = lstatSync(dir);
  const uid = process.getuid?.();
  if (!st.isDirectory())
    throw new Error(`"${dir}" should be a private directory of yours but is ${st.isSymbolicLink() ? 'a symbolic link' : 'not a directory'}; remove it and try again.`);
  if (uid !== undefined && st.uid !== uid)
    throw new Error(`"${dir}" belongs to another user (uid ${st.uid}), so Slipway will not put private files in it; remove it, or set TMPDIR to a directory of your own.`);
  chmodSync(dir, 0o700);
}

/** Whether ssh2 (and so OpenSSH) can read both halves of a key pair. */
function pairParses(pair: KeyPair): boolean {
  return !(utils.parseKey(pair.publicKey) instanceof Error) && !(utils.parseKey(pair.privateKey) instanceof Error);
}

export function generateKeyPair(comment: string): KeyPair {
  // ssh2 1.17's keygen strips leading zero bytes from the ed25519 public key, so about 1 in
  // 256 pairs has a 31-byte key that ssh2 itself, and OpenSSH, reject (mscdex/ssh2#1390,
  // #1513). Such a pair is drawn again.
  for (let attempt = 0; attempt < 16; attempt++) {
    const k = utils.generateKeyPairSync('ed25519', { comment });
    const pair = { privateKey: k.private, publicKey: k.public.trim() };
    if (pairParses(pair)) return pair;
  }
  throw new Error('Could not generate a valid ed25519 key pair (16 malformed pairs in a row).');
}

/**
 * The key pair stored at `privPath` / `privPath.pub`-style paths, generated on
 * first use. Files are 0600 in a 0700 directory.
 */
export function ensureKeyPair(privPath: string, pubPath: string, comment: string): KeyPair {
  ensurePrivateDir(path.dirname(privPath));
  if (existsSync(privPath) && existsSync(pubPath)) {
    const pair = { privateKey: readFileSync(privPath, 'utf8'), publicKey: readFileSync(pubPath, 'utf8').trim() };
    // A pair from ssh2's faulty keygen (see generateKeyPair) never worked: replace it. Both
    // halves reach the guest in the seed at every start, so nothing else needs to change.
    if (pairParses(pair)) {
      // A key copied in, restored from a backup or written by an older version may be readable by others.
      tightenFile(privPath);
      tightenFile(pubPath);
      return pair;
    }
  }
  const pair = generateKeyPair(comment);
  writePrivateFile(privPath, pair.privateKey);
  writePrivateFile(pubPath, pair.publicKey + '\n');
  return pair;
}

/**
 * Writes `text` to `file` readable by its owner only. `mode` in writeFileSync applies only when
 * the file is created, so an existing file is tightened too.
 */
export function writePrivateFile(file: string, text: string | Buffer): void {
  writeFileSync(file, text, { mode: 0o600 });
  tightenFile(file);
}

function tightenFile(file: string): void {
  if (process.platform !== 'win32') chmodSync(file, 0o600);
}

/** The raw key blob of an OpenSSH public key line ("ssh-ed25519 AAAA… [comment]"). */
export function publicKeyBlob(publicKeyLine: string): Buffer {
  const parsed = utils.parseKey(publicKeyLine.trim());
  if (parsed instanceof Error) throw new Error(`Not a valid SSH public key: ${parsed.message}`, { cause: parsed });
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  return key.getPublicSSH();
}

/** OpenSSH's fingerprint form: "SHA256:" + unpadded base64 of the key blob's SHA-256. */
export function fingerprint(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}
