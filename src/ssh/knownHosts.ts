// OpenSSH known_hosts, read-only: which host keys are recorded for a host, and
// whether the key a server presents is one of them. Pure (file texts in,
// verdicts out) so every form is table-tested: plain and hashed
// (`|1|salt|hmac`) host fields, `[host]:port`, comma-separated lists, `!`
// negation, `*`/`?` wildcards, `@revoked` and `@cert-authority` markers.
//
// Contract: a host is trusted only through a recorded key. Nothing is ever
// added to known_hosts here (no trust on first use): the user records a key
// with OpenSSH itself, which shows the fingerprint to check.

import { createHash, createHmac } from 'node:crypto';

export interface KnownHostEntry {
  file: string;
  /** 1-based line number, for messages. */
  line: number;
  marker?: 'revoked' | 'cert-authority';
  /** The host field as written (a pattern list, or one hashed name). */
  hosts: string;
  keyType: string;
  /** The raw public key blob (what the SSH server presents). */
  key: Buffer;
}

/** Every entry in one known_hosts text; malformed lines are skipped, as OpenSSH does. */
export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const fields = raw.trim().split(/[ \t]+/);
    if (!fields[0] || fields[0].startsWith('#')) return;
    let marker: KnownHostEntry['marker'];
    if (fields[0].startsWith('@')) {
      const m = fields.shift()!;
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else return; // an unknown marker: OpenSSH ignores the line
    }
    const [hosts, keyType, b64] = fields;
    if (!hosts || !keyType || !b64 || !/^[A-Za-z0-9+/]+=*$/.test(b64)) return;
    const key = Buffer.from(b64, 'base64');
    // The blob starts with its own type name; a line whose two disagree is broken.
    if (key.length < 4 || key.toString('latin1', 4, 4 + key.readUInt32BE(0)) !== keyType) return;
    out.push({ file, line: i + 1, marker, hosts, keyType, key });
  });
  return out;
}

/** The name known_hosts records for host:port: `host` on port 22, else `[host]:port`. */
export function knownHostName(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

/** OpenSSH's glob: `*` any run of characters, `?` exactly one; case-insensitive. */
export function matchGlob(text: string, pattern: string): boolean {
  const t = text.toLowerCase();
  const p = pattern.toLowerCase();
  // Iterative matcher with one backtrack point, linear for these short strings.
  let ti = 0;
  let pi = 0;
  let star = -1;
  let mark = 0;
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === t[ti])) {
      ti++;
      pi++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = ti;
    } else if (star >= 0) {
      pi = star + 1;
      ti = ++mark;
    } else return false;
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/**
 * Matches `name` against a comma-separated pattern list: true when some
 * positive pattern matches and no negated (`!`) one does.
 */
