// design.md's one rule: a layer imports only the layers below it, and nothing
// below the feature line imports `vscode` (so it runs in plain Node: CLI,
// tests, benchmarks). The table is the rule; the checker is fed the real
// source tree and, to show it bites, fake imports that break it.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const base = ['base'];
const ssh = [...base, 'ssh'];
const engine = [...ssh, 'registry', 'engine'];
const machine = [...engine, 'machine'];
const core = [...machine, 'dockerfile', 'build', 'compose', 'devcontainer', 'models'];

/**
 * Which layers each layer may import (besides itself). A layer is a folder of
 * src/ or a file at its top (extension.ts → "extension").
 */
export const ALLOWED: Record<string, readonly string[]> = {
  // Below the feature line: plain Node, never `vscode`.
  base: [],
  ssh: base,
  registry: base,
  engine: [...ssh, 'registry'],
  machine: engine,
  dockerfile: base,
  build: [...machine, 'dockerfile'],
  compose: [...machine, 'dockerfile', 'build'],
  devcontainer: [...machine, 'dockerfile', 'build', 'compose'],
  models: machine,
  cli: core,
  // The feature line: these import `vscode`.
  settings: core,
  views: [...core, 'settings'],
  documents: [...core, 'settings'],
  terminals: [...core, 'settings'],
  tasks: [...core, 'settings', 'terminals'],
  commands: [...core, 'settings', 'views', 'documents', 'terminals', 'tasks'],
  features: [...core, 'settings', 'views', 'documents', 'terminals', 'tasks', 'commands'],
  extension: [...core, 'settings', 'views', 'documents', 'terminals', 'tasks', 'commands', 'features'],
};

/** Layers that never import `vscode`. */
export const BELOW_FEATURE_LINE = new Set([...core, 'cli']);

const IMPORT = /(?:\bfrom\s+|\brequire\(\s*|\bimport\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;

export interface SourceFile {
  /** Path relative to src/, with forward slashes. */
  path: string;
  text: string;
}

function layerOf(rel: string): string {
  const [top, ...rest] = rel.split('/');
  return rest.length ? top : top.replace(/\.ts$/, '');
}

/** Every import that breaks the table, as "file imports target (why)". */
export function layerViolations(files: readonly SourceFile[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    const from = layerOf(f.path);
    const allowed = ALLOWED[from];
    if (!allowed) {
      out.push(`${f.path}: layer "${from}" is not in the table; add it to ALLOWED in test/unit/layering.test.ts and design.md`);
      continue;
    }
    for (const m of f.text.matchAll(IMPORT)) {
      const spec = m[1];
      if (spec === 'vscode') {
        if (BELOW_FEATURE_LINE.has(from)) out.push(`${f.path} imports vscode (layer "${from}" is below the feature line)`);
        continue;
      }
      if (!spec.startsWith('.')) continue;
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(f.path), spec));
      if (target.startsWith('..')) {
        out.push(`${f.path} imports ${spec}, outside src/`);
        continue;
      }
      const to = layerOf(target);
      if (to !== from && !allowed.includes(to)) out.push(`${f.path} imports ${target} ("${from}" may not import "${to}")`);
    }
  }
  return out;
}

const root = path.resolve(__dirname, '../../../src');

function sourceFiles(dir: string): SourceFile[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    if (!e.name.endsWith('.ts')) return [];
    return [{ path: path.relative(root, p).split(path.sep).join('/'), text: fs.readFileSync(p, 'utf8') }];
  });
}

describe('layering', () => {
  it('every import in src/ follows the layer table', () => {
    const files = sourceFiles(root);
    assert.ok(files.length > 100, `found only ${files.length} source files under ${root}`);
    assert.deepEqual(layerViolations(files), []);
  });

  it('every folder of src/ has a row in the table', () => {
    const layers = fs.readdirSync(root).map((n) => n.replace(/\.ts$/, ''));
    assert.deepEqual(layers.filter((l) => !ALLOWED[l]), []);
  });

  it('the table has no cycles', () => {
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (l: string, trail: string[]): void => {
      assert.ok(!visiting.has(l), `cycle: ${[...trail, l].join(' → ')}`);
      if (done.has(l)) return;
      visiting.add(l);
      for (const d of ALLOWED[l] ?? []) visit(d, [...trail, l]);
      visiting.delete(l);
      done.add(l);
    };
    for (const l of Object.keys(ALLOWED)) visit(l, []);
  });

  describe('the checker bites', () => {
    const cases: [string, SourceFile, RegExp][] = [
      ['an upward import (engine → machine)', { path: 'engine/client.ts', text: "import { Machines } from '../machine/machine';" }, /"engine" may not import "machine"/],
      ['a type-only upward import', { path: 'ssh/session.ts', text: "import type { EngineClient } from '../engine/client';" }, /"ssh" may not import "engine"/],
      ['a require() of a feature from a command', { path: 'commands/table.ts', text: "const f = () => require('../features/lazy');" }, /"commands" may not import "features"/],
      ['a dynamic import', { path: 'base/x.ts', text: "const m = await import('../ssh/quote');" }, /"base" may not import "ssh"/],
      ['vscode below the feature line', { path: 'machine/x.ts', text: "import * as vscode from 'vscode';" }, /imports vscode/],
      ['a side-effect import', { path: 'engine/x.ts', text: "import '../models/format';" }, /"engine" may not import "models"/],
      ['a folder missing from the table', { path: 'utils/x.ts', text: '' }, /not in the table/],
    ];
    for (const [name, file, expected] of cases) {
      it(`reports ${name}`, () => {
        const v = layerViolations([file]);
        assert.equal(v.length, 1, v.join('\n'));
        assert.match(v[0], expected);
      });
    }

    it('accepts downward and same-layer imports, and packages', () => {
      assert.deepEqual(
        layerViolations([
          { path: 'machine/session.ts', text: "import { SshSession } from '../ssh/session';\nimport { x } from './layout';\nimport { Client } from 'ssh2';" },
          { path: 'extension.ts', text: "import * as vscode from 'vscode';\nimport { COMMANDS } from './commands/table';" },
        ]),
        [],
      );
    });
  });
});
