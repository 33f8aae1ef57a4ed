#!/usr/bin/env node
// Builds the Slipway guest image (vm-images/README.md, contract: vm-images/CONTRACT.md).
//
//   node vm-images/build.mjs [--arch x86_64|aarch64] [--out DIR] [--force] [--variant slipway|systemd] [--prune]
//
// --prune (implied without --out): afterwards remove sibling <hash>[-aarch64][-systemd]
// directories of other recipes that have not been used for a day.
// Default output: ${SLIPWAY_HOME:-$HOME/.slipway}/images/<recipeHash>/ for x86_64 guests,
// <recipeHash>-aarch64/ for aarch64 ones (a foreign architecture is bootstrapped through
// qemu-user-static's binfmt handlers), and -systemd after either for the conventional boot
// used only as the benchmark's peer.
// When the output already holds a manifest whose artifacts verify, it does nothing.
// Needs root (mmdebstrap in root mode, file ownership in the root image) and the Debian mirror
// apt is configured with. It installs its own Debian packages before building (mmdebstrap,
// e2fsprogs, squashfs-tools, xz-utils; for a foreign architecture arch-test and qemu-user's
// binfmt handler): the "image" and "image-foreign" purposes of scripts/host-packages.cjs.
// Every external program is spawned with an argv array; no shell strings.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync, copyFileSync, createReadStream, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync,
  readlinkSync, renameSync, rmSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync, openSync, closeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { CpioWriter } from './lib/cpio.mjs';
import { recipeHash } from './lib/hash.mjs';
import { findMirror } from './lib/mirror.mjs';
import { pruneStale } from './lib/prune.mjs';
import { ensureHostPackages } from '../scripts/deps.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const recipe = JSON.parse(readFileSync(join(HERE, 'recipe.json'), 'utf8'));
const ARTIFACTS = ['vmlinuz', 'initrd.img', 'root.img'];
// rootFormat "ext4" (default: no decompression under emulation) or "squashfs" (lz4; ~1/3 the
// size): the initrd gets the module and the command line the filesystem type to match.
const SQUASHFS = recipe.rootFormat === 'squashfs';

/** What differs between guest architectures (recipe.json "arches"). */
function archRecipe(arch) {
  const a = recipe.arches[arch];
  if (!a) throw new Error(`Unknown guest architecture '${arch}'; use ${Object.keys(recipe.arches).join(' or ')}.`);
  return {
    ...a,
    initrdModules: [...recipe.initrdModules, ...a.initrdModules, ...(SQUASHFS ? ['squashfs'] : [])],
    cmdline: `console=${a.console} ${SQUASHFS ? recipe.cmdline.replace(/\brootfstype=\S+/, 'rootfstype=squashfs') : recipe.cmdline}`,
    systemdCmdline: `console=${a.console} ${recipe.systemdCmdline}`,
  };
}

/** The image directory's name under images/ (src/machine/image.ts imageDirName() matches it). */
function imageDirName(hash, arch, variant) {
  return `${hash}${arch === 'x86_64' ? '' : `-${arch}`}${variant === 'systemd' ? '-systemd' : ''}`;
}

function parseArgs(argv) {
  const opts = { out: undefined, force: false, variant: 'slipway', arch: 'x86_64' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--force') opts.force = true;
    else if (a === '--out') opts.out = argv[++i];
    else if (a === '--variant') opts.variant = argv[++i];
    else if (a === '--arch') opts.arch = argv[++i];
    else if (a === '--print-hash') opts.printHash = true;
    else if (a === '--prune') opts.prune = true;
    else throw new Error(`Unknown argument '${a}'; usage: node vm-images/build.mjs [--arch x86_64|aarch64] [--out DIR] [--force] [--variant slipway|systemd]`);
  }
  if (!['slipway', 'systemd'].includes(opts.variant)) throw new Error(`Unknown variant '${opts.variant}'; use slipway or systemd.`);
  archRecipe(opts.arch);
  return opts;
}

const t0 = Date.now();
function stage(msg) {
  console.log(`[image ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${msg}`);
}

