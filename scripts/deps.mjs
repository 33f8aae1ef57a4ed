// Installs what the project needs on a fresh machine: npm packages from the lockfile and,
// when running as root on Debian, the Debian packages a purpose needs (the one table of them:
// scripts/host-packages.cjs). Plain Node only: this runs before node_modules exists.
//
//   node scripts/deps.mjs [PURPOSE...]   installs the packages of these purposes (default: all)
//                                        and exits 1 naming any still missing
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import hostPackages from './host-packages.cjs';

const { PURPOSES, debianRelease, packagesFor, toolsFor } = hostPackages;

export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.error) throw new Error(`${cmd} could not start: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
}

/** `npm ci` when node_modules is missing or older than the lockfile. */
export function ensureNpm() {
  const lock = 'package-lock.json';
  const marker = 'node_modules/.package-lock.json';
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  console.log('deps: installing npm packages (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

function dpkgInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

function onPath(cmd) {
  const dirs = (process.env.PATH ?? '').split(delimiter).concat(['/usr/sbin', '/sbin']);
  return dirs.some((d) => d && existsSync(join(d, cmd)));
}

let aptUpdated = false;

/**
 * Installs the Debian packages that are missing. Returns the ones still
 * missing afterwards (not root, not Debian, or the install failed), so the
 * caller can say loudly which step cannot run.
 */
export function ensureDebPackages(pkgs, log = (line) => console.log(`deps: ${line}`)) {
  const missing = pkgs.filter((p) => !dpkgInstalled(p));
  if (!missing.length) return [];
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('apt-get', ['--version']).status === 0;
  if (!isRoot || !hasApt) return missing;
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env }).status === 0;
  // A fresh machine's package lists may be stale or absent: update once, then try again.
  if (!install() && !aptUpdated) {
    aptUpdated = true;
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    install();
  }
  return missing.filter((p) => !dpkgInstalled(p));
}

/**
 * Makes sure the host has what `purposes` need (scripts/host-packages.cjs): on Debian, installs
 * the missing packages when root; elsewhere, checks the programs are on PATH. Returns a sentence
 * saying what is missing and how to get it, or undefined when nothing is.
 */
export function ensureHostPackages(purposes, log) {
  const release = debianRelease();
  const isDebian = release !== undefined && spawnSync('dpkg-query', ['--version']).status === 0;
  if (!isDebian) {
    const missing = toolsFor(purposes).flatMap((t) => t.bins.filter((b) => !onPath(b)));
    return missing.length ? `programs not found on PATH: ${missing.join(' ')} (for ${purposes.join(', ')})` : undefined;
  }
  const missing = ensureDebPackages(packagesFor(purposes, release), log);
  if (!missing.length) return undefined;
  const hint = process.getuid?.() === 0 ? 'apt-get could not install them (its output is above)' : `run as root, or: sudo apt-get install ${missing.join(' ')}`;
  return `Debian ${release} packages missing for ${purposes.join(', ')}: ${missing.join(' ')}; ${hint}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const purposes = process.argv.slice(2);
  const chosen = purposes.length ? purposes : PURPOSES;
  let why;
  try {
    why = ensureHostPackages(chosen);
  } catch (err) {
    why = err.message;
  }
  if (why) {
    console.error(`deps: ${why}`);
    process.exit(1);
  }
  console.log(`deps: ${debianRelease() ? `Debian ${debianRelease()}` : 'this host'} has what ${chosen.join(', ')} need${chosen.length > 1 ? '' : 's'}`);
}
