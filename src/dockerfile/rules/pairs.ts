// The `key=value` pairs of ARG/ENV instructions, read once per instruction
// (several rules ask; instructions are immutable once parsed).

import type { Model } from '../model';
import type { Instruction } from '../parser';
import { keyValues, type KeyValue } from '../words';
import { operands } from './locate';

export function pairs(model: Model, ins: Instruction): KeyValue[] {
  const cache = model.memo('pairs', () => new Map<number, KeyValue[]>());
  let kv = cache.get(ins.index);
  if (!kv) cache.set(ins.index, (kv = keyValues(operands(ins), ins.keyword === 'ENV' || ins.keyword === 'LABEL', model.file.escape)));
  return kv;
}
