// Package managers in RUN: apt-get/apt and apk habits that make images stale,
// large, or builds hang.

import type { Model, Script, Stage } from '../model';
import type { Instruction } from '../parser';
import type { Rule } from '../rule';
import { commandArgs, commandName, type ShellWord, type SimpleCommand } from '../shell';

interface PackageCommand {
  ins: Instruction;
  script: Script;
  cmd: SimpleCommand;
  index: number;
  /** `apt-get`, `apt` or `apk`. */
  tool: string;
  /** First non-option argument: `install`, `update`, `add`, ... */
  sub?: ShellWord;
  args: ShellWord[];
}

// apt-get options that take a value as the next word.
const APT_VALUE_OPTIONS = new Set(['-o', '-c', '-t', '--option', '--config-file', '--target-release', '--default-release']);

function packageCommands(model: Model, ins: Instruction): PackageCommand[] {
  const stage = model.stageOf(ins);
  if (!stage || !(model.mentions(ins, 'apt') || model.mentions(ins, 'apk')) || !stage.posixShellAt(ins)) return [];
  const out: PackageCommand[] = [];
  for (const script of model.scripts(ins))
    script.commands.forEach((cmd, index) => {
      let name = commandName(cmd);
      // Most commands are neither: read their arguments only for these.
      if (name !== 'apt-get' && name !== 'apt' && name !== 'apk' && name !== 'sudo') return;
      let args = commandArgs(cmd);
      if (name === 'sudo' && args.length) {
        name = args[0].value;
        args = args.slice(1);
      }
      if (name !== 'apt-get' && name !== 'apt' && name !== 'apk') return;
      let sub: ShellWord | undefined;
      for (let k = 0; k < args.length; k++) {
        if (APT_VALUE_OPTIONS.has(args[k].value)) k++;
        else if (!args[k].value.startsWith('-')) {
          sub = args[k];
          break;
        }
      }
      out.push({ ins, script, cmd, index, tool: name, sub, args });
    });
  return out;
}

type Run = { ins: Instruction; stage: Stage; pkgs: PackageCommand[] };
// Six rules read the same package commands; find them once per model.
function runs(model: Model): Run[] {
  return model.memo('package-runs', () => findRuns(model));
}

function findRuns(model: Model): Run[] {
  const out: Run[] = [];
  for (const stage of model.stages)
    for (const ins of stage.body) if (ins.keyword === 'RUN') out.push({ ins, stage, pkgs: packageCommands(model, ins) });
  return out;
}

function docRange(p: PackageCommand, w: ShellWord) {
  return { start: p.script.span.toDoc(w.start), end: p.script.span.toDocEnd(w.end) };
}

function hasWord(p: PackageCommand, test: (v: string) => boolean): boolean {
  return p.args.some((w) => test(w.value));
}

/** `apt-get install` is fed by `yes |`. */
function pipedFromYes(p: PackageCommand): boolean {
  const prev = p.script.commands[p.index - 1];
  return !!prev && prev.sep === '|' && commandName(prev) === 'yes';
}

/** RUN --mount=type=cache,target=<dir> covering `dir`. */
function cacheMounted(ins: Instruction, dir: string): boolean {
  return ins.flags.some((f) => f.name === 'mount' && f.value !== undefined && /type=cache/.test(f.value) && f.value.includes(dir));
}

// Options that only print what would happen, so nothing asks for confirmation.
const SIMULATE = new Set(['-s', '--simulate', '--dry-run', '--just-print', '--no-act', '--recon', '--print-uris']);
const INSTALLISH = new Set(['install', 'upgrade', 'dist-upgrade', 'full-upgrade', 'build-dep', 'source', 'reinstall']);

