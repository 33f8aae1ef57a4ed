// `npm run bench [-- <name-prefix>...]`: builds, then runs every benchmark in
// out/bench/*.bench.js whose name starts with one of the prefixes (all when
// none). Each prints lines of the form
//   BENCH <name> ours=<v><unit> peer=<v><unit> ratio=<ours/peer> target=<text>
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { ensureHostPackages, ensureNpm, run } from './deps.mjs';

const prefixes = process.argv.slice(2).filter((a) => !a.startsWith('-'));
ensureNpm();
// Debian packages (scripts/host-packages.cjs): QEMU and the image build, dockerd, sshd.
const missing = ensureHostPackages(['bench']);
if (missing) {
  console.error(`bench: ${missing}`);
  process.exit(1);
}
run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']);
run(process.execPath, ['scripts/build.mjs', '--production']);

const require = createRequire(import.meta.url);
const dir = join('out', 'bench');
const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.bench.js')).sort() : [];
let ran = 0;
let failed = 0;
for (const f of files) {
  const mod = require(join(process.cwd(), dir, f));
  for (const b of mod.benches ?? []) {
    if (prefixes.length && !prefixes.some((p) => b.name.startsWith(p) || p.startsWith(b.name))) continue;
    ran++;
    try {
      await b.run(prefixes);
    } catch (err) {
      failed++;
      console.error(`bench ${b.name} failed: ${err?.stack ?? err}`);
    }
  }
}
if (!ran) console.log(`no benchmark matches ${prefixes.join(' ') || '(all)'}`);
process.exit(failed ? 1 : 0);
