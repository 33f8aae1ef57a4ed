// FROM lines and stages: image references, the global ARGs FROM may use,
// stage names, and COPY --from references to stages.

import { expand } from '../expand';
import type { Model, Stage } from '../model';
import type { Instruction } from '../parser';
import type { Rule } from '../rule';
import { keyValues, variableRefs } from '../words';
import { argRange, operands } from './locate';

/** ARGs the builder defines in the global scope without a declaration. */
export const AUTOMATIC_PLATFORM_ARGS = new Set([
  'TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT',
  'BUILDPLATFORM', 'BUILDOS', 'BUILDARCH', 'BUILDVARIANT',
]);

/** Global ARG names (declared before the first FROM) with their default values (undefined: none). */
export function globalArgDefaults(model: Model): Map<string, string | undefined> {
  return model.memo('global-arg-defaults', () => readGlobalArgDefaults(model));
}

function readGlobalArgDefaults(model: Model): Map<string, string | undefined> {
  const values = new Map<string, string | undefined>();
  const esc = model.file.escape;
  for (const ins of model.globalArgs)
    for (const kv of keyValues(operands(ins), false, esc)) {
      const v = kv.value === undefined ? undefined : expand(kv.value, esc, values);
      values.set(kv.key, v);
    }
  return values;
}

