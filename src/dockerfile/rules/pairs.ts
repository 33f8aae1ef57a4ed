// The `key=value` pairs of ARG/ENV instructions, read once per instruction
// (several rules ask; instructions are immutable once parsed).

import type { Instruction } from '../parser';
import { keyValues, type KeyValue } from '../words';
import { operands } from './locate';

const cache = new WeakMap<Instruction, KeyValue[]>();

export function pairs(ins: Instruction, escape: string): KeyValue[] {
  let kv = cache.get(ins);
  if (!kv) cache.set(ins, (kv = keyValues(operands(ins), ins.keyword === 'ENV' || ins.keyword === 'LABEL', escape)));
  return kv;
}