export function matchPatternList(name: string, list: string): boolean {
  let matched = false;
  for (const raw of list.split(',')) {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    if (!pattern || !matchGlob(name, pattern)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

/** `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`, as `HashKnownHosts yes` writes it. */
function matchHashed(name: string, field: string): boolean {
  const parts = field.split('|');
  if (parts.length !== 4 || parts[1] !== '1') return false;
  const salt = Buffer.from(parts[2], 'base64');
  const want = Buffer.from(parts[3], 'base64');
  const got = createHmac('sha1', salt).update(name).digest();
  return got.length === want.length && got.equals(want);
}

/** Whether `entry`'s host field matches `name` (as produced by knownHostName). */
export function entryMatches(entry: KnownHostEntry, name: string): boolean {
  return entry.hosts.startsWith('|') ? matchHashed(name, entry.hosts) : matchPatternList(name, entry.hosts);
}

export interface HostKeys {
  /** "host" or "[host]:port", as looked up. */
  name: string;
  keys: KnownHostEntry[];
  revoked: KnownHostEntry[];
  certAuthorities: KnownHostEntry[];
}

/** The entries that apply to host:port, from every file given (user file first). */
export function lookupHost(entries: readonly KnownHostEntry[], host: string, port: number): HostKeys {
  const name = knownHostName(host, port);
  const found: HostKeys = { name, keys: [], revoked: [], certAuthorities: [] };
  for (const e of entries) {
    // A @revoked key is refused for every host, whatever its host field says:
    // a revoked key must never be accepted (sshd(8), SSH_KNOWN_HOSTS FILE FORMAT).
    if (e.marker === 'revoked') found.revoked.push(e);
    else if (!entryMatches(e, name)) continue;
    else if (e.marker === 'cert-authority') found.certAuthorities.push(e);
    else found.keys.push(e);
  }
  return found;
}

export type HostKeyVerdict =
  | { ok: true; entry: KnownHostEntry }
  | { ok: false; kind: 'unknown' | 'cert-authority-only' | 'mismatch' | 'revoked'; entry?: KnownHostEntry };

/** Whether the presented key blob is acceptable for the host whose entries are `found`. */
export function checkHostKey(found: HostKeys, presented: Buffer): HostKeyVerdict {
  const revoked = found.revoked.find((e) => e.key.equals(presented));
  if (revoked) return { ok: false, kind: 'revoked', entry: revoked };
  const match = found.keys.find((e) => e.key.equals(presented));
  if (match) return { ok: true, entry: match };
  if (found.keys.length) return { ok: false, kind: 'mismatch', entry: found.keys[0] };
  return { ok: false, kind: found.certAuthorities.length ? 'cert-authority-only' : 'unknown' };
}

/** Host key algorithms to offer so the server presents a key type we have recorded (OpenSSH orders them the same way). */
export function hostKeyAlgorithms(found: HostKeys): string[] {
  const out: string[] = [];
  for (const e of found.keys) {
    const algs = e.keyType === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [e.keyType];
    for (const a of algs) if (!out.includes(a)) out.push(a);
  }
  return out;
}

/** OpenSSH's fingerprint form: "SHA256:" + unpadded base64 of the blob's SHA-256. */
export function keyFingerprint(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

/** The key type named at the start of a blob ("ssh-ed25519"…). */
export function blobKeyType(blob: Buffer): string {
  return blob.length < 4 ? '?' : blob.toString('latin1', 4, 4 + blob.readUInt32BE(0));
}

export type HostKeyProblem = 'unknown' | 'cert-authority-only' | 'mismatch' | 'revoked';

/** A host key that is not (or no longer) trusted; the message says what to do. */
export class HostKeyError extends Error {
  constructor(
    readonly kind: HostKeyProblem,
    message: string,
  ) {
    super(message);
    this.name = 'HostKeyError';
  }
}

export interface HostKeyContext {
  /** "root@example.com" as the user wrote it (alias or host). */
  login: string;
  host: string;
  port: number;
  /** The known_hosts files consulted, for messages. */
  files: string[];
}

/**
 * The error for a failed verdict, one sentence with the way out. `presented`
 * is undefined when the verdict was reached before connecting (no key recorded).
 */
export function hostKeyError(v: Exclude<HostKeyVerdict, { ok: true }>, presented: Buffer | undefined, ctx: HostKeyContext): HostKeyError {
  const address = `${ctx.host}:${ctx.port}`;
  const sshCmd = ctx.port === 22 ? `ssh ${ctx.login}` : `ssh -p ${ctx.port} ${ctx.login}`;
  const fp = presented ? keyFingerprint(presented) : 'unknown';
  const where = (e?: KnownHostEntry) => (e ? `${e.file}:${e.line}` : ctx.files.join(' or '));
  switch (v.kind) {
    case 'unknown':
      return new HostKeyError(
        'unknown',
        `The SSH host ${address} is not in ${ctx.files.join(' or ')}, so its identity cannot be checked: run "${sshCmd}" once in a terminal to verify and record its key, then retry.`,
      );
    case 'cert-authority-only':
      return new HostKeyError(
        'cert-authority-only',
        `The SSH host ${address} is vouched for only by a @cert-authority line in ${ctx.files.join(' or ')}, and Slipway does not check host certificates: add the host's own public key${presented ? ` (${blobKeyType(presented)} ${fp}, after checking it)` : ''} to known_hosts, then retry.`,
      );
    case 'mismatch':
      return new HostKeyError(
        'mismatch',
        `The SSH host key of ${address} is ${fp}, but ${keyFingerprint(v.entry!.key)} is recorded in ${where(v.entry)}: refusing to connect. ` +
          `Something else may be answering at that address, or the host was reinstalled; if you trust the new key, remove the old one with "ssh-keygen -R ${knownHostName(ctx.host, ctx.port)}" and run "${sshCmd}" once to record it.`,
      );
    case 'revoked':
      return new HostKeyError(
        'revoked',
        `The SSH host key of ${address} (${fp}) is marked @revoked in ${where(v.entry)}: refusing to connect.`,
      );
  }
}
