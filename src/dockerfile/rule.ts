// What a rule is and what it reports. Everything here is plain data so the
// CLI, the tests and the VS Code adapter share it unchanged.

import type { Model } from './model';
import type { Range } from './text';

export type Severity = 'error' | 'warning' | 'info' | 'hint';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info', 'hint'];

export interface TextEdit {
  range: Range;
  newText: string;
}

/** A quick fix: applying all its edits to the linted text fixes the finding. */
export interface Fix {
  title: string;
  edits: TextEdit[];
}

export interface Diagnostic {
  rule: string;
  severity: Severity;
  message: string;
  /** 0-based, UTF-16 columns (as VS Code); the CLI prints them 1-based. */
  range: Range;
  fixes: Fix[];
}

export interface RuleMeta {
  /** Stable id used in settings, ignore comments and output. Never renamed. */
  id: string;
  /** BuildKit check name for the same problem, accepted in `# check=skip=`. */
  buildkit?: string;
  severity: Severity;
  /** One line for docs and `slipway lint --rules`. */
  summary: string;
}

/** An edit in document offsets; the engine converts it to a `TextEdit`. */
export interface OffsetEdit {
  start: number;
  end: number;
  newText: string;
}

export interface Finding {
  message: string;
  start: number;
  end: number;
  fixes?: Array<{ title: string; edits: OffsetEdit[] }>;
}

export interface RuleContext {
  model: Model;
  /** Whether a source path (relative to the build context, `/`-separated) is excluded by .dockerignore; absent when unknown. */
  isIgnored?: (path: string) => boolean;
  report(finding: Finding): void;
}

export interface Rule extends RuleMeta {
  check(ctx: RuleContext): void;
}
