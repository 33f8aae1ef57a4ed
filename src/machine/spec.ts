// A machine's configuration (config.json in its instance directory), kept
// apart from the code that acts on it: read → fill defaults → validate, and
// validation returns every problem with its field path, not just the first.

import { nameProblem, type HostOs } from './layout';
import { defaultShares, validateShares, withShareDefaults, type Share } from './shares';

export type GuestArch = 'x86_64' | 'aarch64';
export const GUEST_ARCHES: readonly GuestArch[] = ['x86_64', 'aarch64'];

export interface GuestUser {
  name: string;
  uid: number;
  gid: number;
  /** Absolute path in the guest. */
  home: string;
}

export interface MachineSpec {
  name: string;
  arch: GuestArch;
  cpus: number;
  memoryMiB: number;
  /** Virtual size of the data disk; the qcow2 file only grows as it is used. */
  diskGiB: number;
  user: GuestUser;
  /** Host folders mounted in the guest at the same path (shares.ts). */
  shares: Share[];
}

/** What the defaults depend on; the caller reads them from the host. */
export interface HostFacts {
  arch: GuestArch;
  cpus: number;
  user: { name: string; uid: number; gid: number };
  /** Defaults to linux; decides the default shares and how share paths are checked. */
  os?: HostOs;
  /** The host user's home directory (the default share on Linux and Windows). */
  home?: string;
}

export interface SpecProblem {
  /** e.g. "cpus", "user.uid" */
  path: string;
  message: string;
}

export const LIMITS = {
  cpus: { min: 1, max: 64 },
  memoryMiB: { min: 512, max: 262_144 },
  diskGiB: { min: 4, max: 4096 },
  uid: { min: 1, max: 65_533 },
} as const;

const USER_RE = /^[a-z_][a-z0-9_-]{0,31}$/;

/**
 * The guest user mirrors the host user, so files in shared folders have the
 * same owner on both sides: a valid Linux account keeps its name and ids, root
 * stays root (on a root host a shared file written as root is the host user's
 * file); anything else becomes "slipway" 1000:1000.
 */
export function defaultUser(host: HostFacts['user']): GuestUser {
  if (host.uid === 0) return { name: 'root', uid: 0, gid: 0, home: '/root' };
  const ok = USER_RE.test(host.name) && host.uid >= LIMITS.uid.min && host.uid <= LIMITS.uid.max && host.gid >= 1 && host.gid <= LIMITS.uid.max;
  const u = ok ? host : { name: 'slipway', uid: 1000, gid: 1000 };
  return { ...u, home: `/home/${u.name}` };
}

/** Fills every missing field of a partial spec from the host facts. Does not validate. */
export function withDefaults(partial: Partial<MachineSpec> & { user?: Partial<GuestUser> }, name: string, host: HostFacts): MachineSpec {
  const user = defaultUser(host.user);
  const u: Partial<GuestUser> = partial.user ?? {};
  return {
    name: partial.name ?? name,
    arch: partial.arch ?? host.arch,
    cpus: partial.cpus ?? Math.max(1, Math.min(2, host.cpus)),
    memoryMiB: partial.memoryMiB ?? 2048,
    diskGiB: partial.diskGiB ?? 64,
    user: {
      name: u.name ?? user.name,
      uid: u.uid ?? user.uid,
      gid: u.gid ?? user.gid,
      home: u.home ?? (u.name ? (u.name === 'root' ? '/root' : `/home/${u.name}`) : user.home),
    },
    shares: sharesWithDefaults(partial.shares, host),
  };
}

function sharesWithDefaults(shares: unknown, host: HostFacts): Share[] {
  const os = host.os ?? 'linux';
  if (shares === undefined) return defaultShares(os, host.home ?? '/root');
  // Invalid input is kept as it is so that validation reports it with its field path.
  return validateShares(shares, os).length ? (shares as Share[]) : withShareDefaults(shares as Share[], os);
}

