// The recipe hash: sha256 over every file under vm-images/ except documentation (*.md),
// in sorted relative-path order, each as "<path>\0<bytes>\0". src/machine/image.ts computes
// the same hash (keep the two in step); it names the image cache directory.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

function walk(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile() && !e.name.endsWith('.md')) out.push(p);
  }
  return out;
}

export function recipeHash(recipeDir) {
  const files = walk(recipeDir)
    .map((p) => relative(recipeDir, p).split(sep).join('/'))
    .sort();
  const h = createHash('sha256');
  for (const f of files) {
    h.update(f + '\0');
    h.update(readFileSync(join(recipeDir, f)));
    h.update('\0');
  }
  return h.digest('hex');
}
