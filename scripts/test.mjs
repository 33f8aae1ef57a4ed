// `npm test`: installs what is missing, typechecks and compiles, bundles, then
// runs the test tiers in order (design.md: unit, engine, machine, editor; then aarch64, the
// aarch64 machine, last because building its image on a fresh machine takes ~8 minutes).
//
//   npm test                      all tiers
//   npm test -- unit engine       only these tiers
//   npm test -- --grep "events"   mocha's grep, across the chosen tiers
//
// The last line is "tests: N passed, N failed, N skipped" for CI.
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { ensureDebPackages, ensureNpm, run } from './deps.mjs';

const ALL_TIERS = ['unit', 'engine', 'machine', 'editor', 'aarch64'];
const argv = process.argv.slice(2);
const grepAt = argv.indexOf('--grep');
const grep = grepAt >= 0 ? argv[grepAt + 1] : undefined;
const chosen = argv.filter((a, i) => ALL_TIERS.includes(a) && (grepAt < 0 || i !== grepAt + 1));
const tiers = chosen.length ? chosen : (process.env.SLIPWAY_TEST_TIERS?.split(',') ?? ALL_TIERS);

ensureNpm();
console.log('== typecheck and compile (tsc)');
run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']);
console.log('== bundle (esbuild)');
run(process.execPath, ['scripts/build.mjs']);

const require = createRequire(import.meta.url);
const { default: Mocha } = await import('mocha');

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...testFiles(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

/** Debian packages a tier needs on a fresh machine (installed when root; the tier says what is missing otherwise). */
const TIER_PACKAGES = {
  // The unit tier runs the real qemu-img (its wrapper's tests) and a real QEMU (the QMP client).
  unit: ['qemu-system-x86', 'qemu-utils'],
  engine: ['docker.io', 'busybox-static', 'openssh-server', 'openssh-client'],
  machine: ['qemu-system-x86', 'qemu-utils', 'mmdebstrap', 'squashfs-tools', 'e2fsprogs', 'xz-utils', 'busybox-static'],
  editor: ['chromium', 'libkrb5-dev', 'ripgrep', 'docker.io', 'busybox-static'],
  // qemu-system-arm boots the aarch64 machine; qemu-user-static + binfmt-support bootstrap its image.
  aarch64: ['qemu-system-arm', 'qemu-utils', 'qemu-user-static', 'binfmt-support', 'mmdebstrap', 'squashfs-tools', 'xz-utils', 'docker.io'],
};

const totals = { passed: 0, failed: 0, skipped: 0 };
const started = Date.now();
for (const tier of tiers) {
  const files = testFiles(join('out', 'test', tier));
  if (!files.length) {
    console.log(`\n== tier ${tier}: no tests yet`);
    continue;
  }
  console.log(`\n== tier ${tier} (${files.length} files)`);
  const missing = ensureDebPackages(TIER_PACKAGES[tier] ?? []);
  if (missing.length) console.error(`!!! tier ${tier}: Debian packages missing and not installable here: ${missing.join(' ')}`);
  const tierStart = Date.now();
  const mocha = new Mocha({ reporter: 'spec', timeout: 60_000, grep, color: !process.env.CI });
  // Root hooks (start dockerd once, etc.) live in out/test/<tier>/setup.js.
  const setup = join('out', 'test', tier, 'setup.js');
  if (existsSync(setup)) mocha.rootHooks(require(join(process.cwd(), setup)).mochaHooks);
  files.forEach((f) => mocha.addFile(f));
  await mocha.loadFilesAsync();
  await new Promise((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on('pass', () => totals.passed++);
    runner.on('fail', (t) => {
      // A failing hook has no test to count; count it as one failure.
      totals.failed++;
    });
    runner.on('pending', () => totals.skipped++);
  });
  // Unload so the next tier starts with fresh modules and hooks.
  mocha.dispose();
  console.log(`== tier ${tier} took ${((Date.now() - tierStart) / 1000).toFixed(1)} s`);
}
console.log(`\nall tiers took ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed ? 1 : 0);
