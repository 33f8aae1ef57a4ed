// Every Debian package that Slipway's own scripts need on the host, in one place: each test
// tier, `npm start`, `npm run bench` and the guest image build (`npm run image`, also run by
// the machine tiers and by the extension's ensureImage). scripts/deps.mjs installs a
// purpose's packages before the step that needs them; test/unit/hostPackages.test.ts scans
// scripts/, vm-images/, test/ and bench/ for the programs they start and fails when one is
// not declared here for every purpose that reaches it.
//
// Debian 12 (bookworm) and 13 (trixie) both: where a package is named differently, or not
// needed, on one of them, `pkg` maps the release to the name(s) (null: nothing to install).
// A release newer than the last one listed takes the last one's names.
//
// CommonJS so the ESM scripts (import) and the compiled TypeScript tests (require) read the
// same table; no dependencies, since it runs before node_modules exists. It ships in the
// .vsix beside vm-images/ (.vscodeignore): the image build imports it.
'use strict';

const { readFileSync } = require('node:fs');

/**
 * What needs host packages. A tier's purpose is its name; `image` is the guest image build,
 * `image-foreign` its extra needs for a guest architecture other than the host's (aarch64 on
 * x86_64), whose packages are bootstrapped through qemu-user.
 */
const PURPOSES = ['unit', 'engine', 'machine', 'editor', 'aarch64', 'start', 'bench', 'image', 'image-foreign'];

/** Purposes that run another's steps too: the machine tiers and the benchmarks build guest images. */
const INCLUDES = {
  machine: ['image'],
  aarch64: ['image-foreign'],
  'image-foreign': ['image'],
  bench: ['image'],
};

const DOCKER_CLI = { 12: 'docker.io', 13: 'docker-cli' };

/**
 * The programs the project starts, the package that provides each, and who needs it.
 * `bins` lists the executables (as spawned or looked up; the scan matches these names).
 */
const TOOLS = [
  // QEMU: the unit tier runs the real qemu-img (its wrapper's tests) and a real QEMU (the QMP client).
  { bins: ['qemu-system-x86_64'], pkg: 'qemu-system-x86', for: ['unit', 'machine', 'bench'] },
  { bins: ['qemu-img'], pkg: 'qemu-utils', for: ['unit', 'machine', 'aarch64', 'bench'] },
  { bins: ['qemu-system-aarch64'], pkg: 'qemu-system-arm', for: ['aarch64'] },

  // The guest image build (vm-images/build.mjs).
  { bins: ['mmdebstrap'], pkg: 'mmdebstrap', for: ['image'] },
  { bins: ['mkfs.ext4'], pkg: 'e2fsprogs', for: ['image'] },
  { bins: ['mksquashfs'], pkg: 'squashfs-tools', for: ['image'] },
  { bins: ['xz'], pkg: 'xz-utils', for: ['image'] },
  // A foreign guest architecture: mmdebstrap refuses without arch-test ("install arch-test for
  // foreign architecture support"); the guest's programs run through qemu-user's binfmt handler.
  { bins: ['arch-test'], pkg: 'arch-test', for: ['image-foreign'] },
  // Debian 13 made qemu-user static and qemu-user-static a transitional package; its
  // qemu-user-binfmt registers with systemd-binfmt only (build.mjs registers it itself when
  // systemd does not run), so binfmt-support's update-binfmts is a Debian 12 need.
  { bins: [], pkg: { 12: 'qemu-user-static', 13: ['qemu-user', 'qemu-user-binfmt'] }, for: ['image-foreign'] },
  { bins: ['update-binfmts'], pkg: { 12: 'binfmt-support', 13: null }, for: ['image-foreign'] },

  // A private engine: dockerd 20.10 on Debian 12, 26 on 13, whose CLI is a package of its own there.
  { bins: ['dockerd'], pkg: 'docker.io', for: ['engine', 'editor', 'start', 'bench'] },
  { bins: ['docker'], pkg: DOCKER_CLI, for: ['engine', 'machine', 'editor', 'aarch64', 'start', 'bench'] },
  // Compose v2: Debian 13's docker-compose; Debian 12 has only the Python 1.x, so the harness
  // fetches Debian 13's package into a cache instead (src/compose/ensure.ts, dpkg-deb).
  { bins: ['docker-compose'], pkg: { 12: null, 13: 'docker-compose' }, for: ['engine', 'machine', 'editor', 'start', 'bench'] },
  // The test image: a rootfs holding Debian's static busybox, made on the host.
  { bins: ['busybox'], pkg: 'busybox-static', for: ['engine', 'machine', 'aarch64', 'editor', 'start', 'bench'] },
  // A loopback registry with a login, for pull and push.
  { bins: ['docker-registry'], pkg: 'docker-registry', for: ['engine'] },
  { bins: ['htpasswd'], pkg: 'apache2-utils', for: ['engine'] },

  // SSH: a real OpenSSH server is the remote host of ssh:// engines; the client's tools make keys and agents.
  { bins: ['sshd'], pkg: 'openssh-server', for: ['engine', 'bench'] },
  { bins: ['ssh', 'ssh-keygen', 'ssh-agent', 'ssh-add'], pkg: 'openssh-client', for: ['unit', 'engine', 'bench'] },

  // A real VS Code: code-server installed from npm (its native modules build with node-gyp,
  // kerberos needs its headers, its ripgrep comes from Debian) driven by Debian's Chromium.
  { bins: ['chromium'], pkg: 'chromium', for: ['editor'] },
  { bins: ['rg'], pkg: 'ripgrep', for: ['editor', 'start'] },
  { bins: [], pkg: 'libkrb5-dev', for: ['editor', 'start'] },
  { bins: ['python3', 'make', 'g++'], pkg: ['python3', 'make', 'g++'], for: ['editor', 'start'] },
];

