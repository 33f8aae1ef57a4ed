// Maps a build failure back to the Dockerfile: the line (and, for a missing
// COPY/ADD source, the column) the Problems panel should point at.

import type { BuildFailure } from './buildOutput';
import { instructionForStep, type InstructionSpan } from './steps';
import { classifyTransferError } from './transfer';

export interface SourceRange {
  /** 0-based. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface LocatedProblem {
  range: SourceRange;
  message: string;
  /** `run`: a RUN exited non-zero; `context`: a COPY/ADD source is missing; `other`. */
  kind: 'run' | 'context' | 'other';
}

const MISSING_SOURCE = /file not found in build context|no source files were specified|no such file or directory/;
const STAT_SOURCE = /stat ([^:]+): file does not exist/;

/**
 * Where in the Dockerfile `failure` belongs, or undefined when the build
 * failed before any step ran (a syntax error reported without a step, a bad
 * base image name reported with step 1 is still located).
 */
export function locateFailure(dockerfileText: string, instructions: readonly InstructionSpan[], failure: BuildFailure): LocatedProblem | undefined {
  if (!failure.step) return undefined;
  const ins = instructionForStep(instructions, failure.step.n, failure.step.text);
  if (!ins) return undefined;
  const lines = dockerfileText.split(/\r?\n/);
  const whole: SourceRange = {
    line: ins.line,
    column: 0,
    endLine: ins.endLine,
    endColumn: (lines[ins.endLine] ?? '').length,
  };
  if (ins.keyword === 'RUN' && failure.exitCode !== undefined) {
    return { range: whole, kind: 'run', message: `RUN failed with exit code ${failure.exitCode}: ${failure.message}` };
  }
  if (ins.keyword === 'COPY' || ins.keyword === 'ADD') {
    if (MISSING_SOURCE.test(failure.message)) {
      const source = STAT_SOURCE.exec(failure.message)?.[1]?.trim();
      const range = source ? findWord(lines, ins, source) ?? whole : whole;
      return {
        range,
        kind: 'context',
        message: source
          ? `${ins.keyword} source "${source}" is not in the build context (missing, or excluded by .dockerignore).`
          : `${ins.keyword} failed: ${failure.message}`,
      };
    }
  }
  if (ins.keyword === 'FROM') {
    const image = ins.args.trim().split(/\s+/).find((w) => !w.startsWith('--')) ?? '';
    const why: Record<string, string> = {
      network: 'the engine cannot reach its registry',
      notFound: 'no such image or tag',
      auth: 'the registry refused access (log in first)',
      insecure: 'the registry speaks plain HTTP',
    };
    const kind = classifyTransferError(failure.message);
    if (kind !== 'other') {
      return { range: whole, kind: 'other', message: `The base image "${image}" could not be pulled: ${why[kind]}. ${failure.message}` };
    }
  }
  return { range: whole, kind: 'other', message: failure.message };
}

/** The first occurrence of `word` within the instruction's lines. */
export function findWord(lines: readonly string[], ins: InstructionSpan, word: string): SourceRange | undefined {
  for (let l = ins.line; l <= ins.endLine; l++) {
    const text = lines[l] ?? '';
    let from = l === ins.line ? ins.argsColumn : 0;
    for (;;) {
      const at = text.indexOf(word, from);
      if (at < 0) break;
      const before = text[at - 1];
      const after = text[at + word.length];
      const boundary = (c: string | undefined) => c === undefined || /[\s"',\[\]]/.test(c) || c === '/';
      if (boundary(before) && (boundary(after) || after === '/')) {
        return { line: l, column: at, endLine: l, endColumn: at + word.length };
      }
      from = at + 1;
    }
  }
  return undefined;
}
