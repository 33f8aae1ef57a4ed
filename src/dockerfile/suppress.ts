// What the author turned off in the file itself:
//   # check=skip=JSONArgsRecommended,UndefinedVar   BuildKit's directive (or skip=all); our ids work too
//   # slipway-ignore [rule, ...]                      the next instruction (all rules when none listed)

import { findRule } from './catalog';
import type { Dockerfile } from './parser';

export interface Suppressions {
  /** Whether `rule` is off for a finding that starts on `line` (0-based). */
  suppressed(rule: string, line: number): boolean;
}

const IGNORE = /^slipway-ignore(?:[ \t]+(.*))?$/;

function ids(list: string): Set<string> | 'all' {
  const out = new Set<string>();
  for (const name of list.split(',')) {
    const n = name.trim();
    if (!n) continue;
    if (n.toLowerCase() === 'all') return 'all';
    out.add(findRule(n)?.id ?? n.toLowerCase());
  }
  return out;
}

export function suppressions(file: Dockerfile): Suppressions {
  let fileSkip: Set<string> | 'all' = new Set();
  for (const d of file.directives) {
    if (d.name !== 'check') continue;
    for (const part of d.value.split(';')) {
      const eq = part.indexOf('=');
      if (eq !== -1 && part.slice(0, eq).trim().toLowerCase() === 'skip') fileSkip = ids(part.slice(eq + 1));
    }
  }
  // Per instruction line ranges, from ignore comments.
  const ranges: Array<{ from: number; to: number; rules: Set<string> | 'all' }> = [];
  const ins = file.instructions;
  let k = 0;
  const comments = [...file.comments].sort((a, b) => a.line - b.line);
  for (const c of comments) {
    const m = IGNORE.exec(c.text);
    if (!m) continue;
    while (k < ins.length && ins[k].endLine < c.line) k++;
    if (k >= ins.length) break;
    ranges.push({ from: ins[k].line, to: ins[k].endLine, rules: m[1] ? ids(m[1]) : 'all' });
  }
  return {
    suppressed(rule, line) {
      if (fileSkip === 'all' || fileSkip.has(rule)) return true;
      for (const r of ranges) if (line >= r.from && line <= r.to && (r.rules === 'all' || r.rules.has(rule))) return true;
      return false;
    },
  };
}
