// Dockerfile lint speed, ours (src/dockerfile/lint.ts: parse + every rule)
// side by side with the npm linter `dockerfilelint` used in-process on the
// same texts in the same run. Corpus: ../shared/corpus/dockerfiles (read in
// place). dockerfilelint's `run(dir, text)` looks for a .dockerfilelintrc in
// `dir` on every call; we give it an empty temp dir, as a caller would.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lint } from '../src/dockerfile/lint';
import { medianMs, report, type Bench } from './report';

/**
 * The corpus lives in the `shared/` folder next to the checkout: /work/shared
 * for /work/main and for a worktree /work/wt/<name> alike, so look upwards
 * rather than at a fixed depth (a fixed `../../../` found nothing in worktrees).
 */
function findCorpus(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'shared', 'corpus', 'dockerfiles');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`No shared/corpus/dockerfiles above ${__dirname}; the Dockerfile benches need it.`);
  }
}

interface Peer {
  run(configDir: string, text: string): unknown;
}

function loadPeer(): Peer {
  return require('dockerfilelint') as Peer;
}

/** Looked up when a Dockerfile bench runs, not on import: other benches must still run without it. */
function corpusTexts(): Array<{ name: string; text: string }> {
  const dir = findCorpus();
  return fs
    .readdirSync(dir)
    .sort()
    .map((name) => ({ name, text: fs.readFileSync(path.join(dir, name), 'utf8') }));
}

/** A ~1 MB Dockerfile made of the official-image files one after another (each brings its own FROM). */
export function megabyteDockerfile(texts: string[]): string {
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < 1 << 20; i++) {
    const t = texts[i % texts.length];
    parts.push(t.endsWith('\n') ? t : t + '\n');
    size += t.length + 1;
  }
  return parts.join('');
}

/** Runs `fn` on every text `rounds` times; returns mean ms per text and how many texts threw. */
function perText(texts: string[], rounds: number, fn: (t: string) => unknown): { ms: number; crashes: number } {
  let crashes = 0;
  const failed = new Set<number>();
  const start = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++)
    texts.forEach((t, i) => {
      try {
        fn(t);
      } catch {
        if (!failed.has(i)) crashes++;
        failed.add(i);
      }
    });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { ms: ms / (rounds * texts.length), crashes };
}

/** Runs `fn` for at least 2 s and 3 times: until the JIT has settled, whatever else ran before. */
function warmUp(fn: () => unknown): void {
  const start = Date.now();
  for (let i = 0; i < 3 || Date.now() - start < 2000; i++) fn();
}

const peerDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-bench-'));

export const benches: Bench[] = [
  {
    name: 'dockerfile.corpus',
    async run() {
      const peer = loadPeer();
      const dir = peerDir();
      const texts = corpusTexts().map((c) => c.text);
      // Warm both up (JIT) before measuring.
      perText(texts, 3, (t) => lint(t));
      perText(texts, 3, (t) => peer.run(dir, t));
      const ours = perText(texts, 20, (t) => lint(t));
      const theirs = perText(texts, 20, (t) => peer.run(dir, t));
      report({ name: 'dockerfile.corpus.lint', ours: ours.ms, peer: theirs.ms, unit: 'ms', target: `ratio<=1.0 per file over ${texts.length} files` });
      report({ name: 'dockerfile.corpus.crashes', ours: ours.crashes, peer: theirs.crashes, unit: '', target: 'ours=0' });
    },
  },
  {
    name: 'dockerfile.1mb',
    async run() {
      const peer = loadPeer();
      const dir = peerDir();
      const official = corpusTexts().filter((c) => !c.name.startsWith('moby__')).map((c) => c.text);
      const big = megabyteDockerfile(official);
      // The same warm-up for both. One run was not enough: the optimizing
      // compiler (a background thread, starved on a loaded 2-core machine)
      // was still at work during the timed runs, so run alone this bench
      // reported ~290 ms where it reported ~80 ms after dockerfile.corpus.
      warmUp(() => lint(big));
      const ours = await medianMs(7, () => lint(big));
      let theirs: number | undefined;
      try {
        warmUp(() => peer.run(dir, big));
        theirs = await medianMs(3, () => peer.run(dir, big));
      } catch {
        theirs = undefined;
      }
      report({ name: 'dockerfile.1mb.lint', ours, peer: theirs, unit: 'ms', target: `<=100ms for ${(big.length / 1024).toFixed(0)} KiB` });
    },
  },
  {
    name: 'dockerfile.10kb',
    async run() {
      const peer = loadPeer();
      const dir = peerDir();
      // The largest official-image file in the corpus (postgres 18, ~10 KB).
      const text = corpusTexts()
        .filter((c) => !c.name.startsWith('moby__'))
        .reduce((a, b) => (b.text.length > a.text.length ? b : a)).text;
      for (let i = 0; i < 50; i++) (lint(text), peer.run(dir, text));
      const ours = await medianMs(201, () => lint(text));
      const theirs = await medianMs(201, () => peer.run(dir, text));
      report({ name: 'dockerfile.10kb.lint', ours, peer: theirs, unit: 'ms', target: `<=2ms for ${(text.length / 1024).toFixed(1)} KiB` });
    },
  },
];