const TOP_KEYS = new Set(['name', 'arch', 'cpus', 'memoryMiB', 'diskGiB', 'user', 'shares']);
const USER_KEYS = new Set(['name', 'uid', 'gid', 'home']);

/** Every problem of `value` as a machine spec (after defaults), with its field path. Empty when valid. */
export function validateSpec(value: unknown, os: HostOs = 'linux'): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  if (!isObject(value)) return [{ path: '', message: 'must be a JSON object' }];

  for (const k of Object.keys(value)) if (!TOP_KEYS.has(k)) add(k, `unknown field (known: ${[...TOP_KEYS].join(', ')})`);

  if (typeof value.name !== 'string') add('name', 'must be a string');
  else {
    const p = nameProblem(value.name);
    if (p) add('name', p);
  }
  if (!GUEST_ARCHES.includes(value.arch as GuestArch)) add('arch', `must be one of ${GUEST_ARCHES.map((a) => `"${a}"`).join(', ')}`);
  intIn(value.cpus, LIMITS.cpus, 'cpus', add);
  intIn(value.memoryMiB, LIMITS.memoryMiB, 'memoryMiB', add);
  intIn(value.diskGiB, LIMITS.diskGiB, 'diskGiB', add);

  const user = value.user;
  if (!isObject(user)) add('user', 'must be an object with name, uid, gid and home');
  else {
    for (const k of Object.keys(user)) if (!USER_KEYS.has(k)) add(`user.${k}`, `unknown field (known: ${[...USER_KEYS].join(', ')})`);
    if (typeof user.name !== 'string' || !USER_RE.test(user.name))
      add('user.name', 'must be a Linux user name: 1-32 of a-z, 0-9, "_" and "-", not starting with a digit or "-"');
    if (user.name === 'root') {
      // root mirrors a root host (defaultUser); it keeps its own ids.
      if (user.uid !== 0 || user.gid !== 0) add('user.uid', 'must be 0 with gid 0 for user "root"');
    } else {
      intIn(user.uid, LIMITS.uid, 'user.uid', add);
      intIn(user.gid, LIMITS.uid, 'user.gid', add);
    }
    if (typeof user.home !== 'string' || !user.home.startsWith('/') || /[\0\n]/.test(user.home))
      add('user.home', 'must be an absolute guest path, e.g. "/home/me"');
  }
  if (value.shares !== undefined) problems.push(...validateShares(value.shares, os));
  return problems;
}

export class SpecError extends Error {
  constructor(
    readonly source: string,
    readonly problems: SpecProblem[],
    options?: { cause?: unknown },
  ) {
    super(`${source} is not a valid machine configuration: ${problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ')}`, options);
    this.name = 'SpecError';
  }
}

/**
 * Parses config.json text: JSON → defaults → validation. Throws a SpecError
 * listing every problem; `source` names the file in messages.
 */
export function parseSpec(text: string, name: string, host: HostFacts, source: string): MachineSpec {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new SpecError(source, [{ path: '', message: `is not valid JSON (${(err as Error).message})` }], { cause: err });
  }
  if (!isObject(raw)) throw new SpecError(source, [{ path: '', message: 'must be a JSON object' }]);
  // Unknown fields and wrongly-typed values are kept so validation reports them.
  const rawUser = raw.user;
  const filled: Record<string, unknown> = { ...raw, ...withDefaults({ ...raw, user: isObject(rawUser) ? rawUser : undefined } as Partial<MachineSpec>, name, host) };
  if (rawUser !== undefined) filled.user = isObject(rawUser) ? { ...rawUser, ...(filled.user as object) } : rawUser;
  const problems = validateSpec(filled, host.os);
  if (problems.length) throw new SpecError(source, problems);
  return filled as unknown as MachineSpec;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function intIn(v: unknown, range: { min: number; max: number }, path: string, add: (p: string, m: string) => void): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < range.min || v > range.max)
    add(path, `must be a whole number from ${range.min} to ${range.max} (got ${JSON.stringify(v)})`);
}
