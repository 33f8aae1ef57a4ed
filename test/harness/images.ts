// Base images for tests, made locally (no registry): a rootfs with Debian's
// static busybox, imported with `docker import`. Cached as a tarball so every
// daemon imports the same bytes.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, copyFileSync, mkdtempSync, rmSync, writeFileSync, symlinkSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dockerCli } from './programs';

export const BUSYBOX_IMAGE = 'slipway-test/busybox:1';

const BUSYBOX_APPLETS = ['sh', 'ls', 'cat', 'echo', 'sleep', 'true', 'false', 'mkdir', 'rm', 'touch', 'env', 'id', 'yes', 'head', 'seq', 'nc', 'httpd', 'wc', 'stat', 'mv', 'chown', 'dd', 'find', 'grep', 'ps', 'kill', 'vi', 'hostname', 'date', 'printf', 'tail', 'stty'];

/** Debian's static busybox (busybox-static, from scripts/host-packages.cjs); a dynamic one would not run in the image. */
function staticBusybox(): string {
  const bin = '/bin/busybox';
  const ldd = existsSync(bin) ? spawnSync('ldd', [bin], { encoding: 'utf8' }) : undefined;
  if (ldd && `${ldd.stdout ?? ''}${ldd.stderr ?? ''}`.includes('not a dynamic')) return bin;
  throw new Error(`${bin} is ${ldd ? 'not static' : 'missing'}; \`node scripts/deps.mjs engine\` installs Debian's busybox-static`);
}

/** Builds (once per machine) a tarball of a minimal busybox rootfs and returns its path. */
export function busyboxTarball(): string {
  const cacheDir = path.join(os.tmpdir(), 'slipway-test-cache');
  const tar = path.join(cacheDir, 'busybox-rootfs.tar');
  if (existsSync(tar)) return tar;
  mkdirSync(cacheDir, { recursive: true });
  const root = mkdtempSync(path.join(os.tmpdir(), 'slipway-rootfs-'));
  try {
    for (const d of ['bin', 'etc', 'tmp', 'root', 'proc', 'sys', 'dev', 'var/www']) mkdirSync(path.join(root, d), { recursive: true });
    copyFileSync(staticBusybox(), path.join(root, 'bin/busybox'));
    for (const a of BUSYBOX_APPLETS) symlinkSync('busybox', path.join(root, 'bin', a));
    writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
    writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
    writeFileSync(path.join(root, 'var/www/index.html'), 'hello from slipway test image\n');
    const tmpTar = `${tar}.${process.pid}`;
    const r = spawnSync('tar', ['-C', root, '-cf', tmpTar, '.'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`);
    spawnSync('mv', [tmpTar, tar]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return tar;
}

/** Imports the busybox image into the daemon at `env.DOCKER_HOST` as `tag`. */
export function importBusybox(env: NodeJS.ProcessEnv, tag = BUSYBOX_IMAGE): string {
  const r = spawnSync(dockerCli(), ['import', '--change', 'CMD ["/bin/sh"]', '--change', 'ENV PATH=/bin', busyboxTarball(), tag], {
    env,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`docker import failed: ${r.stderr}`);
  return tag;
}

/** Runs the docker CLI against `env`'s daemon; throws with its stderr on failure. */
export function docker(env: NodeJS.ProcessEnv, ...args: string[]): string {
  const r = spawnSync(dockerCli(), args, { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')} failed (${r.status}): ${r.stderr.trim()}`);
  return r.stdout.trim();
}
