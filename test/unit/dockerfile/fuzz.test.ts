// Random and mutated Dockerfiles: lint must never throw, never hang (mocha's
// timeout catches that), and every range it returns must lie in the text.
// Seeded, so a failure reproduces.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lint } from '../../../src/dockerfile/lint';
import { LineIndex, type Position } from '../../../src/dockerfile/text';
import { cannotRun } from '../../harness/ci';
import { corpusDir } from './helpers';

const CORPUS = corpusDir();

/** mulberry32: small, seedable PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ['\\\n', '`\n', '<<EOF\n', 'EOF\n', '\n', '#', '"', "'", '$', '${', '}', '[', ']', '--from=', ' AS ', 'FROM ', 'RUN ', 'COPY ', 'ARG ', 'ENV ', '&&', '|', '\r', '\t', '\0', '\ud800', '# escape=`\n'];

function mutate(text: string, r: () => number, n: number): string {
  let t = text;
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * (t.length + 1));
    const op = r();
    if (op < 0.4) t = t.slice(0, at) + PIECES[Math.floor(r() * PIECES.length)] + t.slice(at);
    else if (op < 0.7) t = t.slice(0, at) + t.slice(at + 1 + Math.floor(r() * 20));
    else t = t.slice(0, at) + t.slice(Math.floor(r() * t.length), Math.floor(r() * t.length)) + t.slice(at);
  }
  return t;
}

function within(lines: LineIndex, p: Position): boolean {
  return p.line >= 0 && p.line < lines.lineCount && p.character >= 0 && lines.starts[p.line] + p.character <= lines.text.length;
}

function check(text: string, label: string): void {
  const errors: string[] = [];
  const diags = lint(text, { onRuleError: (rule, err) => errors.push(`${rule.id}: ${String(err)}`) });
  assert.deepEqual(errors, [], label);
  const lines = new LineIndex(text);
  for (const d of diags) {
    assert.ok(within(lines, d.range.start) && within(lines, d.range.end), `${label}: ${d.rule} range out of the text`);
    assert.ok(d.range.start.line < d.range.end.line || (d.range.start.line === d.range.end.line && d.range.start.character <= d.range.end.character), `${label}: ${d.rule} range reversed`);
    for (const f of d.fixes) for (const e of f.edits) assert.ok(within(lines, e.range.start) && within(lines, e.range.end), `${label}: ${d.rule} fix out of the text`);
  }
}

describe('dockerfile fuzz', () => {
  const corpus = CORPUS ? fs.readdirSync(CORPUS).map((f) => fs.readFileSync(path.join(CORPUS, f), 'utf8')) : [];

  it('edge inputs', () => {
    const cases: Record<string, string> = {
      empty: '',
      newline: '\n',
      'only escape': '\\',
      'only spaces': '   \t  ',
      'nul bytes': '\0\0FROM\0a\0\n',
      'lone surrogates': 'FROM \ud800a\nRUN \udc00\n',
      'CR line ends': 'FROM a\rRUN b\rCMD c\r',
      'UTF-16LE read as latin1': Buffer.from('FROM debian:12\nRUN echo hi\n', 'utf16le').toString('latin1'),
      'unterminated heredocs': 'FROM a\n' + 'RUN <<A <<B <<C\n'.repeat(1000),
      'heredoc marker without name': 'FROM a\nRUN <<\nRUN <<-\nCOPY <<"" /x\n',
      'unterminated quotes': 'FROM a\nENV A="x\nLABEL b=\'y\nRUN echo "a && b\n',
      'unterminated substitutions': 'FROM a\nWORKDIR ${A\nRUN echo $(x\nENV B=${C:-\n',
      'flags only': 'FROM --platform=x\nCOPY --from=\nRUN --mount=type=cache\n',
      'escape directive twice': '# escape=`\n# escape=\\\nFROM a\n',
      'json junk': 'FROM a\nCMD [\nCMD ]\nCMD [1, 2]\nCMD ["a", {}]\nSHELL []\n',
    };
    for (const [label, text] of Object.entries(cases)) check(text, label);
  });

  it('binary junk', () => {
    const r = rng(1);
    for (let i = 0; i < 200; i++) {
      const bytes = Buffer.alloc(Math.floor(r() * 2000));
      for (let k = 0; k < bytes.length; k++) bytes[k] = Math.floor(r() * 256);
      check(bytes.toString(i % 2 ? 'utf8' : 'latin1'), `junk #${i}`);
    }
  });

  it('mutated corpus files', function () {
    if (!corpus.length) cannotRun(this, 'the corpus fuzz test', 'the Dockerfile corpus (shared/corpus/dockerfiles beside the repository) is not there');
    const r = rng(2);
    for (let i = 0; i < 400; i++) check(mutate(corpus[i % corpus.length], r, 1 + Math.floor(r() * 30)), `mutation #${i}`);
  });

  it('1 MB files (256 KB for the many-stages/SHELL/ENV shapes)', () => {
    const mb = 1 << 20;
    check('FROM a\nRUN ' + 'apt-get install x | tee y && '.repeat(mb / 30) + 'true\n', 'huge RUN');
    check('FROM a\nRUN a \\\n' + '  b \\\n'.repeat(mb / 6) + '  c\n', 'deep continuation');
    check('FROM a\nRUN a \\\n' + '# c \\\n\n'.repeat(mb / 8), 'continuation of comments and blanks to EOF');
    check('FROM a AS s0\n' + Array.from({ length: mb / 160 }, (_, i) => `FROM s${i} AS s${i + 1}\nCOPY --from=s${i} /x /y\n`).join(''), 'many stages');
    check('FROM a\n' + 'SHELL ["/bin/bash", "-c"]\nRUN a | b\n'.repeat(mb / 160), 'alternating SHELL and RUN');
    check('FROM a\n' + 'RUN <<EOF\nx | y\nEOF\n'.repeat(mb / 20), 'many heredocs');
    check('FROM a\nENV ' + 'A=$A '.repeat(mb / 20) + '\n', 'one huge ENV');
    check('\\\n'.repeat(mb / 2), 'only continuations');
    if (corpus.length) check(corpus.join('\n').repeat(2), 'corpus twice');
  });
});
