// Syntax problems: what the builder itself rejects or warns about while parsing.

import type { Rule, RuleContext } from '../rule';
import { argRange, keywordRange, operands } from './locate';

/** A rule that reports the parser's own problems with this id. */
function parserRule(id: string, severity: Rule['severity'], summary: string, buildkit?: string): Rule {
  return {
    id,
    severity,
    summary,
    buildkit,
    check(ctx: RuleContext) {
      for (const p of ctx.model.file.problems) if (p.rule === id) ctx.report({ message: p.message, start: p.start, end: p.end });
    },
  };
}

const noInstructions: Rule = {
  id: 'syntax-no-instructions',
  severity: 'error',
  summary: 'The file has no instructions, so there is nothing to build.',
  check(ctx) {
    const { file } = ctx.model;
    if (file.instructions.length) return;
    ctx.report({ message: 'This Dockerfile has no instructions; add at least a FROM line.', start: 0, end: file.lines.lineEnd(0) });
  },
};

const beforeFrom: Rule = {
  id: 'instruction-before-from',
  severity: 'error',
  summary: 'Only ARG may come before the first FROM.',
  check(ctx) {
    for (const ins of ctx.model.beforeFrom) {
      if (!ins.keyword || ins.keyword === 'FROM') continue;
      ctx.report({
        message: `${ins.keyword} comes before the first FROM, which the builder rejects; move it after a FROM line.`,
        ...keywordRange(ins),
      });
    }
  },
};

const fromShape: Rule = {
  id: 'syntax-from-invalid',
  severity: 'error',
  summary: 'FROM takes an image and optionally `AS name`, nothing else.',
  check(ctx) {
    for (const stage of ctx.model.stages) {
      const ops = operands(stage.from);
      if (ops.length === 1 || (ops.length === 3 && ops[1].value.toLowerCase() === 'as') || ops.length === 0) continue;
      const extra = ops[1];
      ctx.report({
        message: 'FROM takes an image and optionally "AS name"; remove the extra words or add AS.',
        ...argRange(stage.from, { start: extra.start, end: ops[ops.length - 1].end }),
      });
    }
  },
};

const emptyContinuation: Rule = {
  id: 'syntax-empty-continuation',
  buildkit: 'NoEmptyContinuation',
  severity: 'warning',
  summary: 'A blank line inside a continued instruction (BuildKit will make this an error).',
  check(ctx) {
    const { text } = ctx.model.file;
    for (const ins of ctx.model.file.instructions) {
      for (const at of ins.emptyContinuationLines) {
        let end = text.indexOf('\n', at);
        end = end === -1 ? text.length : end + 1;
        ctx.report({
          message: 'Blank line inside a continued instruction; remove it (a future BuildKit rejects it).',
          start: at,
          end: Math.max(at, end - 1),
          fixes: [{ title: 'Remove the blank line', edits: [{ start: at, end, newText: '' }] }],
        });
      }
    }
  },
};

const EXEC_FORM_CAPABLE = new Set(['CMD', 'ENTRYPOINT', 'RUN', 'SHELL', 'COPY', 'ADD', 'VOLUME']);

const jsonInvalid: Rule = {
  id: 'json-form-invalid',
  severity: 'warning',
  summary: 'Arguments that look like a JSON array but are not valid JSON run as a shell command.',
  check(ctx) {
    for (const ins of ctx.model.file.instructions) {
      if (ins.json || !EXEC_FORM_CAPABLE.has(ins.keyword)) continue;
      const ops = operands(ins);
      if (!ops.length || !ops[0].raw.startsWith('[')) continue;
      const from = ops[0].start;
      const to = ins.args.text.trimEnd().length;
      if (!ins.args.text.slice(from, to).endsWith(']')) continue;
      const raw = ins.args.text.slice(from, to);
      const fixed = raw.replace(/'/g, '"');
      let fixes;
      try {
        if (raw.includes("'") && Array.isArray(JSON.parse(fixed))) {
          fixes = [{ title: 'Use double quotes', edits: [{ ...argRange(ins, { start: from, end: to }), newText: fixed }] }];
        }
      } catch {
        fixes = undefined;
      }
      ctx.report({
        message: `These ${ins.keyword} arguments are not valid JSON (strings need double quotes), so they run as a shell command; fix the JSON.`,
        ...argRange(ins, { start: from, end: to }),
        fixes,
      });
    }
  },
};

export const syntaxRules: Rule[] = [
  parserRule('syntax-unknown-instruction', 'error', 'An instruction the builder does not know (often a typo or a missing line continuation).'),
  parserRule('syntax-missing-arguments', 'error', 'An instruction without the arguments it needs.'),
  parserRule('syntax-unterminated-heredoc', 'error', 'A heredoc (`<<EOF`) whose terminator line never comes.'),
  parserRule('syntax-invalid-directive', 'error', 'A parser directive with a value the builder rejects.'),
  noInstructions,
  beforeFrom,
  fromShape,
  emptyContinuation,
  jsonInvalid,
];

