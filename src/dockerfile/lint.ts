// The rule engine: parse once, build the model once, run every enabled rule,
// drop what the file suppresses, and return plain diagnostics sorted by position.

import { RULES } from './catalog';
import { ruleSetting, type DockerfileLintConfig } from './config';
import { buildModel } from './model';
import { parse, type Dockerfile } from './parser';
import type { Diagnostic, Finding, Rule } from './rule';
import { suppressions } from './suppress';

export interface LintOptions {
  config?: DockerfileLintConfig;
  /** Whether a context-relative source path is excluded by .dockerignore (see dockerignore.ts). */
  isIgnored?: (path: string) => boolean;
  /** Called when a rule throws; the rule's findings for this file are dropped, the others kept. */
  onRuleError?: (rule: Rule, error: unknown) => void;
}

export function lint(text: string, options: LintOptions = {}): Diagnostic[] {
  return lintParsed(parse(text), options);
}

export function lintParsed(file: Dockerfile, options: LintOptions = {}): Diagnostic[] {
  const model = buildModel(file);
  const skip = suppressions(file);
  const out: Diagnostic[] = [];
  for (const rule of RULES) {
    const setting = ruleSetting(options.config, rule.id, rule.severity);
    if (setting === 'off') continue;
    const found: Finding[] = [];
    try {
      rule.check({ model, isIgnored: options.isIgnored, report: (f) => found.push(f) });
    } catch (err) {
      options.onRuleError?.(rule, err);
      continue;
    }
    for (const f of found) {
      const range = file.lines.range(f.start, Math.max(f.start, f.end));
      if (skip.suppressed(rule.id, range.start.line)) continue;
      out.push({
        rule: rule.id,
        severity: setting,
        message: f.message,
        range,
        fixes: (f.fixes ?? []).map((x) => ({ title: x.title, edits: x.edits.map((e) => ({ range: file.lines.range(e.start, e.end), newText: e.newText })) })),
      });
    }
  }
  out.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
  return out;
}