const aptUpdateAlone: Rule = {
  id: 'apt-update-alone',
  severity: 'warning',
  summary: '`apt-get update` in a RUN without an install: later RUNs reuse a stale cached package index.',
  check(ctx) {
    for (const { pkgs } of runs(ctx.model)) {
      const apt = pkgs.filter((p) => p.tool !== 'apk');
      const update = apt.find((p) => p.sub?.value === 'update');
      if (!update || apt.some((p) => p.sub && INSTALLISH.has(p.sub.value))) continue;
      ctx.report({
        message: '"apt-get update" without an install in the same RUN leaves a cached, stale package index for later layers; install in this same RUN ("apt-get update && apt-get install ...").',
        ...docRange(update, update.sub!),
      });
    }
  },
};

const aptInstallYes: Rule = {
  id: 'apt-install-yes',
  severity: 'error',
  summary: '`apt-get install` without `-y`: the build stops at the confirmation prompt.',
  check(ctx) {
    for (const { pkgs } of runs(ctx.model))
      for (const p of pkgs) {
        if (p.tool === 'apk' || !p.sub || !INSTALLISH.has(p.sub.value) || p.sub.value === 'source') continue;
        if (hasWord(p, (v) => SIMULATE.has(v))) continue;
        if (hasWord(p, (v) => v === '--yes' || v === '--assume-yes' || /^-[a-zA-Z]*y[a-zA-Z]*$/.test(v) || /^-[a-zA-Z]*qq/.test(v) || v === '-q=2') || pipedFromYes(p)) continue;
        const at = docRange(p, p.sub);
        ctx.report({
          message: `"${p.tool} ${p.sub.value}" without -y waits for a confirmation nobody can give and the build fails; add -y.`,
          ...at,
          fixes: [{ title: 'Add -y', edits: [{ start: at.end, end: at.end, newText: ' -y' }] }],
        });
      }
  },
};

const aptNoRecommends: Rule = {
  id: 'apt-no-install-recommends',
  severity: 'info',
  summary: '`apt-get install` without `--no-install-recommends` pulls in packages you did not ask for.',
  check(ctx) {
    // A stage that configures APT::Install-Recommends itself has made the choice
    // for the RUNs after that: the index of the first such RUN per stage.
    const configuredAt = new Map<number, number>();
    for (const { ins, stage } of runs(ctx.model))
      if (!configuredAt.has(stage.index) && /Install-Recommends/i.test(ins.args.text)) configuredAt.set(stage.index, ins.index);
    for (const { ins, stage, pkgs } of runs(ctx.model)) {
      if ((configuredAt.get(stage.index) ?? Infinity) < ins.index) continue;
      for (const p of pkgs) {
        if (p.tool === 'apk' || p.sub?.value !== 'install') continue;
        if (hasWord(p, (v) => v === '--no-install-recommends' || /Install-Recommends=(false|0|no)/i.test(v))) continue;
        const at = docRange(p, p.sub);
        ctx.report({
          message: `"${p.tool} install" without --no-install-recommends also installs recommended packages, making the image larger; add --no-install-recommends.`,
          ...at,
          fixes: [{ title: 'Add --no-install-recommends', edits: [{ start: at.end, end: at.end, newText: ' --no-install-recommends' }] }],
        });
      }
    }
  },
};

/** Stages whose contents end up in the image: not only copied from with COPY --from. */
function shippedStages(model: Model): Set<number> {
  const copiedFrom = new Set<number>();
  const builtOn = new Set<number>();
  for (const s of model.stages) if (s.parent !== undefined) builtOn.add(s.parent);
  for (const s of model.stages)
    for (const ins of s.body)
      for (const f of ins.flags)
        if (f.name === 'from' && f.value !== undefined) {
          const t = /^\d+$/.test(f.value) ? model.stages[Number(f.value)] : model.stageNamed(f.value);
          if (t) copiedFrom.add(t.index);
        }
  const out = new Set<number>();
  for (const s of model.stages) if (s.index === model.stages.length - 1 || builtOn.has(s.index) || !copiedFrom.has(s.index)) out.add(s.index);
  return out;
}

