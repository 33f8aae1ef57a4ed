// The one table of host Debian packages (scripts/host-packages.cjs) covers every
// program the project's scripts, test tiers, benchmarks and image build start:
// this scans their sources for the programs they spawn or look up, follows
// their imports to learn which purposes (tiers, start, bench, image) reach each
// file, and fails when a program is not declared for one of them. A new need
// without a declaration fails here, not on a fresh machine.

import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

interface Tool {
  bins: string[];
  pkg: string | string[] | null | Record<number, string | string[] | null>;
  for: string[];
}
interface HostPackages {
  PURPOSES: string[];
  TOOLS: Tool[];
  BASE: Record<string, string>;
  RELEASES: number[];
  debianRelease(text?: string): number | undefined;
  toolPackages(tool: Tool, release: number): string[];
  expand(purposes: string[]): string[];
  toolsFor(purposes: string[]): Tool[];
  packagesFor(purposes: string[], release?: number): string[];
}

const repo = path.resolve(__dirname, '..', '..', '..');
const hp = require(path.join(repo, 'scripts', 'host-packages.cjs')) as HostPackages;
const { formatSummary, isCI } = require(path.join(repo, 'scripts', 'summary.cjs')) as {
  formatSummary(rows: { tier: string; passed: number; failed: number; skipped: number; seconds: number; depsSeconds: number }[]): string;
  isCI(value?: string): boolean;
};

/** The source files that start programs on the host, relative to the repository. */
function sources(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(path.join(repo, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (/\.(ts|mjs|cjs)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(rel);
    }
  };
  for (const dir of ['scripts', 'vm-images', 'test', 'bench']) walk(dir);
  return out;
}

/** The purposes a file serves by where it lives; shared modules (test/harness) get theirs from importers. */
function ownPurposes(file: string): string[] {
  const tier = /^test\/(unit|engine|machine|editor|aarch64)\//.exec(file)?.[1];
  if (tier) return [tier];
  if (file.startsWith('bench/') || file === 'scripts/bench.mjs') return ['bench'];
  if (file.startsWith('vm-images/')) return ['image'];
  if (file === 'scripts/start.mjs') return ['start'];
  return [];
}

/** Relative imports of a file, resolved to repository paths (and start.mjs's compiled harness modules). */
function imports(file: string, text: string, all: Set<string>): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from\s+|require\(\s*|import\(\s*)'(\.{1,2}\/[^']+)'/g)) {
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]));
    const hit = ['', '.ts', '.mjs', '.cjs', '/index.ts'].map((ext) => base + ext).find((p) => all.has(p));
    if (hit) out.push(hit);
  }
  const harness = /HARNESS_MODULES\s*=\s*\[([^\]]*)\]/.exec(text);
  if (harness) for (const n of harness[1].matchAll(/'([^']+)'/g)) out.push(`test/harness/${n[1]}.ts`);
  return out;
}

/**
 * Programs a file starts on the host: spawn-family calls, its own run() wrappers, which(), and
 * absolute program paths. Each comes with the purposes its line names in a
 * `host-packages: <purpose>...` comment (`host-packages: none`: not a host program), else the file's.
 */
function programs(text: string): { prog: string; purposes?: string[] }[] {
  const found = new Map<string, string[] | undefined>();
  const lineAt = (index: number) => text.slice(text.lastIndexOf('\n', index) + 1, (text.indexOf('\n', index) + 1 || text.length + 1) - 1);
  const add = (p: string, index: number) => {
    const line = lineAt(index);
    // Commands run inside a guest (over SSH) are not host programs.
    if (/\b(?:sshExec|execOn|runInMachine|openExecChannel)\(/.test(line)) return;
    const note = /host-packages:\s*([\w -]+)/.exec(line)?.[1].trim().split(/\s+/);
    if (note?.[0] === 'none') return;
    const prog = p.startsWith('/') ? path.posix.basename(p) : p;
    found.set(prog, note ?? found.get(prog));
  };
  const scan = (re: RegExp) => {
    for (const m of text.matchAll(re)) add(m[1], m.index! + m[0].length - m[1].length - 1);
  };
  scan(/\b(?:spawn|spawnSync|execFile|execFileSync)\(\s*'([^']+)'/g);
  // run()/runAsync() count where the file defines them as program runners or imports deps.mjs's.
  if (/function (?:run|runAsync)\((?:exe|cmd)\b/.test(text) || /import\s*\{[^}]*\brun\b[^}]*\}\s*from\s*'\.\/deps\.mjs'/.test(text)) {
    scan(/\b(?:run|runAsync)\(\s*'([^']+)'/g);
  }
  scan(/\bwhich\(\s*'([^']+)'\s*\)/g);
  scan(/'(\/(?:usr\/)?s?bin\/[\w.+-]+)'/g);
  return [...found].map(([prog, purposes]) => ({ prog, purposes }));
}

