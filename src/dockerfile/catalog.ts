// Every rule, in documentation order. Ids are stable: settings, ignore
// comments and other tools' configs refer to them.

import type { Rule, RuleMeta } from './rule';
import { copyRules } from './rules/copy';
import { instructionRules } from './rules/instructions';
import { packageRules } from './rules/packages';
import { runRules } from './rules/run';
import { stageRules } from './rules/stages';
import { syntaxRules } from './rules/syntax';
import { variableRules } from './rules/variables';

export const RULES: readonly Rule[] = [
  ...syntaxRules,
  ...stageRules,
  ...variableRules,
  ...packageRules,
  ...runRules,
  ...copyRules,
  ...instructionRules,
];

const byName = new Map<string, Rule>();
for (const r of RULES) {
  byName.set(r.id.toLowerCase(), r);
  if (r.buildkit) byName.set(r.buildkit.toLowerCase(), r);
}

/** A rule by its id or its BuildKit check name, case-insensitive. */
export function findRule(name: string): RuleMeta | undefined {
  return byName.get(name.trim().toLowerCase());
}
