// The `key=value` pairs of ARG/ENV instructions, read once per instruction
// (several rules ask; instructions are immutable once parsed).

import type { Model } from '../model';
import type { Instruction } from '../parser';
import { keyValues, type KeyValue } from '../words';
import { operands } from './locate';

export function pairs(model: Model, ins: Instruction): KeyValue[] {
  // Indexed by Instruction.index: cheaper than a Map for thousands of instructions.
  const cache = model.memo('pairs', () => new Array<KeyValue[] | undefined>(model.file.instructions.length));
  return (cache[ins.index] ??= keyValues(operands(ins), ins.keyword === 'ENV' || ins.keyword === 'LABEL', model.file.escape));
}
