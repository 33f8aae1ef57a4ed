// `npm test`: installs what is missing, typechecks and compiles, bundles, then
// runs the test tiers in order (design.md: unit, engine, machine, editor; then aarch64, the
// aarch64 machine, last because building its image on a fresh machine takes ~8 minutes).
//
//   npm test                      all tiers
//   npm test -- unit engine       only these tiers
//   npm test -- --grep "events"   mocha's grep, across the chosen tiers
//
// Each tier first installs the Debian packages it needs (scripts/host-packages.cjs); under
// CI=true a tier that cannot get them fails instead of running its tests into skips.
// At the end: a table of the time per tier, then "tests: N passed, N failed, N skipped" for CI.
import { appendFileSync, existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { ensureHostPackages, ensureNpm, run } from './deps.mjs';
import summary from './summary.cjs';

const ALL_TIERS = ['unit', 'engine', 'machine', 'editor', 'aarch64'];
const argv = process.argv.slice(2);
const grepAt = argv.indexOf('--grep');
const grep = grepAt >= 0 ? argv[grepAt + 1] : undefined;
const chosen = argv.filter((a, i) => ALL_TIERS.includes(a) && (grepAt < 0 || i !== grepAt + 1));
const tiers = chosen.length ? chosen : (process.env.SLIPWAY_TEST_TIERS?.split(',') ?? ALL_TIERS);

const { formatSummary, isCI } = summary;
const CI = isCI();

const setupStart = Date.now();
ensureNpm();
console.log('== typecheck and compile (tsc)');
run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']);
console.log('== bundle (esbuild)');
run(process.execPath, ['scripts/build.mjs']);
const setupSeconds = (Date.now() - setupStart) / 1000;

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

// Guest images, built in the background from the start: on a fresh machine the x86_64 image
// takes ~3 minutes and the aarch64 one (through qemu-user) ~8, which the unit, engine and
// editor tiers, mostly waiting on engines and browsers, hide. A tier that boots a guest waits
// for its image below; the tier itself would build it the same way (ensureImage) otherwise.
const hostGuestArch = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
const IMAGE_OF = { machine: hostGuestArch, aarch64: hostGuestArch === 'x86_64' ? 'aarch64' : 'x86_64' };
const prebuilds = startImageBuilds(tiers.filter((t) => IMAGE_OF[t]).map((t) => IMAGE_OF[t]));

/**
 * Builds the images of `arches` one after the other in child processes (vm-images/build.mjs
 * through ensureImage), its lines in out/image-build-<arch>.log. Returns a promise per arch
 * that settles when its image is there (or failed: the tier then builds it and reports why).
 */
function startImageBuilds(arches) {
  const wanted = [...new Set(arches)];
  if (!wanted.length || process.getuid?.() !== 0) return {};
  // Their Debian packages now, while nothing else runs apt.
  const purposes = wanted.some((a) => a !== hostGuestArch) ? ['image', 'image-foreign'] : ['image'];
  if (ensureHostPackages(purposes, (line) => console.log(`deps: ${line}`))) return {};
  const { ensureImage } = require(join(process.cwd(), 'out/src/machine/image.js'));
  const { currentRoot } = require(join(process.cwd(), 'out/src/machine/layout.js'));
  // Where the machine tiers keep their images (test/machine/fixture.ts imageHome()).
  const home = process.env.SLIPWAY_IMAGE_HOME || currentRoot({ ...process.env, SLIPWAY_HOME: '' });
  const out = {};
  let previous = Promise.resolve();
  for (const arch of wanted) {
    const log = join('out', `image-build-${arch}.log`);
    writeFileSync(log, '');
    let started = 0;
    previous = out[arch] = previous
      .catch(() => undefined)
      .then(() => (started = Date.now()))
      .then(() => ensureImage({ home, arch, onProgress: (line) => appendFileSync(log, `${line}\n`) }))
      .then(
        () => console.log(`\n== guest image ${arch} ready (background build: ${((Date.now() - started) / 1000).toFixed(0)} s, log ${log})`),
        (e) => console.error(`\n!!! background build of the ${arch} guest image failed (${e.message}); its tier builds it again. Log: ${log}`),
      );
  }
  console.log(`== building guest images in the background: ${wanted.join(', ')}`);
  return out;
}

/** Per tier: name, tests passed/failed/skipped, seconds (with the Debian package check's share). */
const results = [];
const skippedTitles = [];
const started = Date.now();
for (const tier of tiers) {
  const files = testFiles(join('out', 'test', tier));
  if (!files.length) {
    console.log(`\n== tier ${tier}: no tests yet`);
    continue;
  }
  console.log(`\n== tier ${tier} (${files.length} files)`);
  const r = { tier, passed: 0, failed: 0, skipped: 0, seconds: 0, depsSeconds: 0 };
  results.push(r);
  const tierStart = Date.now();
  // Its Debian packages (scripts/host-packages.cjs), installed before anything of the tier runs.
  const missing = ensureHostPackages([tier], (line) => console.log(`deps: ${line}`));
  r.depsSeconds = (Date.now() - tierStart) / 1000;
  if (missing) {
    if (CI) {
      // In CI a tier that cannot start its real components fails, with the reason, instead of skipping.
      console.error(`!!! tier ${tier} FAILED: it cannot run here: ${missing}`);
      r.failed++;
      r.seconds = (Date.now() - tierStart) / 1000;
      continue;
    }
    console.error(`!!! tier ${tier}: ${missing}; its tests that need them skip (they fail under CI=true)`);
  }
  if (prebuilds[IMAGE_OF[tier]]) {
    console.log(`waiting for the ${IMAGE_OF[tier]} guest image being built in the background`);
    await prebuilds[IMAGE_OF[tier]];
  }
  const mocha = new Mocha({ reporter: 'spec', timeout: 60_000, grep, color: !CI });
  // Root hooks (start dockerd once, etc.) live in out/test/<tier>/setup.js.
  const setup = join('out', 'test', tier, 'setup.js');
  if (existsSync(setup)) mocha.rootHooks(require(join(process.cwd(), setup)).mochaHooks);
  files.forEach((f) => mocha.addFile(f));
  await mocha.loadFilesAsync();
  await new Promise((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on('pass', () => r.passed++);
    // A failing hook has no test to count; count it as one failure.
    runner.on('fail', () => r.failed++);
    runner.on('pending', (t) => {
      r.skipped++;
      skippedTitles.push(`${tier}: ${t.fullTitle()}`);
    });
  });
  // Unload so the next tier starts with fresh modules and hooks.
  mocha.dispose();
  r.seconds = (Date.now() - tierStart) / 1000;
  console.log(`== tier ${tier} took ${r.seconds.toFixed(1)} s`);
}

const totals = { passed: 0, failed: 0, skipped: 0 };
for (const r of results) for (const k of Object.keys(totals)) totals[k] += r[k];
console.log('\n== time per tier');
console.log(formatSummary(results));
console.log(`all tiers took ${((Date.now() - started) / 1000).toFixed(1)} s (setup before them: ${setupSeconds.toFixed(1)} s)`);
// Under CI nothing may skip: a test that cannot run here fails with its reason instead.
const skipFails = CI && totals.skipped > 0;
if (skipFails) console.error(`!!! CI=true and ${totals.skipped} test(s) skipped; make each run or fail with its reason:\n  ${skippedTitles.join('\n  ')}`);
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed || skipFails ? 1 : 0);
