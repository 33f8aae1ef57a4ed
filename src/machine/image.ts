// The guest image: where it lives, how it is verified, how it is built when absent, and
// the seed format it reads. The recipe and the guest side of the contract live in
// vm-images/ (vm-images/CONTRACT.md). Never imports `vscode`.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { GUEST_ARCHES, type GuestArch } from './spec';

export interface ImageInfo {
  dir: string;
  kernel: string;
  initrd: string;
  root: string;
  /** Kernel command line to pass verbatim with -append. */
  cmdline: string;
  version: string;
  recipeHash: string;
  arch: GuestArch;
}

interface Manifest {
  version: string;
  recipeHash: string;
  arch: string;
  cmdline: string;
  artifacts: Record<string, { sha256: string; size: number }>;
}

const ARTIFACTS = ['vmlinuz', 'initrd.img', 'root.img'] as const;

/** The vm-images/ directory: walks up from `start` (dist/ and out/ are nested) to find vm-images/build.mjs. */
export function findRecipeDir(start: string = __dirname): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'vm-images', 'build.mjs'))) return join(dir, 'vm-images');
    if (dirname(dir) === dir) break;
  }
  throw new Error(`The guest image recipe (vm-images/build.mjs) was not found above "${start}"; reinstall Slipway.`);
}

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile() && !e.name.endsWith('.md')) out.push(p);
  }
  return out;
}

/**
 * sha256 over every file under vm-images/ except *.md, sorted by relative path, each as
 * "<path>\0<bytes>\0" — the same as vm-images/lib/hash.mjs (keep them in step).
 */
export function imageRecipeHash(recipeDir: string = findRecipeDir()): string {
  const files = walk(recipeDir)
    .map((p) => relative(recipeDir, p).split(sep).join('/'))
    .sort();
  const h = createHash('sha256');
  for (const f of files) {
    h.update(f + '\0');
    h.update(readFileSync(join(recipeDir, f)));
    h.update('\0');
  }
  return h.digest('hex');
}

/** `<home>/images/<recipeHash>`, where home is the Slipway root (SLIPWAY_HOME or ~/.slipway). */
export function defaultImageDir(home: string, recipeDir?: string): string {
  return join(home, 'images', imageRecipeHash(recipeDir));
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (d) => h.update(d))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

/**
 * Reads and verifies the image in `dir`: the manifest, each artifact's size and sha256.
 * Hashing root.img takes a second or two, so a verified artifact's (size, mtime) is
 * remembered in `.verified` and not hashed again until it changes.
 */
export async function loadImage(dir: string): Promise<ImageInfo> {
  const mfPath = join(dir, 'manifest.json');
  if (!existsSync(mfPath)) {
    throw new Error(`No guest image in "${dir}" (manifest.json is missing); build it with \`npm run image\`.`);
  }
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(mfPath, 'utf8')) as Manifest;
  } catch (e) {
    throw new Error(`The guest image manifest "${mfPath}" is not valid JSON; rebuild with \`npm run image -- --force\`.`, { cause: e });
  }
  if (typeof m.cmdline !== 'string' || typeof m.recipeHash !== 'string' || !m.artifacts || typeof m.arch !== 'string') {
    throw new Error(`The guest image manifest "${mfPath}" is incomplete; rebuild with \`npm run image -- --force\`.`);
  }
  if (!GUEST_ARCHES.includes(m.arch as GuestArch)) {
    throw new Error(`The guest image in "${dir}" is for ${m.arch}; Slipway boots ${GUEST_ARCHES.join(' and ')} guests (build one with \`npm run image -- --arch ${GUEST_ARCHES.join('|')}\`).`);
  }
  const stampPath = join(dir, '.verified');
  let stamp: Record<string, string> = {};
  try {
    stamp = JSON.parse(readFileSync(stampPath, 'utf8')) as Record<string, string>;
  } catch {
    stamp = {};
  }
  let stampChanged = false;
  for (const name of ARTIFACTS) {
    const want = m.artifacts[name];
    const p = join(dir, name);
    if (!want || !existsSync(p)) {
      throw new Error(`The guest image in "${dir}" has no ${name}; rebuild with \`npm run image -- --force\`.`);
    }
    const st = statSync(p);
    if (st.size !== want.size) {
      throw new Error(`The guest image file "${p}" is ${st.size} bytes, the manifest says ${want.size}; rebuild with \`npm run image -- --force\`.`);
    }
    const key = `${want.sha256}:${st.size}:${st.mtimeMs}`;
    if (stamp[name] === key) continue;
    const got = await sha256File(p);
    if (got !== want.sha256) {
      throw new Error(`The guest image file "${p}" is corrupt (sha256 mismatch); rebuild with \`npm run image -- --force\`.`);
    }
    stamp[name] = key;
    stampChanged = true;
  }
  if (stampChanged) {
    try {
      writeFileSync(stampPath, JSON.stringify(stamp));
    } catch {
      // A read-only image directory still works; it is only verified again next time.
    }
  }
  return {
    dir,
    kernel: join(dir, 'vmlinuz'),
    initrd: join(dir, 'initrd.img'),
    root: join(dir, 'root.img'),
    cmdline: m.cmdline,
    version: m.version,
    recipeHash: m.recipeHash,
    arch: m.arch as GuestArch,
  };
}

