// Lint configuration: per-rule severity or "off". The same shape is read from
// `slipway lint --config FILE` (JSON) and from the `slipway.dockerfile.rules`
// setting, and checked the same way (every problem reported, with its key).

import { findRule } from './catalog';
import { SEVERITIES, type Severity } from './rule';

export type RuleSetting = Severity | 'off';

export interface DockerfileLintConfig {
  /** Rule id (or BuildKit check name) → severity or "off". Unlisted rules keep their default. */
  rules?: Record<string, RuleSetting>;
}

export interface ConfigCheck {
  config: DockerfileLintConfig;
  /** One sentence per problem; the config keeps only the valid entries. */
  problems: string[];
}

/** Validates an untrusted value (parsed JSON, a settings object). */
export function checkConfig(raw: unknown): ConfigCheck {
  const problems: string[] = [];
  const rules: Record<string, RuleSetting> = {};
  if (raw === undefined || raw === null) return { config: {}, problems };
  if (typeof raw !== 'object' || Array.isArray(raw)) return { config: {}, problems: ['The configuration must be a JSON object like {"rules": {"from-latest": "off"}}.'] };
  for (const key of Object.keys(raw)) if (key !== 'rules') problems.push(`Unknown key "${key}"; the only key is "rules".`);
  const r = (raw as { rules?: unknown }).rules;
  if (r !== undefined) {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) problems.push('"rules" must be an object mapping rule ids to "error", "warning", "info", "hint" or "off".');
    else
      for (const [id, v] of Object.entries(r)) {
        const rule = findRule(id);
        if (!rule) problems.push(`rules.${id}: there is no rule "${id}"; see docs/dockerfile-rules.md for the ids.`);
        else if (v !== 'off' && !SEVERITIES.includes(v as Severity)) problems.push(`rules.${id}: "${String(v)}" is not one of error, warning, info, hint, off.`);
        else rules[rule.id] = v as RuleSetting;
      }
  }
  return { config: { rules }, problems };
}

/** The effective setting of a rule under a checked config. */
export function ruleSetting(config: DockerfileLintConfig | undefined, id: string, fallback: Severity): RuleSetting {
  const rules = config?.rules;
  if (!rules) return fallback;
  if (rules[id] !== undefined) return rules[id];
  for (const [k, v] of Object.entries(rules)) if (findRule(k)?.id === id) return v;
  return fallback;
}
