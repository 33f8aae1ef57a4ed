// Shell habits in RUN: cd, sudo, pipes without pipefail, and changes to a
// path after it was declared a VOLUME.

import type { Model, Script } from '../model';
import type { Instruction } from '../parser';
import type { Rule } from '../rule';
import { commandArgs, commandName, type SimpleCommand } from '../shell';
import { operands } from './locate';

/** Shell-form RUNs that go through a POSIX shell, with their parsed scripts. */
function posixRuns(model: Model, needle: string): Array<{ ins: Instruction; scripts: Script[] }> {
  const out: Array<{ ins: Instruction; scripts: Script[] }> = [];
  for (const stage of model.stages)
    for (const ins of stage.body)
      if (ins.keyword === 'RUN' && !ins.json && model.mentions(ins, needle) && stage.posixShellAt(ins)) out.push({ ins, scripts: model.scripts(ins) });
  return out;
}

function wordAt(script: Script, cmd: SimpleCommand, k: number) {
  const w = cmd.word(k);
  return { start: script.span.toDoc(w.start), end: script.span.toDocEnd(w.end) };
}

const runCd: Rule = {
  id: 'run-cd',
  severity: 'info',
  summary: 'A RUN that starts with `cd`: WORKDIR says the same thing once and for all later instructions.',
  check(ctx) {
    for (const { scripts } of posixRuns(ctx.model, 'cd')) {
      const script = scripts[0];
      if (!script) continue;
      // Skip a leading `set -eux`.
      const first = script.commands.find((c) => commandName(c) !== 'set');
      if (!first || commandName(first) !== 'cd' || first.sep === '|' || first.sep === '||') continue;
      const dir = commandArgs(first)[0]?.value;
      if (!dir || !dir.startsWith('/')) continue;
      ctx.report({
        message: `This RUN starts with "cd ${dir}"; if later instructions work there too, use "WORKDIR ${dir}" instead.`,
        ...wordAt(script, first, first.nameAt),
      });
    }
  },
};

const runSudo: Rule = {
  id: 'run-sudo',
  severity: 'warning',
  summary: '`sudo` in RUN: RUN already runs as the current USER, and sudo adds TTY and signal surprises.',
  check(ctx) {
    for (const { scripts } of posixRuns(ctx.model, 'sudo'))
      for (const script of scripts)
        for (const cmd of script.commands) {
          if (commandName(cmd) !== 'sudo') continue;
          const at = wordAt(script, cmd, cmd.nameAt);
          const next = cmd.nameAt + 1 < cmd.wordCount ? cmd.word(cmd.nameAt + 1) : undefined;
          const fixes =
            next && !next.value.startsWith('-')
              ? [{ title: 'Remove sudo', edits: [{ start: at.start, end: script.span.toDoc(next.start), newText: '' }] }]
              : undefined;
          ctx.report({
            message: '"sudo" in a RUN has unpredictable TTY and signal behaviour; run as root with USER root around this step (or drop sudo if already root).',
            ...at,
            fixes,
          });
        }
  },
};

// Left-hand sides that cannot fail in a way pipefail would catch.
const HARMLESS_PRODUCERS = new Set(['echo', 'printf', 'yes', 'true']);

function setsPipefail(cmd: SimpleCommand): boolean {
  const name = commandName(cmd);
  return (name === 'set' || name === 'shopt') && commandArgs(cmd).some((w) => w.value === 'pipefail' || /^-[a-z]*o?pipefail/.test(w.value));
}

/** SHELL ["/bin/bash", "-o", "pipefail", "-c"] in effect at this RUN. */
function shellHasPipefail(model: Model, ins: Instruction): boolean {
  return !!model.shellAt(ins)?.includes('pipefail');
}

const pipefail: Rule = {
  id: 'pipefail',
  severity: 'warning',
  summary: 'A pipe in RUN without `set -o pipefail`: a failure on the left of `|` is ignored and the build goes on.',
  check(ctx) {
    for (const { ins, scripts } of posixRuns(ctx.model, '|')) {
      if (shellHasPipefail(ctx.model, ins)) continue;
      let reported = false;
      for (const script of scripts) {
        if (reported) break;
        let armed = false;
        for (let k = 0; k < script.commands.length && !reported; k++) {
          const cmd = script.commands[k];
          if (setsPipefail(cmd)) armed = true;
          if (armed || cmd.sep !== '|' || HARMLESS_PRODUCERS.has(commandName(cmd)) || cmd.nameAt === -1) continue;
          reported = true;
          const at = wordAt(script, cmd, cmd.nameAt);
          const insertAt = script === scripts[0] ? script.span.toDoc(0) : undefined;
          ctx.report({
            message: `If "${commandName(cmd)}" fails, the pipe hides it and the build continues; start the RUN with "set -o pipefail &&" (or SHELL ["/bin/bash", "-o", "pipefail", "-c"]).`,
            ...at,
            fixes: insertAt === undefined ? undefined : [{ title: 'Prefix with set -o pipefail &&', edits: [{ start: insertAt, end: insertAt, newText: 'set -o pipefail && ' }] }],
          });
        }
      }
    }
  },
};

function volumePaths(ins: Instruction): string[] {
  const raw = ins.json ?? operands(ins).map((w) => w.value);
  return raw
    .filter((p) => p.startsWith('/') && !p.includes('$'))
    .map((p) => (p.length > 1 ? p.replace(/\/+$/, '') : p))
    .filter((p) => p !== '/');
}

/** Offset of `path` in `text` as a whole path (not a prefix of a longer name), or -1. */
function mentionOf(text: string, path: string): number {
  for (let i = text.indexOf(path); i !== -1; i = text.indexOf(path, i + 1)) {
    const before = i === 0 ? ' ' : text[i - 1];
    const after = text[i + path.length] ?? ' ';
    if (/[\s"'=:>(]/.test(before) && /[\s"'/;&|)*]/.test(after)) return i;
  }
  return -1;
}

const volumeModified: Rule = {
  id: 'volume-modified-after',
  severity: 'warning',
  summary: 'A RUN changes a path declared VOLUME earlier: the classic builder discards the change, BuildKit keeps it.',
  check(ctx) {
    for (const stage of ctx.model.stages) {
      const volumes: Array<{ path: string; line: number }> = [];
      for (const ins of stage.body) {
        if (ins.keyword === 'VOLUME') for (const path of volumePaths(ins)) volumes.push({ path, line: ins.line });
        if (ins.keyword !== 'RUN' || !volumes.length) continue;
        for (const v of volumes) {
          const spans = [ins.args, ...ins.heredocs.map((h) => h.body)];
          const hit = spans.map((span) => ({ span, at: mentionOf(span.text, v.path) })).find((h) => h.at !== -1);
          if (!hit) continue;
          ctx.report({
            message: `This RUN touches ${v.path}, declared a VOLUME on line ${v.line + 1}: the classic builder throws such changes away while BuildKit keeps them; make the change before the VOLUME line.`,
            start: hit.span.toDoc(hit.at),
            end: hit.span.toDocEnd(hit.at + v.path.length),
          });
          break;
        }
      }
    }
  },
};

export const runRules: Rule[] = [runCd, runSudo, pipefail, volumeModified];