describe('host packages (scripts/host-packages.cjs)', () => {
  const files = sources();
  const all = new Set(files);
  const text = new Map(files.map((f) => [f, readFileSync(path.join(repo, f), 'utf8')]));

  /** file → purposes reaching it (its own, plus every importer's, to a fixed point). */
  const reach = new Map(files.map((f) => [f, new Set(ownPurposes(f))]));
  for (let changed = true; changed; ) {
    changed = false;
    for (const f of files) {
      for (const dep of imports(f, text.get(f)!, all)) {
        const to = reach.get(dep);
        if (!to) continue;
        for (const p of reach.get(f)!) if (!to.has(p)) (to.add(p), (changed = true));
      }
    }
  }

  it('finds the programs the scripts and harness start (the scan itself works)', () => {
    const seen = new Set(files.flatMap((f) => programs(text.get(f)!).map((p) => p.prog)));
    for (const p of ['mmdebstrap', 'mksquashfs', 'dockerd', 'chromium', 'docker-registry', 'htpasswd', 'qemu-system-x86_64', 'qemu-img', 'rg', 'sshd']) {
      assert.ok(seen.has(p), `the scan no longer sees ${p}; fix programs() in this test`);
    }
    assert.deepEqual([...reach.get('test/harness/dockerd.ts')!].sort(), ['bench', 'editor', 'engine', 'start']);
    assert.ok(reach.get('test/machine/guestBoot.ts')!.has('bench'), 'a benchmark importing a tier helper takes its needs');
  });

  it('declares every program a script, tier, benchmark or the image build starts, for each purpose that reaches it', () => {
    const problems: string[] = [];
    for (const f of files) {
      for (const { prog, purposes } of programs(text.get(f)!)) {
        if (prog in hp.BASE) continue;
        const tools = hp.TOOLS.filter((t) => t.bins.includes(prog));
        if (!tools.length) {
          problems.push(`${f} starts "${prog}", which scripts/host-packages.cjs does not declare (TOOLS, or BASE for programs every machine has)`);
          continue;
        }
        for (const purpose of purposes ?? reach.get(f)!) {
          if (!hp.toolsFor([purpose]).some((t) => t.bins.includes(prog))) {
            problems.push(`${f} starts "${prog}" for "${purpose}", but its package is not declared for "${purpose}" (add it to that tool's \`for\`)`);
          }
        }
      }
    }
    assert.deepEqual(problems, []);
  });

  it('covers the programs each tier is known to need', () => {
    const need: [string, string][] = [
      ['mmdebstrap', 'image'],
      ['mkfs.ext4', 'image'],
      ['mksquashfs', 'image'],
      ['arch-test', 'image-foreign'],
      ['arch-test', 'aarch64'],
      ['mmdebstrap', 'machine'],
      ['qemu-system-x86_64', 'machine'],
      ['qemu-system-x86_64', 'unit'],
      ['qemu-img', 'machine'],
      ['qemu-system-aarch64', 'aarch64'],
      ['dockerd', 'engine'],
      ['dockerd', 'editor'],
      ['docker', 'machine'],
      ['docker-registry', 'engine'],
      ['htpasswd', 'engine'],
      ['sshd', 'engine'],
      ['chromium', 'editor'],
      ['rg', 'editor'],
      ['rg', 'start'],
      ['busybox', 'engine'],
    ];
    for (const [prog, purpose] of need) {
      assert.ok(hp.toolsFor([purpose]).some((t) => t.bins.includes(prog)), `${prog} is declared for ${purpose}`);
    }
  });

  it('names packages for Debian 12 and 13, where they differ', () => {
    for (const release of hp.RELEASES) {
      for (const t of hp.TOOLS) for (const p of hp.toolPackages(t, release)) assert.match(p, /^[a-z0-9][a-z0-9+.-]+$/, `${release}: ${p}`);
      for (const purpose of hp.PURPOSES) assert.ok(hp.packagesFor([purpose], release).length, `${purpose} on ${release}`);
    }
    // The fresh-machine failure: a foreign-architecture image build without arch-test.
    assert.ok(hp.packagesFor(['aarch64'], 12).includes('arch-test'));
    assert.ok(hp.packagesFor(['aarch64'], 13).includes('arch-test'));
    // Debian 12: qemu-user-static with binfmt-support; 13: static qemu-user, registered by qemu-user-binfmt.
    assert.ok(hp.packagesFor(['image-foreign'], 12).includes('qemu-user-static') && hp.packagesFor(['image-foreign'], 12).includes('binfmt-support'));
    assert.ok(hp.packagesFor(['image-foreign'], 13).includes('qemu-user-binfmt') && !hp.packagesFor(['image-foreign'], 13).includes('binfmt-support'));
    // Debian 13's docker.io no longer carries the CLI (docker-cli, only recommended); 12's does.
    assert.ok(hp.packagesFor(['machine'], 13).includes('docker-cli'));
    assert.ok(!hp.packagesFor(['machine'], 12).includes('docker-cli'));
    // Compose v2 is a Debian 13 package; on 12 the harness fetches 13's.
    assert.ok(hp.packagesFor(['engine'], 13).includes('docker-compose'));
    assert.ok(!hp.packagesFor(['engine'], 12).includes('docker-compose'), "Debian 12's docker-compose is the Python 1.x");
    // A newer release takes the newest names.
    assert.deepEqual(hp.packagesFor(['aarch64'], 14), hp.packagesFor(['aarch64'], 13));
  });

  it('reads the release from /etc/debian_version', () => {
    for (const [textIn, want] of [['12.11\n', 12], ['13.1\n', 13], ['trixie/sid\n', 13], ['bookworm/sid\n', 12], ['', undefined]] as const) {
      assert.equal(hp.debianRelease(textIn), want, JSON.stringify(textIn));
    }
  });

  it('includes the image build in the purposes that build images', () => {
    assert.deepEqual(hp.expand(['aarch64']).sort(), ['aarch64', 'image', 'image-foreign']);
    assert.ok(hp.expand(['machine']).includes('image'));
    assert.ok(hp.expand(['bench']).includes('image'));
    assert.throws(() => hp.expand(['nope']), /Unknown purpose "nope"/);
  });

  it('is checked before the steps that need it: each entry point installs its purpose', () => {
    const calls = (f: string) => /ensureHostPackages\(/.test(text.get(f)!);
    for (const f of ['scripts/test.mjs', 'scripts/start.mjs', 'scripts/bench.mjs', 'vm-images/build.mjs']) assert.ok(calls(f), `${f} calls ensureHostPackages`);
    const build = text.get('vm-images/build.mjs')!;
    const main = build.slice(build.indexOf('async function main()'));
    assert.ok(main.indexOf('ensureHostPackages(') < main.indexOf('bootstrapCached('), 'the image build installs its packages before bootstrapping');
  });

  it('ships what the image build imports from outside vm-images/ in the .vsix', () => {
    const ignore = readFileSync(path.join(repo, '.vscodeignore'), 'utf8').split('\n').map((l) => l.trim());
    const outside = [...text.get('vm-images/build.mjs')!.matchAll(/from '\.\.\/(scripts\/[^']+)'/g)].map((m) => m[1]);
    assert.ok(outside.length, 'build.mjs imports scripts/deps.mjs');
    for (const f of outside) {
      assert.ok(ignore.includes(`!${f}`), `.vscodeignore ships ${f}`);
      for (const dep of imports(f, text.get(f)!, all)) assert.ok(ignore.includes(`!${dep}`), `.vscodeignore ships ${dep} (imported by ${f})`);
    }
  });
});

describe('scripts/test.mjs summary', () => {
  it('prints the time per tier, aligned, with a total', () => {
    const table = formatSummary([
      { tier: 'unit', passed: 800, failed: 0, skipped: 0, seconds: 15.44, depsSeconds: 0.1 },
      { tier: 'aarch64', passed: 3, failed: 1, skipped: 0, seconds: 480, depsSeconds: 30 },
    ]);
    assert.equal(
      table,
      [
        'tier     passed  failed  skipped  seconds  deps s',
        'unit        800       0        0     15.4     0.1',
        'aarch64       3       1        0    480.0    30.0',
        'total       803       1        0    495.4    30.1',
      ].join('\n'),
    );
  });

  it('counts CI=true (and any value but "", 0, false) as CI', () => {
    for (const [v, want] of [['true', true], ['1', true], ['', false], ['0', false], ['false', false], ['FALSE', false]] as const) {
      assert.equal(isCI(v), want, String(v));
    }
  });
});
