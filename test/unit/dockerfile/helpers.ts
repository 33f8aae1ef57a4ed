// Shared by the Dockerfile unit tests.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { lint, type LintOptions } from '../../../src/dockerfile/lint';
import { LineIndex } from '../../../src/dockerfile/text';
import type { Diagnostic, TextEdit } from '../../../src/dockerfile/rule';

/** Diagnostics of one rule only. */
export function findings(text: string, rule: string, options: LintOptions = {}): Diagnostic[] {
  return lint(text, options).filter((d) => d.rule === rule);
}

/** Applies non-overlapping edits (as an editor would) and returns the new text. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const lines = new LineIndex(text);
  const abs = edits
    .map((e) => ({ start: lines.offset(e.range.start), end: lines.offset(e.range.end), newText: e.newText }))
    .sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of abs) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

/**
 * shared/corpus/dockerfiles, found by looking upwards from the compiled test:
 * it sits next to the checkout, /work/shared for /work/main and for a worktree
 * /work/wt/<name> alike (a fixed `../` depth missed it in worktrees, and the
 * corpus tests then skipped silently). '' when there is none.
 */
export function corpusDir(): string {
  for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'shared', 'corpus', 'dockerfiles');
    if (fs.existsSync(candidate)) return candidate;
  }
  return '';
}