function run(cmd, args, { capture = false, input } = {}) {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { stdio: [input ? 'pipe' : 'ignore', capture ? 'pipe' : 'inherit', 'pipe'] });
    const out = [];
    let err = '';
    if (capture) child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => {
      err += d;
      if (!capture) process.stderr.write(d);
    });
    child.on('error', (e) =>
      rej(new Error(`Could not run '${cmd}': ${e.message}; install it (Debian: see vm-images/README.md).`, { cause: e })),
    );
    child.on('close', (code) => {
      if (code === 0) res(Buffer.concat(out));
      else rej(new Error(`'${cmd} ${args.slice(0, 3).join(' ')}…' failed (exit ${code}): ${err.trim().split('\n').slice(-5).join(' | ')}`));
    });
    if (input) child.stdin.end(input);
  });
}

export function sha256File(path) {
  return new Promise((res, rej) => {
    const h = createHash('sha256');
    createReadStream(path).on('data', (d) => h.update(d)).on('error', rej).on('end', () => res(h.digest('hex')));
  });
}

/** True when DIR holds a manifest for this recipe hash whose artifacts all match. */
async function verify(dir, hash) {
  const mf = join(dir, 'manifest.json');
  if (!existsSync(mf)) return false;
  try {
    const m = JSON.parse(readFileSync(mf, 'utf8'));
    if (m.recipeHash !== hash) return false;
    for (const [name, a] of Object.entries(m.artifacts)) {
      const p = join(dir, name);
      if (!existsSync(p) || statSync(p).size !== a.size || (await sha256File(p)) !== a.sha256) return false;
    }
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------
// rootfs

/**
 * The pristine mmdebstrap result is kept in <images>/.rootfs-<key>/ (key: suite, Debian
 * architecture, packages, dpkg filters, whether Debian's initramfs is built) so changing only
 * the init scripts or the initrd does not bootstrap again.
 */
async function bootstrapCached(imagesDir, rootfs, variant, arch) {
  const { debArch, packages } = archRecipe(arch);
  const pkgs = [...packages, ...recipe.packages, ...(variant === 'systemd' ? recipe.systemdPackages : [])];
  // Only the peer boots Debian's initramfs; ours has its own (buildInitrd).
  const debianInitrd = variant === 'systemd';
  const key = createHash('sha256')
    .update(JSON.stringify([recipe.suite, debArch, pkgs, recipe.dpkgExcludes, recipe.dpkgIncludes, debianInitrd]))
    .digest('hex')
    .slice(0, 16);
  const cached = join(imagesDir, `.rootfs-${key}`);
  if (!existsSync(join(cached, '.complete'))) {
    rmSync(cached, { recursive: true, force: true });
    await bootstrap(cached, pkgs, debArch, debianInitrd);
    writeFileSync(join(cached, '.complete'), '');
  } else {
    stage(`rootfs: reusing the bootstrapped packages in ${cached}`);
    // Its age is what pruneStale goes by.
    const now = new Date();
    utimesSync(join(cached, '.complete'), now, now);
  }
  await run('cp', ['-a', '--reflink=auto', cached, rootfs]);
  rmSync(join(rootfs, '.complete'));
}

/** This host's architecture in QEMU's names (x86_64, aarch64). */
function hostArch() {
  return process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'aarch64' : process.arch;
}

/**
 * A foreign guest architecture runs its packages' maintainer scripts (and our chroot
 * commands) through qemu-user-static's binfmt_misc handler: make sure it is registered,
 * mounting binfmt_misc and enabling the handler when they are installed but idle.
 */
async function ensureForeignArch(arch) {
  if (arch === hostArch()) return;
  const binfmt = '/proc/sys/fs/binfmt_misc';
  const handler = join(binfmt, `qemu-${arch}`);
  if (existsSync(handler)) return;
  stage(`rootfs: registering qemu-user's ${arch} handler with binfmt_misc`);
  if (!existsSync(join(binfmt, 'register'))) await run('mount', ['-t', 'binfmt_misc', 'binfmt_misc', binfmt]).catch(() => undefined);
  await run('update-binfmts', ['--enable', `qemu-${arch}`]).catch(() => undefined); // host-packages: image-foreign
  if (!existsSync(handler)) await registerFromBinfmtD(arch, binfmt);
  if (!existsSync(handler)) {
    throw new Error(`Building an ${arch} image on this ${hostArch()} host needs qemu-user's binfmt handler (${handler}); \`node scripts/deps.mjs image-foreign\` installs the packages (Debian), and binfmt_misc must be mounted.`);
  }
}

/**
 * Debian 13's qemu-user-binfmt registers its handlers through systemd-binfmt only (a
 * /usr/lib/binfmt.d/qemu-<arch>.conf line), which does nothing where systemd is not running (a
 * container, a chroot, CI): hand that line to the kernel ourselves. The line is the kernel's
 * own register format; its F flag opens the interpreter now, so it works inside the chroot.
 */
async function registerFromBinfmtD(arch, binfmt) {
  const conf = [`/usr/lib/binfmt.d/qemu-${arch}.conf`, `/usr/share/qemu/binfmt.d/qemu-${arch}.conf`].find((f) => existsSync(f));
  if (!conf) return;
  const line = readFileSync(conf, 'utf8').split('\n').find((l) => l.startsWith(':'));
  if (!line) return;
  stage(`rootfs: registering ${conf} with binfmt_misc`);
  try {
    writeFileSync(join(binfmt, 'register'), line);
  } catch (e) {
    stage(`rootfs: binfmt_misc refused ${conf}: ${e.message}`);
  }
}

/**
 * mmdebstrap hook (its hooks are shell commands; this one is a constant) that diverts
 * Debian's update-initramfs to a no-op before the kernel package is configured: the
 * kernel's postinst and initramfs-tools' trigger would otherwise build two initramfs
 * images nobody boots, minutes under qemu-user for a foreign architecture.
 */
const NO_DEBIAN_INITRD_HOOK =
  'chroot "$1" dpkg-divert --quiet --local --rename --divert /usr/sbin/update-initramfs.debian --add /usr/sbin/update-initramfs' +
  ` && printf '#!/bin/sh\n# Slipway boots its own initramfs (vm-images/initrd/init).\nexit 0\n' > "$1/usr/sbin/update-initramfs"` +
  ' && chmod 0755 "$1/usr/sbin/update-initramfs"';

async function bootstrap(rootfs, pkgs, debArch, debianInitrd) {
  const mirror = findMirror();
  stage(`rootfs: mmdebstrap ${recipe.suite} ${debArch} (${pkgs.length} packages) from ${mirror}`);
  const args = [
    '--variant=minbase',
    `--architectures=${debArch}`,
    '--mode=root',
    '--format=directory',
    `--include=${pkgs.join(',')}`,
    '--aptopt=Acquire::Languages "none"',
    ...recipe.dpkgExcludes.map((p) => `--dpkgopt=path-exclude=${p}`),
    ...recipe.dpkgIncludes.map((p) => `--dpkgopt=path-include=${p}`),
    ...(debianInitrd ? [] : [`--essential-hook=${NO_DEBIAN_INITRD_HOOK}`]),
    '--quiet',
    recipe.suite,
    rootfs,
    mirror,
  ];
  await run('mmdebstrap', args);
}

/** Copies the tree SRC into the rootfs; executables keep their mode. */
function overlayTree(src, rootfs) {
  for (const e of readdirSync(src, { withFileTypes: true })) {
    const from = join(src, e.name);
    const to = join(rootfs, relative(src, from));
    if (e.isDirectory()) {
      mkdirSync(to, { recursive: true });
      overlayTree(from, to);
    } else {
      copyFileSync(from, to);
      chmodSync(to, statSync(from).mode & 0o111 ? 0o755 : 0o644);
    }
  }
}

function kernelVersion(rootfs) {
  const vers = readdirSync(join(rootfs, 'usr/lib/modules'));
  if (vers.length !== 1) throw new Error(`Expected one kernel in the rootfs, found ${vers.length}: ${vers.join(', ')}.`);
  return vers[0];
}

/** Commands to run after customize() (chroot needs spawning; customize is synchronous). */
const alternatives = [];

function customize(rootfs, variant, outDir) {
  const kver = kernelVersion(rootfs);
  stage(`customize: kernel ${kver}, ${variant} init`);
  copyFileSync(join(rootfs, 'boot', `vmlinuz-${kver}`), join(outDir, 'vmlinuz'));
  if (variant === 'systemd') {
    // The peer keeps Debian's stock initrd and systemd as PID 1.
    copyFileSync(join(rootfs, 'boot', `initrd.img-${kver}`), join(outDir, 'initrd.img'));
    overlayTree(join(HERE, 'systemd'), rootfs);
    const wants = (target, unit) => {
      const dir = join(rootfs, 'etc/systemd/system', `${target}.wants`);
      mkdirSync(dir, { recursive: true });
      const link = join(dir, unit);
      if (!existsSync(link)) symlinkSync(`/etc/systemd/system/${unit}`, link);
    };
    wants('network-online.target', 'slipway-net.service');
    wants('multi-user.target', 'slipway-ready.service');
    writeFileSync(join(rootfs, 'etc/fstab'), '/dev/vda / ext4 rw,noatime 0 1\n');
    return kver;
  }
  overlayTree(join(HERE, 'rootfs'), rootfs);
  if (recipe.iptables === 'legacy') {
    for (const [name, path] of [['iptables', 'iptables-legacy'], ['ip6tables', 'ip6tables-legacy']]) {
      alternatives.push(['chroot', [rootfs, 'update-alternatives', '--quiet', '--set', name, `/usr/sbin/${path}`]]);
    }
  }
  // busybox provides init and poweroff/reboot/halt (they signal PID 1, busybox init).
  for (const name of ['init', 'poweroff', 'reboot', 'halt']) {
    const p = join(rootfs, 'usr/sbin', name);
    if (existsSync(p) || isSymlink(p)) unlinkSync(p);
    symlinkSync('/bin/busybox', p); // the guest's (host-packages: none)
  }
  // Host keys made at build time would be shared by every machine: the seed provides one.
  for (const f of readdirSync(join(rootfs, 'etc/ssh'))) {
    if (f.startsWith('ssh_host_')) unlinkSync(join(rootfs, 'etc/ssh', f));
  }
  rmSync(join(rootfs, 'boot'), { recursive: true, force: true });
  mkdirSync(join(rootfs, 'boot'));
  for (const d of ['var/cache/apt', 'var/lib/apt/lists', 'var/log']) {
    rmSync(join(rootfs, d), { recursive: true, force: true });
    mkdirSync(join(rootfs, d), { recursive: true });
  }
  mkdirSync(join(rootfs, 'mnt/slipway-data'), { recursive: true });
  writeFileSync(join(rootfs, 'etc/fstab'), '# Slipway mounts everything from /usr/lib/slipway/boot\n');
  return kver;
}

function isSymlink(p) {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------
// initrd

/** Module names → .ko paths (relative to the modules dir) with dependencies first. */
function resolveModules(modDir, wanted) {
  const norm = (n) => n.replace(/-/g, '_');
  const base = (p) => norm(p.split('/').pop().replace(/\.ko(\.xz|\.zst|\.gz)?$/, ''));
  const deps = new Map();
  const paths = new Map();
  for (const line of readFileSync(join(modDir, 'modules.dep'), 'utf8').split('\n')) {
    if (!line) continue;
    const [mod, rest] = line.split(':');
    paths.set(base(mod), mod);
    deps.set(base(mod), rest.trim() ? rest.trim().split(/\s+/).map(base) : []);
  }
  // "softdep X pre: a b" (e.g. ext4 needs crc32c): loaded before X, like modprobe does.
  const softPre = new Map();
  for (const line of readFileSync(join(modDir, 'modules.softdep'), 'utf8').split('\n')) {
    const m = line.match(/^softdep\s+(\S+)\s+(.*)$/);
    if (!m) continue;
    const pre = m[2].match(/pre:\s*([^:]*?)(\s+post:|$)/);
    if (pre) softPre.set(norm(m[1]), pre[1].trim().split(/\s+/).filter(Boolean).map(norm));
  }
  const builtin = new Set(
    readFileSync(join(modDir, 'modules.builtin'), 'utf8').split('\n').filter(Boolean).map(base),
  );
  // Exact aliases (e.g. crypto-crc32c → crc32c_generic); the generic implementation is
  // preferred since CPU-specific ones may not load on the emulated CPU.
  const aliases = new Map();
  for (const line of readFileSync(join(modDir, 'modules.alias'), 'utf8').split('\n')) {
    const m = line.match(/^alias\s+(\S+)\s+(\S+)$/);
    if (!m || /[*?[]/.test(m[1])) continue;
    const list = aliases.get(norm(m[1])) ?? [];
    list.push(norm(m[2]));
    aliases.set(norm(m[1]), list);
  }
  const resolveName = (n) => {
    if (paths.has(n) || builtin.has(n)) return n;
    const c = aliases.get(n) ?? [];
    return c.find((x) => x.endsWith('_generic')) ?? c[0];
  };
  const order = [];
  const seen = new Set();
  const visit = (n) => {
    if (seen.has(n)) return;
    seen.add(n);
    if (builtin.has(n)) return;
    if (!paths.has(n)) throw new Error(`Kernel module '${n}' is neither built in nor in modules.dep; fix initrdModules in vm-images/recipe.json.`);
    for (const d of softPre.get(n) ?? []) {
      const r = resolveName(d);
      if (r) visit(r);
    }
    for (const d of deps.get(n)) visit(d);
    order.push(n);
  };
  for (const w of wanted) visit(norm(w));
  return order.map((n) => ({ name: n, path: paths.get(n) }));
}

async function decompressModule(file) {
  return file.endsWith('.xz') ? run('xz', ['-dc', file], { capture: true }) : readFileSync(file);
}

/**
 * Docker's networking modules, decompressed into the root image (usr/lib/slipway/modules/)
 * so the boot script loads them with busybox insmod in the background (no modprobe, no xz).
 */
async function stageBootModules(rootfs, kver, arch) {
  const modDir = join(rootfs, 'usr/lib/modules', kver);
  const early = new Set(resolveModules(modDir, archRecipe(arch).initrdModules).map((m) => m.name));
  const mods = resolveModules(modDir, recipe.bootModules).filter((m) => !early.has(m.name));
  stage(`boot modules: ${mods.length} decompressed into the root image`);
  const dest = join(rootfs, 'usr/lib/slipway/modules');
  mkdirSync(dest, { recursive: true });
  for (const m of mods) writeFileSync(join(dest, `${m.name}.ko`), await decompressModule(join(modDir, m.path)));
  writeFileSync(join(dest, 'modules.list'), mods.map((m) => m.name).join('\n') + '\n');
}

async function buildInitrd(rootfs, kver, outDir, arch) {
  const modDir = join(rootfs, 'usr/lib/modules', kver);
  const mods = resolveModules(modDir, archRecipe(arch).initrdModules);
  stage(`initrd: busybox + ${mods.length} modules`);
  const cpio = new CpioWriter();
  for (const d of ['bin', 'dev', 'proc', 'sys', 'lib', 'lib/modules', 'newroot', 'lower', 'rw']) cpio.dir(d);
  cpio.charDevice('dev/console', 5, 1);
  cpio.file('bin/busybox', readFileSync(join(rootfs, 'usr/bin/busybox')), 0o755);
  cpio.symlink('bin/sh', 'busybox');
  cpio.file('init', readFileSync(join(HERE, 'initrd/init')), 0o755);
  for (const m of mods) {
    const file = join(modDir, m.path);
    const data = await decompressModule(file);
    cpio.file(`lib/modules/${m.name}.ko`, data);
  }
  cpio.file('modules.list', mods.map((m) => m.name).join('\n') + '\n');
  writeFileSync(join(outDir, 'initrd.img'), gzipSync(cpio.finish(), { level: 6 }));
}

// ---------------------------------------------------------------------------------------
// root image

function treeBytes(dir) {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += 4096 + treeBytes(p);
    else if (e.isFile()) total += Math.ceil(lstatSync(p).size / 4096) * 4096;
    else total += 4096;
  }
  return total;
}

async function buildRoot(rootfs, outDir, variant) {
  const img = join(outDir, 'root.img');
  const bytes = treeBytes(rootfs);
  if (variant === 'slipway' && SQUASHFS) {
    stage(`root: squashfs from ${(bytes / 2 ** 20).toFixed(0)} MiB`);
    await run('mksquashfs', [rootfs, img, '-noappend', '-quiet', '-comp', 'lz4']);
    return;
  }
  // Read-only root: no journal, 10% + 64 MiB slack. The peer's rw root gets 2 GiB free.
  const slack = variant === 'systemd' ? 2 * 2 ** 30 : bytes * 0.1 + 64 * 2 ** 20;
  const sizeK = Math.ceil((bytes + slack) / 1024);
  stage(`root: ext4 ${(sizeK / 1024).toFixed(0)} MiB from ${(bytes / 2 ** 20).toFixed(0)} MiB of files`);
  const features = variant === 'systemd' ? [] : ['-O', '^has_journal'];
  await run('mkfs.ext4', ['-q', '-F', '-L', variant === 'systemd' ? 'peer-root' : 'slipway-root', '-m', '0',
    ...features, '-E', 'root_owner=0:0', '-d', rootfs, img, `${sizeK}k`]);
}

// ---------------------------------------------------------------------------------------

function lock(path) {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(path, 'utf8'));
      let alive = false;
      try {
        process.kill(pid, 0);
        alive = true;
      } catch {}
      if (alive) throw new Error(`Another image build (pid ${pid}) is running; wait for it or remove '${path}' if it is stale.`);
      rmSync(path, { force: true });
    }
  }
  throw new Error(`Could not take the build lock '${path}'.`);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const hash = recipeHash(HERE);
  if (opts.printHash) return console.log(hash);
  const home = process.env.SLIPWAY_HOME || join(homedir(), '.slipway');
  const outDir = resolve(opts.out ?? join(home, 'images', imageDirName(hash, opts.arch, opts.variant)));
  if (!opts.force && (await verify(outDir, hash))) {
    stage(`up to date: ${outDir}`);
    return;
  }
  if (process.getuid?.() !== 0) {
    throw new Error('Building the guest image needs root (mmdebstrap, file ownership in the root image); run it with sudo.');
  }
  // Its own Debian packages first, also when a test tier or the extension's ensureImage runs it.
  const missing = ensureHostPackages(opts.arch === hostArch() ? ['image'] : ['image', 'image-foreign'], (line) => stage(line));
  if (missing) throw new Error(`${missing}. Install them and build again.`);
  mkdirSync(dirname(outDir), { recursive: true });
  const unlock = lock(`${outDir}.lock`);
  const work = `${outDir}.work-${process.pid}`;
  try {
    rmSync(work, { recursive: true, force: true });
    const stageDir = join(work, 'out');
    const rootfs = join(work, 'rootfs');
    mkdirSync(stageDir, { recursive: true });
    stage(`building ${opts.variant} ${opts.arch} image ${hash.slice(0, 12)} into ${outDir}`);
    await ensureForeignArch(opts.arch);
    await bootstrapCached(dirname(outDir), rootfs, opts.variant, opts.arch);
    const kver = customize(rootfs, opts.variant, stageDir);
    for (const [cmd, args] of alternatives) await run(cmd, args);
    if (opts.variant === 'slipway') {
      await buildInitrd(rootfs, kver, stageDir, opts.arch);
      await stageBootModules(rootfs, kver, opts.arch);
    }
    await buildRoot(rootfs, stageDir, opts.variant);
    stage('manifest: sha256 of artifacts');
    const artifacts = {};
    for (const name of ARTIFACTS) {
      const p = join(stageDir, name);
      artifacts[name] = { sha256: await sha256File(p), size: statSync(p).size };
    }
    const manifest = {
      version: `${recipe.imageVersion}-${hash.slice(0, 12)}`,
      recipeHash: hash,
      arch: opts.arch,
      variant: opts.variant,
      rootFormat: opts.variant === 'systemd' ? 'ext4' : recipe.rootFormat,
      kernel: kver,
      cmdline: opts.variant === 'systemd' ? archRecipe(opts.arch).systemdCmdline : archRecipe(opts.arch).cmdline,
      artifacts,
    };
    writeFileSync(join(stageDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    rmSync(outDir, { recursive: true, force: true });
    renameSync(stageDir, outDir);
    for (const [n, a] of Object.entries(artifacts)) stage(`  ${n} ${(a.size / 2 ** 20).toFixed(1)} MiB`);
    stage(`done: ${outDir}`);
    if (!opts.out || opts.prune) for (const name of pruneStale(dirname(outDir), hash)) stage(`removed ${name}: no build or machine used it for a day`);
  } finally {
    rmSync(work, { recursive: true, force: true });
    unlock();
  }
}

main().catch((e) => {
  console.error(`image build failed: ${e.message}`);
  process.exit(1);
});
