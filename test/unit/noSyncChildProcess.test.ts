// Nothing the extension host loads may start a child process synchronously:
// spawnSync/execSync/execFileSync freeze every extension in the window for as
// long as the child runs (a credential helper behind a keychain prompt, a slow
// QEMU). fs.*Sync is fine. The module graph is the one esbuild bundles from
// src/extension.ts, following the lazy require()s into features, ssh and the
// libraries, so third-party code is checked too.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import ts from 'typescript';

const SYNC_CHILD_PROCESS = new Set(['spawnSync', 'execSync', 'execFileSync']);
const repoRoot = path.resolve(__dirname, '../../..');

export interface Offender {
  file: string;
  line: number;
  name: string;
}

/** Every use of a synchronous child_process function in `text` (code only: comments and strings do not count). */
export function syncChildProcessUses(file: string, text: string): Offender[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, /\.[cm]?tsx?$/.test(file) ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  const out: Offender[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isIdentifier(node) && SYNC_CHILD_PROCESS.has(node.text)) {
      out.push({ file, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, name: node.text });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** The source files (ours and node_modules') reachable from `entry`, as esbuild resolves them. */
export async function moduleGraph(entry: string, cwd = repoRoot): Promise<string[]> {
  const r = await esbuild.build({
    absWorkingDir: cwd,
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'silent',
    treeShaking: false, // only the inputs matter; this halves the time
    external: ['vscode', 'cpu-features', './crypto/build/Release/sshcrypto.node'],
  });
  return Object.keys(r.metafile.inputs)
    .filter((f) => /\.[cm]?[jt]s$/.test(f))
    .map((f) => path.resolve(cwd, f));
}

/** The offenders among `files`; only files that mention a name at all are parsed (the libraries are large). */
export function offendersIn(files: readonly string[], cwd = repoRoot): Offender[] {
  const mention = new RegExp(`\\b(${[...SYNC_CHILD_PROCESS].join('|')})\\b`);
  return files.flatMap((f) => {
    const text = readFileSync(f, 'utf8');
    return mention.test(text) ? syncChildProcessUses(path.relative(cwd, f), text) : [];
  });
}

describe('no synchronous child processes in the extension host', function () {
  this.timeout(30_000);

  it('finds every way of calling them, and not their names in comments or strings', () => {
    const fake = [
      "import { spawnSync } from 'node:child_process';",
      "import * as cp from 'child_process';",
      "const tool = 'security'; spawnSync(tool, ['find-internet-password']);",
      "cp.execSync('docker-credential-desktop get');",
      "require('child_process').execFileSync('qemu-system-x86_64', ['-device', 'help']);",
      "// spawnSync in a comment, 'execSync' in a string, fs.readFileSync and fs.existsSync are fine",
      "require('node:fs').readFileSync('x');",
    ].join('\n');
    assert.deepEqual(
      syncChildProcessUses('fake.ts', fake).map((o) => `${o.line}:${o.name}`),
      ['1:spawnSync', '3:spawnSync', '4:execSync', '5:execFileSync'],
    );
  });

  it('follows lazy require()s to a fake offender', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'slipway-sync-'));
    try {
      writeFileSync(path.join(dir, 'entry.ts'), "export function later() { return require('./lazy'); }\n");
      writeFileSync(path.join(dir, 'lazy.ts'), "import { helper } from './deep';\nexport const x = helper();\n");
      writeFileSync(path.join(dir, 'deep.ts'), "import * as cp from 'node:child_process';\nexport const helper = () => cp.spawnSync('sysctl', ['-n', 'kern.hv_support']);\n");
      writeFileSync(path.join(dir, 'unused.ts'), "import { execSync } from 'node:child_process';\nexecSync('true');\n");
      assert.deepEqual(offendersIn(await moduleGraph('entry.ts', dir), dir), [{ file: 'deep.ts', line: 2, name: 'spawnSync' }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('src/extension.ts and everything it loads never call spawnSync, execSync or execFileSync', async () => {
    const graph = await moduleGraph('src/extension.ts');
    const files = graph.map((f) => path.relative(repoRoot, f));
    // The graph reaches the lazily loaded modules that used to block: registry credentials, Compose, QEMU probes.
    for (const f of ['src/build/registryAuth.ts', 'src/compose/locate.ts', 'src/machine/host.ts', 'src/features/lazy.ts']) assert.ok(files.includes(f), `${f} is not in the graph`);
    assert.ok(files.some((f) => f.startsWith('node_modules/ssh2/')), 'node_modules are in the graph');
    assert.deepEqual(offendersIn(graph).map((o) => `${o.file}:${o.line} ${o.name}`), []);
  });
});
