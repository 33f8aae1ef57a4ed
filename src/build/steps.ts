// Where each build step of a Dockerfile starts, so a failure reported by the
// engine ("Step 5/8 : COPY missing.txt /x" then an error) is shown on the
// line that holds that instruction.
//
// The classic builder numbers steps over every instruction of the file in
// order (ARGs before the first FROM included, comments and parser directives
// excluded), also with `--target` (it only drops stages after the target).

import { DockerfileParser } from 'dockerfile-ast';

export interface InstructionSpan {
  /** 1-based step number as the classic builder counts it. */
  step: number;
  /** Upper-case keyword, e.g. `RUN`. */
  keyword: string;
  /** 0-based first and last line of the instruction (continuations included). */
  line: number;
  endLine: number;
  /** 0-based column where the arguments start on the first line. */
  argsColumn: number;
  /** The arguments, continuations joined the way the builder echoes them. */
  args: string;
}

export function dockerfileInstructions(text: string): InstructionSpan[] {
  const df = DockerfileParser.parse(text);
  return df.getInstructions().map((ins, i) => {
    const range = ins.getRange();
    const argsRange = ins.getArgumentsRange();
    return {
      step: i + 1,
      keyword: ins.getKeyword().toUpperCase(),
      line: range.start.line,
      endLine: range.end.line,
      argsColumn: argsRange && argsRange.start.line === range.start.line ? argsRange.start.character : range.start.character,
      args: ins.getArgumentsContent() ?? '',
    };
  });
}

/** Collapses whitespace so the builder's echo and the file's text compare equal. */
function squash(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/**
 * The instruction a "Step N/M : KEYWORD args" line refers to. The step number
 * decides when its keyword agrees; otherwise (a Dockerfile edited since the
 * build started, ONBUILD triggers) the first instruction with the same text.
 */
export function instructionForStep(
  instructions: readonly InstructionSpan[],
  step: number,
  echoed: string,
): InstructionSpan | undefined {
  const m = /^\s*(\S+)\s*(.*)$/s.exec(echoed);
  const keyword = (m?.[1] ?? '').toUpperCase();
  const byIndex = instructions[step - 1];
  if (byIndex && (!keyword || byIndex.keyword === keyword)) return byIndex;
  const args = squash(m?.[2] ?? '');
  return instructions.find((i) => i.keyword === keyword && squash(i.args) === args);
}