/** `rm -rf /var/lib/apt/lists/*`, or apt 3's `apt-get dist-clean`, which removes them too. */
function removesAptLists(model: Model, ins: Instruction): boolean {
  return model.scripts(ins).some((s) =>
    s.commands.some((c) => {
      const name = commandName(c);
      if (name === 'rm') return commandArgs(c).some((w) => w.value.startsWith('/var/lib/apt/lists'));
      return (name === 'apt-get' || name === 'apt') && commandArgs(c).some((w) => w.value === 'dist-clean');
    }),
  );
}

const aptListsNotCleaned: Rule = {
  id: 'apt-lists-not-cleaned',
  severity: 'info',
  summary: '`apt-get install` without removing `/var/lib/apt/lists/*` in the same RUN keeps the package index in the layer.',
  check(ctx) {
    const shipped = shippedStages(ctx.model);
    for (const { ins, stage, pkgs } of runs(ctx.model)) {
      if (!shipped.has(stage.index) || ins.json) continue;
      const install = pkgs.find((p) => p.tool !== 'apk' && p.sub?.value === 'install');
      if (!install || removesAptLists(ctx.model, ins) || cacheMounted(ins, '/var/lib/apt')) continue;
      const fixes = ins.heredocs.length
        ? undefined
        : [{ title: 'Append && rm -rf /var/lib/apt/lists/*', edits: [{ start: ins.end, end: ins.end, newText: ' \\\n    && rm -rf /var/lib/apt/lists/*' }] }];
      if (fixes && ctx.model.file.escape !== '\\') fixes[0].edits[0].newText = ` ${ctx.model.file.escape}\n    && rm -rf /var/lib/apt/lists/*`;
      ctx.report({
        message: 'The apt package lists stay in this layer; end the same RUN with "rm -rf /var/lib/apt/lists/*".',
        ...docRange(install, install.sub!),
        fixes,
      });
    }
  },
};

const aptNotAptGet: Rule = {
  id: 'apt-not-apt-get',
  severity: 'warning',
  summary: '`apt` in a RUN: its command line is meant for people and is not stable for scripts; use `apt-get`.',
  check(ctx) {
    for (const { pkgs } of runs(ctx.model))
      for (const p of pkgs) {
        if (p.tool !== 'apt') continue;
        const nameWord = p.cmd.word(p.cmd.name === 'apt' ? p.cmd.nameAt : p.cmd.nameAt + 1);
        const at = docRange(p, nameWord);
        ctx.report({
          message: '"apt" is for interactive use and warns that its CLI is not stable in scripts; use "apt-get".',
          ...at,
          fixes: [{ title: 'Use apt-get', edits: [{ ...at, newText: 'apt-get' }] }],
        });
      }
  },
};

const apkNoCache: Rule = {
  id: 'apk-no-cache',
  severity: 'info',
  summary: '`apk add` without `--no-cache` keeps the package index in the layer.',
  check(ctx) {
    for (const { ins, pkgs } of runs(ctx.model)) {
      if (!pkgs.some((p) => p.tool === 'apk') || cacheMounted(ins, '/var/cache/apk') || cacheMounted(ins, '/etc/apk/cache')) continue;
      const cleans = ctx.model.scripts(ins).some((s) => s.commands.some((c) => commandName(c) === 'rm' && commandArgs(c).some((w) => w.value.startsWith('/var/cache/apk'))));
      if (cleans) continue;
      for (const p of pkgs) {
        if (p.tool !== 'apk' || p.sub?.value !== 'add' || hasWord(p, (v) => v === '--no-cache' || v === '--no-network')) continue;
        const at = docRange(p, p.sub);
        ctx.report({
          message: '"apk add" without --no-cache leaves the package index in the image; add --no-cache.',
          ...at,
          fixes: [{ title: 'Add --no-cache', edits: [{ start: at.end, end: at.end, newText: ' --no-cache' }] }],
        });
      }
    }
  },
};

export const packageRules: Rule[] = [aptUpdateAlone, aptInstallYes, aptNoRecommends, aptListsNotCleaned, aptNotAptGet, apkNoCache];
