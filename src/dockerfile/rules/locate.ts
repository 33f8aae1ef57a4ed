// Document offsets of the pieces rules point at.

import type { Instruction } from '../parser';
import type { Word } from '../words';

export interface OffsetRange {
  start: number;
  end: number;
}

/** Document range of a word (or any logical [start, end)) of an instruction's args. */
export function argRange(ins: Instruction, w: { start: number; end: number }): OffsetRange {
  return { start: ins.args.toDoc(w.start), end: ins.args.toDocEnd(w.end) };
}

export function keywordRange(ins: Instruction): OffsetRange {
  return { start: ins.keywordStart, end: ins.keywordEnd };
}

/** The words after the flags (for FROM: image, AS, name; for COPY: sources and destination). */
export function operands(ins: Instruction): Word[] {
  return ins.words.slice(ins.rest);
}

/** Range covering the instruction's whole lines, newline included, for deleting it. */
export function wholeLines(ins: Instruction, text: string): OffsetRange {
  let start = ins.start;
  while (start > 0 && text.charCodeAt(start - 1) !== 10) start--;
  let end = ins.end;
  while (end < text.length && text.charCodeAt(end) !== 10) end++;
  return { start, end: Math.min(end + 1, text.length) };
}
