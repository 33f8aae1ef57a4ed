// ARG/ENV scoping, as BuildKit's UndefinedVar sees it, and secrets in names.
//
// The builder expands variables itself in ADD, COPY, ENV, ARG, EXPOSE, LABEL,
// STOPSIGNAL, USER, VOLUME and WORKDIR (RUN is expanded by the shell at run
// time and is out of scope). A name is visible in a stage when an ARG or ENV
// above it in the stage declares it, or an ENV in the stage it builds on.
// We cannot see the base image's ENV (PATH, GOPATH, ...), so an unknown name
// is reported only when we know it is a mistake: it is declared later in the
// stage, only in another stage, only globally (before FROM), or the stage
// starts from scratch.

import type { Model, Stage } from '../model';
import type { Instruction } from '../parser';
import type { Rule } from '../rule';
import { variableRefs, type VarRef } from '../words';
import { argRange } from './locate';
import { pairs } from './pairs';
import { AUTOMATIC_PLATFORM_ARGS, globalArgDefaults } from './stages';

const EXPANDING = new Set(['ADD', 'COPY', 'ENV', 'ARG', 'EXPOSE', 'LABEL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR']);

const NONE: readonly string[] = [];

/** Names an ARG/ENV instruction defines (read once per instruction: several loops below ask). */
function definedNames(model: Model, ins: Instruction): readonly string[] {
  if (ins.keyword !== 'ARG' && ins.keyword !== 'ENV') return NONE;
  const cache = model.memo('defined-names', () => new Array<readonly string[] | undefined>(model.file.instructions.length));
  return (cache[ins.index] ??= pairs(model, ins).map((kv) => kv.key));
}

/**
 * References the builder expands in an instruction (for ARG/ENV only in the
 * values), each marked when an earlier pair of the same instruction sets
 * its name (`ENV A=1 B=$A`: the builder expands $A with the value from
 * before this line).
 */
function expandedRefs(model: Model, ins: Instruction, escape: string): Array<VarRef & { setEarlierHere?: boolean; own?: string }> {
  const text = ins.args.text;
  // Every reference starts with `$`; most instructions have none.
  if (!EXPANDING.has(ins.keyword) || !text.includes('$')) return [];
  if (ins.keyword === 'ARG' || ins.keyword === 'ENV') {
    const refs: Array<VarRef & { setEarlierHere?: boolean; own?: string }> = [];
    const earlier = new Set<string>();
    for (const kv of pairs(model, ins)) {
      const valueStart = ins.keyword === 'ENV' && !text.slice(kv.start, kv.end).includes('=') ? kv.keyEnd : kv.keyEnd + 1;
      if (valueStart < kv.end)
        for (const r of variableRefs(text.slice(valueStart, kv.end), escape))
          refs.push({ ...r, start: r.start + valueStart, end: r.end + valueStart, setEarlierHere: earlier.has(r.name), own: kv.key });
      earlier.add(kv.key);
    }
    return refs;
  }
  return variableRefs(text, escape);
}

/** ENV names visible at the end of each stage (own plus inherited through FROM <stage>). */
function envAtEnd(model: Model): Set<string>[] {
  const out: Set<string>[] = [];
  for (const stage of model.stages) {
    const env = new Set(stage.parent !== undefined ? out[stage.parent] : []);
    for (const ins of stage.body) if (ins.keyword === 'ENV') for (const n of definedNames(model, ins)) env.add(n);
    out.push(env);
  }
  return out;
}

function isScratch(model: Model, stage: Stage): boolean {
  let s: Stage | undefined = stage;
  while (s && s.parent !== undefined) s = model.stages[s.parent];
  return s?.image?.value.toLowerCase() === 'scratch';
}