/**
 * Programs every machine of this kind has (Debian's essential and required packages, Node),
 * or that are optional by design; the scan accepts them without a package above.
 */
const BASE = {
  sh: 'dash (essential)',
  bash: 'bash (essential)',
  cat: 'coreutils (essential)',
  cp: 'coreutils (essential)',
  mv: 'coreutils (essential)',
  dd: 'coreutils (essential)',
  test: 'coreutils (essential)',
  sleep: 'coreutils (essential)',
  chroot: 'coreutils (essential)',
  tar: 'tar (essential)',
  mount: 'mount (essential on 12, required on 13)',
  script: 'bsdutils (essential)',
  getconf: 'libc-bin (essential)',
  ldd: 'libc-bin (essential)',
  'dpkg-query': 'dpkg (essential)',
  'dpkg-deb': 'dpkg (essential)',
  'apt-get': 'apt (required)',
  node: 'the Node.js that runs npm',
  npm: 'the Node.js that runs npm',
  sysctl: 'only called on macOS (src/machine/host.ts)',
  code: 'optional: a desktop VS Code on PATH; `npm start` uses code-server without it',
  'xvfb-run': 'optional: only with SLIPWAY_VSCODE_DESKTOP (test/editor/desktop.test.ts) and no $DISPLAY',
};

const RELEASES = [12, 13];

/**
 * The Debian major release from /etc/debian_version's text ("12.11", "13.1", "trixie/sid"), or
 * undefined when this is not Debian. Testing and unstable count as the newest known release.
 */
function debianRelease(text) {
  if (text === undefined) {
    try {
      text = readFileSync('/etc/debian_version', 'utf8');
    } catch {
      return undefined;
    }
  }
  const m = /^(\d+)/.exec(text.trim());
  if (m) return Number(m[1]);
  if (/^bookworm/.test(text)) return 12;
  return text.trim() ? RELEASES[RELEASES.length - 1] : undefined;
}

/** A tool's package names on `release` (a release newer than the table's newest takes its names). */
function toolPackages(tool, release) {
  let p = tool.pkg;
  if (p && typeof p === 'object' && !Array.isArray(p)) {
    const known = RELEASES.filter((r) => r in p && r <= release);
    p = known.length ? p[known[known.length - 1]] : p[RELEASES[0]];
  }
  if (p === null || p === undefined) return [];
  return Array.isArray(p) ? p : [p];
}

/** A purpose and the purposes it includes, transitively. */
function expand(purposes) {
  const out = new Set();
  const visit = (p) => {
    if (!PURPOSES.includes(p)) throw new Error(`Unknown purpose "${p}"; use one of ${PURPOSES.join(', ')}.`);
    if (out.has(p)) return;
    out.add(p);
    for (const q of INCLUDES[p] ?? []) visit(q);
  };
  for (const p of purposes) visit(p);
  return [...out];
}

/** The tools that `purposes` (and what they include) need. */
function toolsFor(purposes) {
  const all = expand(purposes);
  return TOOLS.filter((t) => t.for.some((p) => all.includes(p)));
}

/** The Debian packages that `purposes` need on `release` (default: this host's), sorted, once each. */
function packagesFor(purposes, release = debianRelease() ?? RELEASES[RELEASES.length - 1]) {
  const set = new Set();
  for (const t of toolsFor(purposes)) for (const p of toolPackages(t, release)) set.add(p);
  return [...set].sort();
}

module.exports = { PURPOSES, INCLUDES, TOOLS, BASE, RELEASES, debianRelease, toolPackages, expand, toolsFor, packagesFor };
