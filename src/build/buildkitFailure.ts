// Maps a BuildKit failure (buildkitOutput.ts) to the Dockerfile, into the same
// LocatedProblem the Engine API path produces (failure.ts).

import type { BuildKitFailure, BuildKitVertex } from './buildkitOutput';
import { findWord, type LocatedProblem, type SourceRange } from './failure';
import type { InstructionSpan } from './steps';

/**
 * Instructions BuildKit numbers within a stage (`[stage k/m]`), checked against
 * captured output: FROM of an image is 1; FROM of an earlier stage is not numbered.
 */
const NUMBERED = new Set(['FROM', 'RUN', 'COPY', 'ADD', 'WORKDIR']);
const NOT_FOUND = /"\/?([^"]+)": not found/;

export function locateBuildKitFailure(text: string, instructions: readonly InstructionSpan[], failure: BuildKitFailure): LocatedProblem | undefined {
  const lines = text.split(/\r?\n/);
  const ins = failure.excerpt
    ? instructions.find((i) => i.line <= failure.excerpt!.line - 1 && failure.excerpt!.line - 1 <= i.endLine)
    : failure.vertex
      ? instructionForVertex(instructions, failure.vertex)
      : undefined;
  if (!ins) {
    if (!failure.excerpt) return undefined;
    const line = Math.min(failure.excerpt.line - 1, Math.max(0, lines.length - 1));
    return { range: { line, column: 0, endLine: line, endColumn: (lines[line] ?? '').length }, kind: 'other', message: failure.message };
  }
  const whole: SourceRange = { line: ins.line, column: 0, endLine: ins.endLine, endColumn: (lines[ins.endLine] ?? '').length };
  if (ins.keyword === 'RUN' && failure.exitCode !== undefined) {
    return { range: whole, kind: 'run', message: `RUN failed with exit code ${failure.exitCode}: ${failure.message}` };
  }
  if (ins.keyword === 'COPY' || ins.keyword === 'ADD') {
    const source = NOT_FOUND.exec(failure.message)?.[1];
    if (source) {
      return { range: findWord(lines, ins, source) ?? whole, kind: 'context', message: `${ins.keyword} source "${source}" is not in the build context (missing, or excluded by .dockerignore).` };
    }
  }
  return { range: whole, kind: 'other', message: failure.message };
}

export function instructionForVertex(instructions: readonly InstructionSpan[], v: BuildKitVertex): InstructionSpan | undefined {
  if (v.index === undefined) return undefined;
  const stages: InstructionSpan[][] = [];
  for (const i of instructions) {
    if (i.keyword === 'FROM') stages.push([i]);
    else stages[stages.length - 1]?.push(i);
  }
  // `FROM image AS name`: the stage's name, lower-cased as BuildKit prints it.
  const stageName = (s: InstructionSpan[]) => /\s[Aa][Ss]\s+(\S+)\s*$/.exec(` ${s[0].args}`)?.[1]?.toLowerCase();
  const named = (s: InstructionSpan[], n: number) => {
    const as = stageName(s);
    return as ? as === v.stage?.toLowerCase() : v.stage === `stage-${n}`;
  };
  const stage = v.stage === undefined ? (stages.length === 1 ? stages[0] : undefined) : stages.find(named);
  if (!stage) return undefined;
  const names = new Set(stages.flatMap((s) => stageName(s) ?? []));
  const fromStage = names.has(/^\s*(?:--\S+\s+)*(\S+)/.exec(stage[0].args)?.[1]?.toLowerCase() ?? '');
  const numbered = stage.filter((i, k) => NUMBERED.has(i.keyword) && !(k === 0 && fromStage));
  if (v.total !== undefined && numbered.length !== v.total) return undefined;
  const ins = numbered[v.index - 1];
  const keyword = /^\s*(\S+)/.exec(v.text)?.[1]?.toUpperCase();
  return ins && ins.keyword === keyword ? ins : undefined;
}
