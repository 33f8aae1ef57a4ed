// Bundles the extension and the CLI with esbuild into dist/.
// Usage: node scripts/build.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import { chmodSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

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
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js' },
  {
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
  },
];

if (watch) {
  for (const t of targets) await (await esbuild.context(t)).watch();
} else {
  const started = Date.now();
  for (const t of targets) {
    const r = await esbuild.build(t);
    const bytes = Object.values(r.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
    console.log(`built ${t.outfile} (${(bytes / 1024).toFixed(0)} KiB)`);
  }
  chmodSync('dist/cli.js', 0o755);
  console.log(`build finished in ${Date.now() - started} ms`);
}
