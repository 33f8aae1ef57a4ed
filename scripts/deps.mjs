// Installs what the project needs on a fresh machine: npm packages from the
// lockfile and, when running as root on Debian, missing Debian packages.
// Plain Node only: this runs before node_modules exists.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

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

let aptUpdated = false;

/**
 * Installs the Debian packages that are missing. Returns the ones still
 * missing afterwards (not root, not Debian, or the install failed), so the
 * caller can say loudly which tier cannot run.
 */
export function ensureDebPackages(pkgs) {
  const missing = pkgs.filter((p) => !dpkgInstalled(p));
  if (!missing.length) return [];
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('apt-get', ['--version']).status === 0;
  if (!isRoot || !hasApt) return missing;
  console.log(`deps: installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    if (!aptUpdated) {
      run('apt-get', ['update', '-qq'], { env });
      aptUpdated = true;
    }
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
  } catch (err) {
    console.error(`deps: ${err.message}`);
  }
  return missing.filter((p) => !dpkgInstalled(p));
}
