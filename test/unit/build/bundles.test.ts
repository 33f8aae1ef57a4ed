// The bundles `npm test` just built load in plain Node: every library bundled
// apart into dist/lib/ (a library whose package layout esbuild cannot follow
// fails only at load, and then every lazily loaded feature fails with it), and
// dist/features.js with all of its requires (against a stand-in for `vscode`,
// which only the editor can provide).

import * as assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';

const dist = path.resolve(__dirname, '..', '..', '..', '..', 'dist');

/** Anything, callable and constructible, all the way down: enough for module-level vscode use. */
function standIn(): unknown {
  const target = function () {} as unknown as object;
  return new Proxy(target, {
    get: (_t, key) => (key === Symbol.toPrimitive ? () => '' : key === 'then' ? undefined : standIn()),
    apply: () => standIn(),
    construct: () => standIn() as object,
  });
}

describe('bundles in dist/', function () {
  before(function () {
    if (!existsSync(path.join(dist, 'features.js'))) throw new Error(`${dist} has no bundles; run \`node scripts/build.mjs\` (npm test does)`);
  });

  it('every library in dist/lib loads and exports something', () => {
    const libs = readdirSync(path.join(dist, 'lib')).filter((f) => f.endsWith('.js'));
    assert.ok(libs.includes('jsonc-parser.js') && libs.includes('dockerode.js'), `dist/lib has ${libs.join(', ')}`);
    for (const lib of libs) {
      const exported = require(path.join(dist, 'lib', lib)) as Record<string, unknown>;
      assert.ok(Object.keys(exported).length > 0 || typeof exported === 'function', `${lib} exports nothing`);
    }
    const jsonc = require(path.join(dist, 'lib', 'jsonc-parser.js')) as typeof import('jsonc-parser');
    assert.equal(jsonc.parseTree('{ "a": [1] } // note')?.children?.length, 1);
  });

  it('dist/features.js resolves all of its requires', () => {
    const m = Module as unknown as { _load: (req: string, parent: unknown, isMain: boolean) => unknown };
    const load = m._load;
    m._load = function (req, parent, isMain) {
      return req === 'vscode' ? standIn() : load.call(this, req, parent, isMain);
    };
    try {
      const features = require(path.join(dist, 'features.js')) as Record<string, unknown>;
      for (const name of ['createMachineDeps', 'registerTasks', 'registerDockerfileFeatures', 'registerDevcontainerMountWarnings']) {
        assert.equal(typeof features[name], 'function', `features.js exports ${name}`);
      }
    } finally {
      m._load = load;
    }
  });
});