export interface EnsureImageOptions {
  /** The Slipway root (SLIPWAY_HOME or ~/.slipway). */
  home: string;
  /** Build progress, one line at a time (the builder's stage lines). */
  onProgress?: (msg: string) => void;
  /** Build even when a verified image exists. */
  force?: boolean;
  /** Where images live; default `<home>/images`. Older recipes' images there are removed after a build. */
  imagesDir?: string;
  /** Build the benchmark's conventional-boot peer (systemd as PID 1) instead. */
  variant?: 'slipway' | 'systemd';
  /** The guest architecture (default x86_64); another one than the host's is bootstrapped through qemu-user-static. */
  arch?: GuestArch;
}

/** The image directory's name under images/ (vm-images/build.mjs names it the same way). */
export function imageDirName(recipeHash: string, arch: GuestArch = 'x86_64', variant: 'slipway' | 'systemd' = 'slipway'): string {
  return `${recipeHash}${arch === 'x86_64' ? '' : `-${arch}`}${variant === 'systemd' ? '-systemd' : ''}`;
}

/** The image for the current recipe, built first (node vm-images/build.mjs) when absent or broken. */
export async function ensureImage(opts: EnsureImageOptions): Promise<ImageInfo> {
  const recipeDir = findRecipeDir();
  const variant = opts.variant ?? 'slipway';
  const arch = opts.arch ?? 'x86_64';
  const dir = join(opts.imagesDir ?? join(opts.home, 'images'), imageDirName(imageRecipeHash(recipeDir), arch, variant));
  if (!opts.force) {
    try {
      return markUsed(await loadImage(dir));
    } catch {
      // absent or broken: build it
    }
  }
  opts.onProgress?.(`Building the guest image (a few minutes, once per recipe change) into ${dir}`);
  const args = [join(recipeDir, 'build.mjs'), '--out', dir, '--arch', arch, '--variant', variant, '--prune', ...(opts.force ? ['--force'] : [])];
  await runBuilder(args, opts.home, opts.onProgress);
  return markUsed(await loadImage(dir));
}

/**
 * Stamps the image as used now (`.last-used`): the builder's --prune removes
 * other recipes' images only after a day without use, so two checkouts (or a
 * branch switch) with different recipes do not delete each other's image.
 */
function markUsed(image: ImageInfo): ImageInfo {
  try {
    writeFileSync(join(image.dir, '.last-used'), `${new Date().toISOString()}\n`);
  } catch {
    // a read-only image directory is fine: it is then never pruned by age
  }
  return image;
}