/** The image a stage's FROM names, ARG defaults applied; undefined when it depends on unknowns. */
function resolvedImage(model: Model, stage: Stage, globals: Map<string, string | undefined>): string | undefined {
  if (!stage.image) return undefined;
  return expand(stage.image.raw.replace(/^["']|["']$/g, ''), model.file.escape, globals, (name) => AUTOMATIC_PLATFORM_ARGS.has(name) || !globals.has(name) || globals.get(name) === undefined);
}

/** Splits `registry:5000/repo/name:tag@sha256:...` into its tag and digest. */
export function imageTagAndDigest(ref: string): { name: string; tag?: string; digest?: string } {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) return { name: rest.slice(0, colon), tag: rest.slice(colon + 1), digest };
  return { name: rest, digest };
}

function isStageRef(_model: Model, stage: Stage): boolean {
  return stage.parent !== undefined;
}

const fromUntagged: Rule = {
  id: 'from-untagged',
  severity: 'warning',
  summary: 'FROM an image without a tag or digest, i.e. whatever `latest` is today.',
  check(ctx) {
    const globals = globalArgDefaults(ctx.model);
    for (const stage of ctx.model.stages) {
      if (!stage.image || isStageRef(ctx.model, stage)) continue;
      const image = resolvedImage(ctx.model, stage, globals);
      if (!image || image.toLowerCase() === 'scratch' || variableRefs(image, '\\').length) continue;
      const { tag, digest } = imageTagAndDigest(image);
      if (tag || digest) continue;
      ctx.report({
        message: `"${image}" has no tag, so it means ${image}:latest and changes under you; pin a version tag or a digest.`,
        ...argRange(stage.from, stage.image),
      });
    }
  },
};

const fromLatest: Rule = {
  id: 'from-latest',
  severity: 'warning',
  summary: 'FROM an image tagged `latest`, which changes under you.',
  check(ctx) {
    const globals = globalArgDefaults(ctx.model);
    for (const stage of ctx.model.stages) {
      if (!stage.image || isStageRef(ctx.model, stage)) continue;
      const image = resolvedImage(ctx.model, stage, globals);
      if (!image) continue;
      const { tag, digest } = imageTagAndDigest(image);
      if (tag !== 'latest' || digest) continue;
      ctx.report({
        message: `"${image}" uses the latest tag, which changes under you; pin a version tag or a digest.`,
        ...argRange(stage.from, stage.image),
      });
    }
  },
};

/** References in a FROM line: the image word and --platform. */
function fromRefs(stage: Stage, escape: string) {
  const ins = stage.from;
  const out: Array<{ name: string; start: number; end: number; guarded: boolean; inImage: boolean }> = [];
  const words = ins.words.slice(0, stage.image ? ins.rest + 1 : ins.rest);
  for (const w of words)
    for (const r of variableRefs(w.raw, escape))
      out.push({ ...r, start: w.start + r.start, end: w.start + r.end, inImage: w === stage.image });
  return out;
}

const fromUndeclaredArg: Rule = {
  id: 'from-undeclared-arg',
  buildkit: 'UndefinedArgInFrom',
  severity: 'error',
  summary: 'FROM uses a variable that is not an ARG declared before the first FROM, so it is always empty.',
  check(ctx) {
    const globals = globalArgDefaults(ctx.model);
    for (const stage of ctx.model.stages)
      for (const r of fromRefs(stage, ctx.model.file.escape)) {
        if (r.guarded || globals.has(r.name) || AUTOMATIC_PLATFORM_ARGS.has(r.name)) continue;
        ctx.report({
          message: `"${r.name}" is not declared: FROM can only use ARGs declared before the first FROM; add "ARG ${r.name}=<default>" at the top.`,
          ...argRange(stage.from, r),
          fixes: [{ title: `Declare ARG ${r.name} at the top`, edits: [{ start: ctx.model.stages[0].from.start, end: ctx.model.stages[0].from.start, newText: `ARG ${r.name}\n` }] }],
        });
      }
  },
};

const fromEmptyDefault: Rule = {
  id: 'from-empty-arg-default',
  buildkit: 'InvalidDefaultArgInFrom',
  severity: 'warning',
  summary: 'A global ARG used in FROM has no default, so the image name is empty or invalid unless --build-arg is given.',
  check(ctx) {
    const globals = globalArgDefaults(ctx.model);
    const esc = ctx.model.file.escape;
    for (const stage of ctx.model.stages) {
      if (!stage.image) continue;
      const refs = fromRefs(stage, esc).filter((r) => r.inImage && globals.has(r.name) && !r.guarded && !globals.get(r.name));
      if (!refs.length) continue;
      const image = expand(stage.image.raw.replace(/^["']|["']$/g, ''), esc, globals, (n) => AUTOMATIC_PLATFORM_ARGS.has(n));
      if (image === undefined) continue;
      if (image !== '' && !/(^[:@/])|([:@/]$)|\/[:@]|::/.test(image)) continue;
      const names = refs.map((r) => r.name).join(', ');
      ctx.report({
        message: `With the default of ${names}, the image name is "${image}", which is invalid; give the ARG a default value (ARG ${refs[0].name}=...).`,
        ...argRange(stage.from, stage.image),
      });
    }
  },
};

const STAGE_NAME = /^[a-z][a-z0-9\-_.]*$/;

const stageNameDuplicate: Rule = {
  id: 'stage-name-duplicate',
  buildkit: 'DuplicateStageName',
  severity: 'error',
  summary: 'Two stages with the same name.',
  check(ctx) {
    const seen = new Map<string, Stage>();
    for (const stage of ctx.model.stages) {
      if (!stage.name || !stage.nameWord) continue;
      const first = seen.get(stage.name);
      if (first)
        ctx.report({
          message: `Stage name "${stage.name}" is already used on line ${first.from.line + 1}; give this stage a different name.`,
          ...argRange(stage.from, stage.nameWord),
        });
      else seen.set(stage.name, stage);
    }
  },
};

const stageNameInvalid: Rule = {
  id: 'stage-name-invalid',
  buildkit: 'ReservedStageName',
  severity: 'error',
  summary: 'A stage name that is reserved (`scratch`, `context`) or not of the form `[a-z][a-z0-9-_.]*`.',
  check(ctx) {
    for (const stage of ctx.model.stages) {
      if (!stage.name || !stage.nameWord) continue;
      let message: string | undefined;
      if (stage.name === 'scratch' || stage.name === 'context')
        message = `"${stage.name}" is a reserved name and cannot name a stage; choose another name.`;
      else if (!STAGE_NAME.test(stage.name) && !variableRefs(stage.nameWord.raw, ctx.model.file.escape).length)
        message = `"${stage.nameWord.value}" is not a valid stage name; start with a letter and use only letters, digits, "-", "_" and ".".`;
      if (message) ctx.report({ message, ...argRange(stage.from, stage.nameWord) });
    }
  },
};

/** `--from=` values of COPY/ADD in a stage, with the stage the instruction is in. */
function copyFromFlags(model: Model): Array<{ ins: Instruction; stage: Stage; value: string; start: number; end: number }> {
  const out = [];
  for (const stage of model.stages)
    for (const ins of stage.body) {
      if (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') continue;
      for (const f of ins.flags) if (f.name === 'from' && f.value !== undefined) out.push({ ins, stage, value: f.value, start: f.start, end: f.end });
    }
  return out;
}

const copyFromUndefined: Rule = {
  id: 'copy-from-undefined-stage',
  severity: 'error',
  summary: '`COPY --from` names a stage that is not defined before it (a later stage, itself, or an index out of range).',
  check(ctx) {
    for (const ref of copyFromFlags(ctx.model)) {
      const v = ref.value.toLowerCase();
      let message: string | undefined;
      if (/^\d+$/.test(v)) {
        if (Number(v) >= ref.stage.index)
          message = `--from=${v} refers to stage ${v}, but only stages 0 to ${ref.stage.index - 1} come before this one; use an earlier stage.`;
      } else {
        const target = ctx.model.stageNamed(v);
        if (target && target.index >= ref.stage.index)
          message = target === ref.stage
            ? `--from=${ref.value} refers to the stage this COPY is in; copy from an earlier stage.`
            : `Stage "${ref.value}" is defined later (line ${target.from.line + 1}); a stage can only copy from stages above it.`;
      }
      if (message) ctx.report({ message, ...argRange(ref.ins, ref) });
    }
  },
};

const copyFromUnknown: Rule = {
  id: 'copy-from-unknown-name',
  severity: 'warning',
  summary: '`COPY --from` names neither a stage nor an obvious image, so the builder pulls an image by that name.',
  check(ctx) {
    for (const ref of copyFromFlags(ctx.model)) {
      const v = ref.value.toLowerCase();
      if (/^\d+$/.test(v) || ctx.model.stageNamed(v) || /[/:@.$]/.test(v)) continue;
      ctx.report({
        message: `"${ref.value}" is not a stage in this file, so the builder will pull the image ${ref.value}:latest; fix the stage name or write the image with a tag.`,
        ...argRange(ref.ins, ref),
      });
    }
  },
};

export const stageRules: Rule[] = [
  fromUntagged,
  fromLatest,
  fromUndeclaredArg,
  fromEmptyDefault,
  stageNameDuplicate,
  stageNameInvalid,
  copyFromUndefined,
  copyFromUnknown,
];
