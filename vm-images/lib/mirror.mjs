// The Debian mirror to build from: SLIPWAY_DEBIAN_MIRROR, else the first Debian archive URI
// apt is already configured with (deb822 *.sources or one-line sources.list). The host name
// is never written into the repository.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

function isArchive(uri, suites) {
  return /^https?:\/\//.test(uri) && /\/debian\/?$/.test(uri) && !suites.some((s) => s.endsWith('-security'));
}

export function findMirror(aptDir = '/etc/apt') {
  if (process.env.SLIPWAY_DEBIAN_MIRROR) return process.env.SLIPWAY_DEBIAN_MIRROR;
  const dir = join(aptDir, 'sources.list.d');
  const files = existsSync(dir) ? readdirSync(dir).sort().map((f) => join(dir, f)) : [];
  for (const f of [join(aptDir, 'sources.list'), ...files]) {
    if (!existsSync(f)) continue;
    const text = readFileSync(f, 'utf8');
    if (f.endsWith('.sources')) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (k) => (stanza.match(new RegExp(`^${k}:\\s*(.*)$`, 'mi'))?.[1] ?? '').trim().split(/\s+/);
        if (field('Enabled')[0] === 'no' || !field('Types').includes('deb')) continue;
        const uri = field('URIs').find((u) => isArchive(u, field('Suites')));
        if (uri) return uri;
      }
    } else if (f.endsWith('.list')) {
      for (const line of text.split('\n')) {
        const m = line.match(/^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/);
        if (m && isArchive(m[1], [m[2]])) return m[1];
      }
    }
  }
  throw new Error(
    'No Debian mirror found in /etc/apt/sources.list or /etc/apt/sources.list.d; set SLIPWAY_DEBIAN_MIRROR to a Debian archive URL.',
  );
}