const undefinedVar: Rule = {
  id: 'undefined-var',
  buildkit: 'UndefinedVar',
  severity: 'warning',
  summary: 'A variable used where it is not defined: before its ARG/ENV, in another stage, or a global ARG not redeclared in the stage.',
  check(ctx) {
    const { model } = ctx;
    const esc = model.file.escape;
    const globals = globalArgDefaults(model);
    const inherited = envAtEnd(model);
    // Where each name is declared, per stage, to explain the mistake.
    const declaredIn = new Map<string, Set<number>>();
    for (const stage of model.stages)
      for (const ins of stage.body)
        for (const n of definedNames(model, ins)) {
          if (!declaredIn.has(n)) declaredIn.set(n, new Set());
          declaredIn.get(n)!.add(stage.index);
        }
    for (const stage of model.stages) {
      const visible = new Set(stage.parent !== undefined ? inherited[stage.parent] : []);
      const laterLine = new Map<string, number>();
      for (const ins of stage.body) for (const n of definedNames(model, ins)) if (!laterLine.has(n)) laterLine.set(n, ins.line);
      for (const ins of stage.body) {
        for (const r of expandedRefs(model, ins, esc)) {
          if (r.guarded || visible.has(r.name)) continue;
          if (r.own === r.name) continue; // ENV PATH=/x:$PATH extends the base image's value
          if (r.setEarlierHere) {
            ctx.report({
              message: `"${r.name}" is set earlier in this same ${ins.keyword}, but the builder expands "$${r.name}" with the value from before the line; move it to its own ${ins.keyword} line above.`,
              ...argRange(ins, r),
            });
            continue;
          }
          const at = argRange(ins, r);
          const insertAfterFrom = model.file.lines.lineEnd(stage.from.endLine);
          const declareFix = [{ title: `Declare ARG ${r.name} in this stage`, edits: [{ start: insertAfterFrom, end: insertAfterFrom, newText: `\nARG ${r.name}` }] }];
          if (globals.has(r.name) || AUTOMATIC_PLATFORM_ARGS.has(r.name)) {
            ctx.report({
              message: `"${r.name}" is declared before the first FROM, which makes it visible to FROM lines only; add "ARG ${r.name}" in this stage to use it here.`,
              ...at,
              fixes: declareFix,
            });
          } else if (laterLine.has(r.name) && laterLine.get(r.name)! >= ins.line) {
            ctx.report({ message: `"${r.name}" is used before it is defined on line ${laterLine.get(r.name)! + 1}; move the definition above this line.`, ...at });
          } else if (declaredIn.has(r.name)) {
            const other = [...declaredIn.get(r.name)!].map((i) => model.stages[i].name ?? String(i));
            ctx.report({
              message: `"${r.name}" is defined only in stage ${other.map((o) => `"${o}"`).join(', ')}; ARG and ENV do not cross stages, so declare it in this one.`,
              ...at,
              fixes: declareFix,
            });
          } else if (isScratch(model, stage)) {
            ctx.report({ message: `"${r.name}" is not defined anywhere (this stage starts from scratch); declare it with ARG or ENV.`, ...at, fixes: declareFix });
          }
        }
        for (const n of definedNames(model, ins)) visible.add(n);
      }
    }
  },
};

// Words that mark a secret when they are a whole `_`-separated part of the
// name (`DB_PASSWORD`, `GITHUB_TOKEN`), and the combinations with KEY that do
// (`API_KEY`, `PRIVATE_KEY`). A bare KEY is not enough: `GPG_KEY` holds a
// public key fingerprint in many official images.
const SECRET_WORDS = new Set(['PASSWORD', 'PASSWD', 'PWD', 'PASS', 'SECRET', 'TOKEN', 'APIKEY', 'CREDENTIAL', 'CREDENTIALS']);
const SECRET_KEY_PREFIX = new Set(['API', 'PRIVATE', 'ACCESS', 'SECRET', 'AUTH', 'SIGNING', 'ENCRYPTION', 'SSH']);
const NOT_SECRET_SUFFIX = new Set(['FILE', 'PATH', 'DIR', 'URL', 'HOST', 'PORT', 'USER', 'USERNAME', 'NAME', 'ID', 'LENGTH', 'ENABLED']);

export function looksSecret(name: string): boolean {
  const parts = name.toUpperCase().split(/[_\-.]+/).filter(Boolean);
  if (!parts.length || NOT_SECRET_SUFFIX.has(parts[parts.length - 1]) || parts.includes('PUBLIC')) return false;
  for (let i = 0; i < parts.length; i++) {
    if (SECRET_WORDS.has(parts[i]) && !(parts[i] === 'PWD' && parts.length === 1)) return true;
    if (parts[i] === 'KEY' && i > 0 && SECRET_KEY_PREFIX.has(parts[i - 1])) return true;
  }
  return false;
}

const secretInArgEnv: Rule = {
  id: 'secret-in-arg-env',
  buildkit: 'SecretsUsedInArgOrEnv',
  severity: 'warning',
  summary: 'An ARG or ENV whose name says it holds a secret: its value stays in the image metadata and history.',
  check(ctx) {
    for (const ins of ctx.model.file.instructions) {
      if (ins.keyword !== 'ARG' && ins.keyword !== 'ENV') continue;
      for (const kv of pairs(ctx.model, ins)) {
        if (!looksSecret(kv.key)) continue;
        ctx.report({
          message: `${ins.keyword} "${kv.key}" looks like a secret, and ${ins.keyword} values are kept in the image history; use a build secret (RUN --mount=type=secret) instead.`,
          ...argRange(ins, { start: kv.keyStart, end: kv.keyEnd }),
        });
      }
    }
  },
};

export const variableRules: Rule[] = [undefinedVar, secretInArgEnv];
