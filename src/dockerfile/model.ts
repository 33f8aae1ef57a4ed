// The build structure on top of the parsed instructions: global ARGs, stages
// (FROM ... AS name), which stage builds on which, and the shell each stage's
// RUN uses. Built once per lint; rules read it and never mutate it.

import type { Dockerfile, Instruction } from './parser';
import { shellCommands, type SimpleCommand } from './shell';
import type { Span } from './text';
import type { Word } from './words';

export interface Stage {
  index: number;
  from: Instruction;
  /** The image word (`debian:12`, `${BASE}`, `builder`), when present. */
  image?: Word;
  /** Lower-cased stage name from `AS name`. */
  name?: string;
  nameWord?: Word;
  /** Instructions after FROM, up to the next FROM. */
  body: Instruction[];
  /** Index of the earlier stage this one builds on (`FROM builder`). */
  parent?: number;
  /** RUN goes through a POSIX shell (false for Windows images and SHELL ["powershell", ...]). */
  posixShellAt(ins: Instruction): boolean;
}

export interface Model {
  file: Dockerfile;
  /** ARG instructions before the first FROM: the only ARGs FROM lines can use. */
  globalArgs: Instruction[];
  /** Instructions other than ARG before the first FROM (a build error). */
  beforeFrom: Instruction[];
  stages: Stage[];
  stageOf(ins: Instruction): Stage | undefined;
  /** The SHELL array in effect at an instruction; undefined for the image's default shell. */
  shellAt(ins: Instruction): string[] | undefined;
  /** The first stage with this name (case-insensitive). */
  stageNamed(name: string): Stage | undefined;
  /** Shell scripts a RUN executes: its shell-form text and heredoc bodies, parsed once. */
  scripts(ins: Instruction): Script[];
  /**
   * Cheap pre-test before `scripts`: whether the RUN's text or heredocs contain
   * `needle` at all. Shell parsing is the costliest step of a lint; most rules
   * only need it for RUNs that mention their command.
   */
  mentions(ins: Instruction, needle: string): boolean;
  /**
   * A value computed once per model and shared by rules (package commands,
   * ARG defaults, ...). Kept on the model rather than in WeakMaps: ephemeron
   * tables keyed by short-lived objects made garbage collection dominate.
   */
  memo<T>(key: string, compute: () => T): T;
}

export interface Script {
  span: Span;
  commands: SimpleCommand[];
}

const WINDOWS_IMAGE = /(^|\/)(windows|nanoserver|servercore|windowsservercore)([:/@-]|$)|mcr\.microsoft\.com\/windows/i;
const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', '/bin/sh', '/bin/bash']);
const NON_POSIX_SHELL = /(^|[\\/])(powershell|pwsh|cmd)(\.exe)?$/i;

export function buildModel(file: Dockerfile): Model {
  const globalArgs: Instruction[] = [];
  const beforeFrom: Instruction[] = [];
  const stages: Stage[] = [];
  // Per-instruction facts in arrays indexed by `Instruction.index` (Maps of
  // 3k entries cost more to fill than the lint's rules took to read them).
  const count = file.instructions.length;
  const stageIndex = new Array<Stage | undefined>(count);
  const scriptCache = new Array<Script[] | undefined>(count);
  // Lookups stay O(1): a fuzzed 1 MB file can hold 100k stages.
  const byName = new Map<string, Stage>();
  const memos = new Map<string, unknown>();

  for (const ins of file.instructions) {
    if (ins.keyword === 'FROM') {
      const args = ins.words.slice(ins.rest);
      const stage: Stage = {
        index: stages.length,
        from: ins,
        image: args[0],
        body: [],
        posixShellAt: () => true,
      };
      if (args.length >= 3 && args[1].value.toLowerCase() === 'as') {
        stage.name = args[2].value.toLowerCase();
        stage.nameWord = args[2];
      }
      if (stage.image) {
        const parent = byName.get(stage.image.value.toLowerCase());
        if (parent) stage.parent = parent.index;
      }
      if (stage.name && !byName.has(stage.name)) byName.set(stage.name, stage);
      stages.push(stage);
      stageIndex[ins.index] = stage;
    } else if (!stages.length) {
      (ins.keyword === 'ARG' ? globalArgs : beforeFrom).push(ins);
    } else {
      const stage = stages[stages.length - 1];
      stage.body.push(ins);
      stageIndex[ins.index] = stage;
    }
  }

  // The SHELL in effect at each instruction: inherited from the parent stage, changed by SHELL.
  const shellAtEnd: Array<string[] | undefined> = [];
  const posixAtEnd: boolean[] = [];
  const shellAt = new Array<string[] | undefined>(count);
  const posixAt = new Array<boolean | undefined>(count);
  for (const stage of stages) {
    let shell = stage.parent !== undefined ? shellAtEnd[stage.parent] : undefined;
    let posix = stage.parent !== undefined ? posixAtEnd[stage.parent] : !WINDOWS_IMAGE.test(stage.image?.value ?? '');
    for (const ins of stage.body) {
      shellAt[ins.index] = shell;
      posixAt[ins.index] = posix;
      if (ins.keyword === 'SHELL' && ins.json?.length) {
        shell = ins.json;
        posix = !NON_POSIX_SHELL.test(ins.json[0]);
      }
    }
    shellAtEnd[stage.index] = shell;
    posixAtEnd[stage.index] = posix;
    stage.posixShellAt = (ins) => posixAt[ins.index] ?? posix;
  }

  return {
    file,
    globalArgs,
    beforeFrom,
    stages,
    stageNamed: (name) => byName.get(name.toLowerCase()),
    shellAt: (ins) => shellAt[ins.index],
    stageOf: (ins) => stageIndex[ins.index],
    memo<T>(key: string, compute: () => T): T {
      if (!memos.has(key)) memos.set(key, compute());
      return memos.get(key) as T;
    },
    mentions(ins, needle) {
      if (ins.args.text.includes(needle)) return true;
      for (const h of ins.heredocs) if (h.body.text.includes(needle)) return true;
      return false;
    },
    scripts(ins) {
      let s = scriptCache[ins.index];
      if (s) return s;
      s = [];
      if (ins.keyword === 'RUN' && !ins.json) {
        const words = ins.words;
        const from = ins.rest < words.length ? words[ins.rest].start : ins.args.text.length;
        const span = ins.args.slice(from);
        const commands = shellCommands(span.text);
        s.push({ span, commands });
        // A heredoc body is a shell script only when a shell reads it (`RUN <<EOF`, `RUN bash <<EOF`),
        // not when it feeds another program (`RUN python3 <<EOF`).
        const shells = commands.every((c) => c.nameAt === -1 || SHELLS.has(c.name));
        if (shells) for (const h of ins.heredocs) s.push({ span: h.body, commands: shellCommands(h.body.text) });
      }
      scriptCache[ins.index] = s;
      return s;
    },
  };
}
