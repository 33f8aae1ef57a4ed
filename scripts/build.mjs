// Bundles the extension and the CLI with esbuild into dist/.
// Usage: node scripts/build.mjs [--production] [--watch]
//
// Heavy libraries are bundled separately into dist/lib/<name>.js and loaded
// on first use: V8 compiles the whole of a script when it is required, and a
// 1 MB bundle costs ~30 ms before activate() even runs. The entry bundles
// therefore stay small, and `require('dockerode')` in the source becomes
// `require('./lib/dockerode.js')` at runtime. Likewise the features loaded
// after activation (src/features/lazy.ts) are bundled into dist/features.js.
import * as esbuild from 'esbuild';
import { chmodSync, rmSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Packages split out of the entry bundles (each must only be required lazily). */
export const LAZY_LIBS = ['dockerode', 'ssh2', 'dockerfile-language-service', 'dockerfile-utils', 'dockerfile-ast', 'yaml', 'jsonc-parser'];

const libName = (pkg) => pkg.replace(/[^a-z0-9]+/gi, '-');

const lazyLibs = {
  name: 'lazy-libs',
  setup(build) {
    const filter = new RegExp(`^(${LAZY_LIBS.map((p) => p.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')).join('|')})$`);
    build.onResolve({ filter }, (args) => ({ path: `./lib/${libName(args.path)}.js`, external: true }));
  },
};

/**
 * src/features/lazy.ts becomes dist/features.js, required at runtime by the extension bundle;
 * it re-exports src/commands/lazy.ts, so the command table's require('./lazy') maps there too.
 */
const lazyFeatures = {
  name: 'lazy-features',
  setup(build) {
    build.onResolve({ filter: /(^|\/)features\/lazy$/ }, () => ({ path: './features.js', external: true }));
    build.onResolve({ filter: /^\.\/lazy$/ }, (args) =>
      args.resolveDir.endsWith('/src/commands') ? { path: './features.js', external: true } : undefined,
    );
  },
};

/** src/engine/sshTransport.ts (ssh:// engines) becomes dist/ssh.js, required only when such an engine is used. */
const lazySsh = {
  name: 'lazy-ssh',
  setup(build) {
    build.onResolve({ filter: /^\.\/sshTransport$/ }, () => ({ path: './ssh.js', external: true }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // ssh2 optionally loads native helpers; both have pure-JS fallbacks.
  external: ['vscode', 'cpu-features', './crypto/build/Release/sshcrypto.node'],
  metafile: true,
};

const targets = [
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', plugins: [lazyLibs, lazyFeatures, lazySsh] },
  { ...common, entryPoints: ['src/features/lazy.ts'], outfile: 'dist/features.js', plugins: [lazyLibs, lazySsh] },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, plugins: [lazyLibs, lazySsh] },
  { ...common, entryPoints: ['src/engine/sshTransport.ts'], outfile: 'dist/ssh.js', plugins: [lazyLibs] },
  ...LAZY_LIBS.map((pkg) => ({
    ...common,
    sourcemap: false,
    entryPoints: [pkg],
    outfile: `dist/lib/${libName(pkg)}.js`,
    plugins: [],
    // jsonc-parser's "main" is a UMD build whose dynamic require('./impl/…') esbuild cannot
    // follow (the bundle then fails at load); its ES module build bundles cleanly.
    ...(pkg === 'jsonc-parser' ? { mainFields: ['module', 'main'] } : {}),
  })),
];

if (watch) {
  for (const t of targets) await (await esbuild.context(t)).watch();
} else {
  const started = Date.now();
  rmSync('dist/lib', { recursive: true, force: true });
  const sizes = [];
  for (const t of targets) {
    const r = await esbuild.build(t);
    const bytes = Object.entries(r.metafile.outputs).filter(([f]) => !f.endsWith('.map')).reduce((n, [, o]) => n + o.bytes, 0);
    sizes.push(`${t.outfile} ${(bytes / 1024).toFixed(0)} KiB`);
  }
  chmodSync('dist/cli.js', 0o755);
  console.log(`built ${sizes.join(', ')} in ${Date.now() - started} ms`);
}
