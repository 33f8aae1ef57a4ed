// design.md's one rule: the layers below the feature line never import
// `vscode`, so they run in plain Node (CLI, tests, benchmarks).

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const CORE = ['base', 'machine', 'engine', 'dockerfile', 'devcontainer', 'compose', 'cli', 'models', 'build'];
const root = path.resolve(__dirname, '../../../src');

function tsFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

const IMPORTS_VSCODE = /(?:from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\)|import\(\s*['"]vscode['"]\s*\))/;
const RELATIVE_IMPORT = /(?:from\s+|require\(\s*|import\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

describe('layering', () => {
  for (const layer of CORE) {
    it(`src/${layer} never imports vscode, directly or through a feature module`, () => {
      const offenders: string[] = [];
      for (const file of tsFiles(path.join(root, layer))) {
        const text = fs.readFileSync(file, 'utf8');
        if (IMPORTS_VSCODE.test(text)) offenders.push(path.relative(root, file));
        for (const m of text.matchAll(RELATIVE_IMPORT)) {
          const target = path.relative(root, path.resolve(path.dirname(file), m[1]));
          const top = target.split(path.sep)[0];
          if (!CORE.includes(top) && top !== '..') offenders.push(`${path.relative(root, file)} imports ${target}`);
        }
      }
      assert.deepEqual(offenders, []);
    });
  }
});
