// Fetches Compose v2 for hosts that lack it (bookworm only ships the Python
// 1.x): Debian trixie's docker-compose package, a Go binary that runs here.
// Test harness only (the engine tier's compose tests); the extension never downloads.
//
// The .deb comes from the Debian mirror apt already uses (its URI read from
// apt's sources at run time). First the pool path, checked against a pinned
// sha256; else `apt-get download` with a trixie source in a private apt
// configuration (the system's sources are not touched), which apt verifies
// against the signed Release file.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import * as path from 'node:path';
import { cacheRoot, cachedComposePath, COMPOSE_CACHE_VERSION, composeVersion, findCompose, type ComposeBinary } from '../../src/compose/locate';

export const COMPOSE_DEB = {
  name: 'docker-compose',
  version: `${COMPOSE_CACHE_VERSION}-4`,
  poolPath: `pool/main/d/docker-compose/docker-compose_${COMPOSE_CACHE_VERSION}-4_amd64.deb`,
  sha256: '47681197cb2b1ab88206b42a1a92fc75f50d9530a6322d03494a473eed0408ea',
};

/**
 * The Debian mirror URI from apt's sources (deb822 `.sources` or one-line
 * `sources.list`), skipping security mirrors. Pure: takes the files' text.
 */
export function debianMirror(sourceTexts: string[]): string | undefined {
  for (const text of sourceTexts) {
    for (const block of text.split(/\n\s*\n/)) {
      const uris = /^URIs:\s*(\S+)/im.exec(block);
      const suites = /^Suites:\s*(.+)$/im.exec(block);
      if (uris && !/security/.test(uris[1]) && !/security/.test(suites?.[1] ?? '')) return uris[1].replace(/\/+$/, '');
    }
    for (const line of text.split('\n')) {
      const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
      if (m && !/security/.test(m[1]) && !/security/.test(m[2])) return m[1].replace(/\/+$/, '');
    }
  }
  return undefined;
}

export function systemAptSources(): string[] {
  const out: string[] = [];
  const read = (f: string) => {
    try {
      out.push(readFileSync(f, 'utf8'));
    } catch {
      // unreadable: skip
    }
  };
  read('/etc/apt/sources.list');
  const dir = '/etc/apt/sources.list.d';
  if (existsSync(dir)) for (const f of readdirSync(dir).sort()) if (/\.(list|sources)$/.test(f)) read(path.join(dir, f));
  return out;
}

async function downloadPool(mirror: string, dest: string): Promise<void> {
  const url = `${mirror}/${COMPOSE_DEB.poolPath}`;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  const body = Buffer.from(await res.arrayBuffer());
  const sum = createHash('sha256').update(body).digest('hex');
  if (sum !== COMPOSE_DEB.sha256) throw new Error(`${url} has sha256 ${sum}, expected ${COMPOSE_DEB.sha256}`);
  writeFileSync(dest, body);
}

function aptDownload(mirror: string, work: string): string {
  const lists = path.join(work, 'lists');
  const cache = path.join(work, 'cache');
  mkdirSync(path.join(lists, 'partial'), { recursive: true });
  mkdirSync(path.join(cache, 'archives', 'partial'), { recursive: true });
  const sourceList = path.join(work, 'sources.list');
  writeFileSync(sourceList, `deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${mirror} trixie main\n`);
  const opts = [
    '-o', `Dir::Etc::SourceList=${sourceList}`,
    '-o', 'Dir::Etc::SourceParts=-',
    '-o', `Dir::State::Lists=${lists}`,
    '-o', `Dir::Cache=${cache}`,
    '-o', 'APT::Get::List-Cleanup=0',
    '-o', 'Debug::NoLocking=1',
  ];
  const run = (args: string[]) => {
    const r = spawnSync('apt-get', [...opts, ...args], { cwd: work, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`);
  };
  run(['-qq', 'update']);
  run(['-qq', 'download', `${COMPOSE_DEB.name}=${COMPOSE_DEB.version}`]);
  const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
  if (!deb) throw new Error('apt-get download produced no .deb');
  return path.join(work, deb);
}

/**
 * Returns a working Compose v2: the host's when present, else the cached copy,
 * downloading and unpacking it first when needed. Throws one sentence on failure.
 */
export async function ensureComposePlugin(env: NodeJS.ProcessEnv = process.env, log: (line: string) => void = () => undefined): Promise<ComposeBinary> {
  const found = await findCompose(env);
  if (found) return found;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`Docker Compose v2 was not found, and Slipway can only fetch it on linux/x64 (this is ${process.platform}/${process.arch}). Install Docker Compose v2.`);
  }
  const mirror = debianMirror(systemAptSources());
  if (!mirror) throw new Error('Docker Compose v2 was not found and no Debian mirror is configured in apt\'s sources to fetch it from. Install Docker Compose v2.');
  const root = cacheRoot(env);
  mkdirSync(root, { recursive: true });
  const work = mkdtempSync(path.join(root, 'compose-download-'));
  try {
    let deb = path.join(work, 'docker-compose.deb');
    try {
      log(`Fetching ${COMPOSE_DEB.poolPath} from ${mirror}`);
      await downloadPool(mirror, deb);
    } catch (poolErr) {
      log(`The pool path failed (${(poolErr as Error).message}); trying apt-get download from trixie.`);
      try {
        deb = aptDownload(mirror, work);
      } catch (aptErr) {
        throw new Error(`Could not fetch Docker Compose v2 from ${mirror}: ${(aptErr as Error).message}. Install Docker Compose v2 by hand.`, {
          cause: new AggregateError([poolErr, aptErr]),
        });
      }
    }
    const unpacked = path.join(work, 'root');
    const r = spawnSync('dpkg-deb', ['-x', deb, unpacked], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`Could not unpack ${deb}: ${r.stderr.trim()}. Is dpkg installed?`);
    const target = path.dirname(path.dirname(path.dirname(path.dirname(path.dirname(cachedComposePath(env))))));
    rmSync(target, { recursive: true, force: true });
    renameSync(unpacked, target);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const exe = cachedComposePath(env);
  const version = await composeVersion(exe);
  if (!version) throw new Error(`The unpacked ${exe} does not run. Delete ${path.dirname(exe)} and retry.`);
  return { exe, version };
}
