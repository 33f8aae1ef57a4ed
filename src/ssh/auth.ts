// How Slipway logs in to a remote host, in OpenSSH's order: the SSH agent
// (SSH_AUTH_SOCK) first, then private key files: the IdentityFile entries of
// ~/.ssh/config when there are any, else the default ~/.ssh/id_ed25519,
// id_ecdsa, id_rsa. Slipway cannot prompt for a passphrase, so an encrypted
// key is skipped and named in the error, with ssh-agent as the way out.
// The home directory and environment are passed in (tests use a temp home).

import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { utils } from 'ssh2';

export const DEFAULT_KEY_NAMES = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

export interface LoginMethods {
  /** The agent socket to ask, when SSH_AUTH_SOCK names an existing one. */
  agent?: string;
  /** Usable (unencrypted) private keys, in order. */
  keys: { file: string; privateKey: string }[];
  /** Keys that need a passphrase (skipped). */
  encrypted: string[];
  /** Key files that exist but could not be read or parsed, with why. */
  unreadable: { file: string; why: string }[];
  /** Every key file looked at, existing or not, for messages. */
  looked: string[];
}

export function discoverLogin(opts: { homeDir: string; env: Record<string, string | undefined>; identityFiles?: string[] }): LoginMethods {
  const out: LoginMethods = { keys: [], encrypted: [], unreadable: [], looked: [] };
  const sock = opts.env.SSH_AUTH_SOCK;
  if (sock && existsSync(sock)) out.agent = sock;
  const files = opts.identityFiles?.length ? opts.identityFiles : DEFAULT_KEY_NAMES.map((n) => path.join(opts.homeDir, '.ssh', n));
  for (const file of files) {
    out.looked.push(file);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') out.unreadable.push({ file, why: (err as Error).message });
      continue;
    }
    const parsed = utils.parseKey(text);
    if (parsed instanceof Error) {
      if (/passphrase|encrypted/i.test(parsed.message)) out.encrypted.push(file);
      else out.unreadable.push({ file, why: parsed.message });
      continue;
    }
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (!key.isPrivateKey()) {
      out.unreadable.push({ file, why: 'it is not a private key' });
      continue;
    }
    out.keys.push({ file, privateKey: text });
  }
  return out;
}

/** True when there is at least one way to try. */
export function hasLoginMethod(m: LoginMethods): boolean {
  return !!m.agent || m.keys.length > 0;
}

/**
 * Why logging in as `login` failed (or could not be tried), one sentence plus
 * what to do. `tried` is false when there was nothing to offer the server.
 */
export function loginFailureMessage(m: LoginMethods, login: string, tried: boolean): string {
  const offered = [...(m.agent ? ['the ssh-agent'] : []), ...m.keys.map((k) => k.file)];
  const head = tried
    ? `SSH login as ${login} was refused: the server accepted none of ${offered.join(', ')}.`
    : `No SSH key to log in as ${login}: ${m.agent ? '' : 'no ssh-agent (SSH_AUTH_SOCK is not set) and '}no usable key among ${m.looked.join(', ')}.`;
  const hints: string[] = [];
  if (m.encrypted.length) {
    hints.push(`${m.encrypted.join(', ')} ${m.encrypted.length > 1 ? 'need' : 'needs'} a passphrase, which Slipway cannot ask for: add it to ssh-agent with "ssh-add ${m.encrypted[0]}" and retry.`);
  }
  for (const u of m.unreadable) hints.push(`${u.file} cannot be used: ${u.why}.`);
  if (!hints.length) hints.push(`Check that your public key is in the remote user's ~/.ssh/authorized_keys (try "ssh ${login}" in a terminal).`);
  return `${head} ${hints.join(' ')}`;
}