function runBuilder(args: string[], home: string, onProgress?: (msg: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    // In the VS Code extension host process.execPath is Electron: run it as plain Node.
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', SLIPWAY_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    const lines = (buf: Buffer, keep: boolean) => {
      for (const line of buf.toString().split('\n')) {
        if (!line.trim()) continue;
        if (keep) tail = (tail + '\n' + line).slice(-2000);
        onProgress?.(line);
      }
    };
    child.stdout.on('data', (d: Buffer) => lines(d, false));
    child.stderr.on('data', (d: Buffer) => lines(d, true));
    child.on('error', (e) => reject(new Error(`Could not start the guest image build: ${e.message}.`, { cause: e })));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else {
        const last = tail.trim().split('\n').pop() ?? '';
        reject(new Error(`The guest image build failed (exit ${code}): ${last} Run \`npm run image\` to see the whole log.`));
      }
    });
  });
}

// ---------------------------------------------------------------------------------------
// Seed (vm-images/CONTRACT.md, "Seed"): the per-machine configuration the guest reads from
// fw_cfg `opt/slipway/seed`.

export interface Seed {
  hostname: string;
  user: { name: string; uid: number; gid: number; home: string; authorizedKeys: string[] };
  hostKey: { ed25519Private: string; ed25519Public: string };
  /** Shared folders: `mount=` lines from shares.ts's seedMountLines (`<mechanism> <tag> <ro|rw> <guest path>`). */
  mounts: string[];
  /** Unix seconds. */
  time: number;
}

/** The fw_cfg name under which the host passes formatSeed()'s text. */
export const SEED_FW_CFG_NAME = 'opt/slipway/seed';

/** The seed as the guest reads it. Throws, naming every bad field, when a value cannot be encoded. */
export function formatSeed(seed: Seed): string {
  const problems: string[] = [];
  const oneLine = (field: string, v: string) => {
    if (/[\r\n\0]/.test(v)) problems.push(`${field} must be one line`);
    return v;
  };
  if (!/^[A-Za-z0-9-]{1,63}$/.test(seed.hostname)) problems.push(`hostname "${seed.hostname}" must be 1-63 of A-Z a-z 0-9 -`);
  const u = seed.user;
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(u.name)) problems.push(`user.name "${u.name}" must match [a-z_][a-z0-9_-]{0,31}`);
  for (const k of ['uid', 'gid'] as const) {
    if (!Number.isInteger(u[k]) || u[k] < 0 || u[k] > 0xfffffffe) problems.push(`user.${k} ${u[k]} must be a non-negative integer`);
  }
  if ((u.name === 'root') !== (u.uid === 0)) problems.push('user.uid 0 goes with user.name "root" and only with it');
  if (!u.home.startsWith('/') || u.home.includes(':')) problems.push(`user.home "${u.home}" must be an absolute path without ':'`);
  if (!u.authorizedKeys.length) problems.push('user.authorizedKeys must hold at least one key');
  if (!Number.isInteger(seed.time) || seed.time < 0) problems.push(`time ${seed.time} must be unix seconds`);
  seed.mounts.forEach((m, i) => {
    if (!/^(9p|sshfs) [A-Za-z0-9_]{1,31} (ro|rw) \/[^\r\n\0]*$/.test(m)) problems.push(`mounts[${i}] "${m}" must be "<9p|sshfs> <tag> <ro|rw> <absolute path>"`);
  });
  const lines = [
    'slipway-seed 1',
    `hostname=${seed.hostname}`,
    `user.name=${u.name}`,
    `user.uid=${u.uid}`,
    `user.gid=${u.gid}`,
    `user.home=${oneLine('user.home', u.home)}`,
    ...u.authorizedKeys.map((k, i) => `authorized_key=${oneLine(`user.authorizedKeys[${i}]`, k.trim())}`),
    `host_key.ed25519.private.b64=${Buffer.from(seed.hostKey.ed25519Private).toString('base64')}`,
    `host_key.ed25519.public=${oneLine('hostKey.ed25519Public', seed.hostKey.ed25519Public.trim())}`,
    `time=${seed.time}`,
    ...seed.mounts.map((m) => `mount=${m}`),
  ];
  if (problems.length) throw new Error(`The machine seed is invalid: ${problems.join('; ')}.`);
  return lines.join('\n') + '\n';
}
