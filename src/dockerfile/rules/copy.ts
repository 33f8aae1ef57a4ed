// COPY and ADD: sources outside the context or excluded by .dockerignore,
// ADD where COPY would do, and several sources into a non-directory.

import * as path from 'node:path';
import type { Instruction } from '../parser';
import type { Rule } from '../rule';
import { argRange, keywordRange, operands } from './locate';

interface Source {
  value: string;
  start: number;
  end: number;
}

/** Sources and destination of a COPY/ADD (exec or shell form); heredoc sources included. */
export function copyOperands(ins: Instruction): { sources: Source[]; dest?: Source; json: boolean } {
  const ops = operands(ins);
  if (ins.json) {
    const whole = ops.length ? { start: ops[0].start, end: ops[ops.length - 1].end } : { start: 0, end: 0 };
    const items = ins.json.map((value) => ({ value, ...whole }));
    return { sources: items.slice(0, -1), dest: items[items.length - 1], json: true };
  }
  const items = ops.map((w) => ({ value: w.value, start: w.start, end: w.end }));
  return { sources: items.slice(0, -1), dest: items[items.length - 1], json: false };
}

function isRemote(v: string): boolean {
  return /^(https?|git|ssh):\/\//i.test(v) || /^git@/.test(v);
}

function isLocalCopy(ins: Instruction): boolean {
  return (ins.keyword === 'COPY' || ins.keyword === 'ADD') && !ins.flags.some((f) => f.name === 'from');
}

/** A source as a context-relative path (`/src` and `src` are the same), or undefined for heredocs, URLs and variables. */
function contextPath(v: string): string | undefined {
  if (!v || v.startsWith('<<') || isRemote(v) || v.includes('$')) return undefined;
  return path.posix.normalize(v.replace(/\\/g, '/').replace(/^\/+/, '') || '.');
}

const outsideContext: Rule = {
  id: 'copy-outside-context',
  severity: 'error',
  summary: 'A COPY/ADD source that points outside the build context (`../`): the builder cannot reach it.',
  check(ctx) {
    for (const ins of ctx.model.file.instructions) {
      if (!isLocalCopy(ins)) continue;
      for (const s of copyOperands(ins).sources) {
        const p = contextPath(s.value);
        if (!p || !(p === '..' || p.startsWith('../'))) continue;
        ctx.report({
          message: `"${s.value}" is outside the build context, which the builder cannot read; move the file into the context or build from a parent directory.`,
          ...argRange(ins, s),
        });
      }
    }
  },
};

const ignoredSource: Rule = {
  id: 'copy-ignored-source',
  severity: 'warning',
  summary: 'A COPY/ADD source excluded by .dockerignore, so it is not in the build context.',
  check(ctx) {
    const ignored = ctx.isIgnored;
    if (!ignored) return;
    for (const ins of ctx.model.file.instructions) {
      if (!isLocalCopy(ins)) continue;
      for (const s of copyOperands(ins).sources) {
        const p = contextPath(s.value);
        if (!p || p === '.' || p.startsWith('..') || /[*?[]/.test(p) || !ignored(p)) continue;
        ctx.report({
          message: `"${s.value}" is excluded by .dockerignore, so the build will not find it; remove it from .dockerignore (or add a !${p} exception) or stop copying it.`,
          ...argRange(ins, s),
        });
      }
    }
  },
};

const ARCHIVE = /\.(tar|tgz|tbz2?|txz|tzst|tar\.(gz|bz2|xz|zst|lz|lzma|z))$|\.(gz|bz2|xz|zst)$/i;
// ADD flags that COPY does not have.
const ADD_ONLY_FLAGS = new Set(['checksum', 'keep-git-dir', 'unpack']);

const addInsteadOfCopy: Rule = {
  id: 'add-instead-of-copy',
  severity: 'warning',
  summary: 'ADD of plain local files: COPY does the same without ADD\'s surprises (URL fetching, archive extraction).',
  check(ctx) {
    for (const ins of ctx.model.file.instructions) {
      if (ins.keyword !== 'ADD' || ins.flags.some((f) => ADD_ONLY_FLAGS.has(f.name))) continue;
      const { sources } = copyOperands(ins);
      if (!sources.length || sources.some((s) => isRemote(s.value) || ARCHIVE.test(s.value) || s.value.includes('$') || s.value.startsWith('<<'))) continue;
      ctx.report({
        message: 'ADD copies local files like COPY but also fetches URLs and unpacks archives; use COPY to say exactly what happens.',
        ...keywordRange(ins),
        fixes: [{ title: 'Replace ADD with COPY', edits: [{ ...keywordRange(ins), newText: 'COPY' }] }],
      });
    }
  },
};

const multiSourceDest: Rule = {
  id: 'copy-multi-source-dest',
  severity: 'error',
  summary: 'COPY/ADD with several sources into a destination without a trailing `/`: the builder rejects it.',
  check(ctx) {
    for (const ins of ctx.model.file.instructions) {
      if (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') continue;
      const { sources, dest, json } = copyOperands(ins);
      if (sources.length < 2 || !dest || dest.value.endsWith('/') || dest.value.includes('$')) continue;
      // Windows-style destinations end with a backslash.
      if (dest.value.endsWith('\\')) continue;
      const at = argRange(ins, dest);
      ctx.report({
        message: `With ${sources.length} sources the destination must be a directory ending in "/"; write "${dest.value}/".`,
        ...at,
        fixes: json ? undefined : [{ title: `Use ${dest.value}/`, edits: [{ start: at.end, end: at.end, newText: '/' }] }],
      });
    }
  },
};

const quotedSpace: Rule = {
  id: 'copy-quoted-space',
  severity: 'error',
  summary: 'A quoted (or escaped) COPY/ADD path with spaces in the shell form: the builder splits it at the spaces anyway and fails.',
  check(ctx) {
    for (const ins of ctx.model.file.instructions) {
      if ((ins.keyword !== 'COPY' && ins.keyword !== 'ADD') || ins.json || ins.heredocs.length) continue;
      const ops = operands(ins);
      // Our word splitter keeps quoted or escaped whitespace inside a word; the builder does not.
      const bad = ops.find((w) => /\s/.test(w.value));
      if (!bad || ops.length < 2) continue;
      const all = argRange(ins, { start: ops[0].start, end: ops[ops.length - 1].end });
      ctx.report({
        message: `${ins.keyword} splits its shell-form arguments at whitespace, quoted or escaped, so ${bad.raw} is read as several paths and the build fails; write paths with spaces in the JSON form: ${ins.keyword} ["…", "…"].`,
        ...argRange(ins, bad),
        fixes: [{ title: 'Convert to the JSON form', edits: [{ ...all, newText: `[${ops.map((w) => JSON.stringify(w.value)).join(', ')}]` }] }],
      });
    }
  },
};

export const copyRules: Rule[] = [outsideContext, ignoredSource, addInsteadOfCopy, multiSourceDest, quotedSpace];
