// Shared by the Dockerfile unit tests.

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
