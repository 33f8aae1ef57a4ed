// The parser against BuildKit's reading of the same text.

import * as assert from 'node:assert/strict';
import { parse } from '../../../src/dockerfile/parser';
import { shellCommands } from '../../../src/dockerfile/shell';
import { splitWords, variableRefs, keyValues } from '../../../src/dockerfile/words';

/** Instructions as `KEYWORD|logical args` for compact expectations. */
function shape(text: string): string[] {
  return parse(text).instructions.map((i) => `${i.keyword}|${i.args.text}`);
}

describe('dockerfile parser', () => {
  const CASES: Array<{ name: string; text: string; want: string[] }> = [
    { name: 'keywords are case-insensitive', text: 'from a\nrun x\n', want: ['FROM|a', 'RUN|x'] },
    { name: 'continuation joins lines, escape removed', text: 'RUN a \\\n  b\n', want: ['RUN|a   b'] },
    { name: 'spaces after the escape still continue', text: 'RUN a \\  \n b\n', want: ['RUN|a  b'] },
    { name: 'comment lines inside a continuation are dropped', text: 'RUN a \\\n# note \\\n b\n', want: ['RUN|a  b'] },
    { name: 'blank lines inside a continuation are dropped', text: 'RUN a \\\n\n b\n', want: ['RUN|a  b'] },
    { name: 'an escaped escape at the end does not continue (trailing-backslash)', text: 'ENV C x\\\\\nENV D y\n', want: ['ENV|C x\\\\', 'ENV|D y'] },
    { name: 'escape directive switches to backtick', text: '# escape=`\nRUN a `\n b\\\n', want: ['RUN|a  b\\'] },
    { name: 'CRLF line ends', text: 'FROM a\r\nRUN b \\\r\n c\r\n', want: ['FROM|a', 'RUN|b  c'] },
    { name: 'a UTF-8 BOM before the first instruction', text: '\ufeffFROM a\n', want: ['FROM|a'] },
    { name: 'leading whitespace and tabs', text: '  FROM\ta\n\tRUN b\n', want: ['FROM|a', 'RUN|b'] },
    { name: 'continuation at end of file', text: 'RUN a \\', want: ['RUN|a '] },
  ];
  for (const c of CASES) it(c.name, () => assert.deepEqual(shape(c.text), c.want));

  it('maps logical offsets back to the document across continuation lines', () => {
    const text = 'FROM a\nRUN echo \\\n    hello\n';
    const ins = parse(text).instructions[1];
    const at = ins.args.text.indexOf('hello');
    assert.equal(text.slice(ins.args.toDoc(at), ins.args.toDocEnd(at + 5)), 'hello');
    assert.deepEqual([ins.line, ins.endLine], [1, 2]);
  });

  // Spans are views (one line) or pieces with offset arrays (continued lines);
  // every character of the logical text, and of any slice of it, must come
  // from the same character of the document.
  const MAPPED = [
    'FROM a\nRUN echo one\n',
    'RUN a \\\n# note \\\n\n  b && c \\\r\n  d\n',
    'RUN\\\n  echo split keyword\n',
    'COPY --from=x \\\n  a \\\n  b /c/\nENV A=1 \\\n    B=2\n',
    '# escape=`\nRUN a `\n b `\n\n c\n',
  ];
  for (const text of MAPPED)
    it(`maps every logical offset to the same document character: ${JSON.stringify(text)}`, () => {
      const bad: string[] = [];
      const { instructions } = parse(text);
      assert.ok(instructions.length > 0);
      for (const ins of instructions) {
        const spans = [ins.args, ins.args.slice(1), ins.args.slice(2, ins.args.text.length - 1)];
        for (const span of spans)
          for (let i = 0; i < span.text.length; i++) if (text[span.toDoc(i)] !== span.text[i]) bad.push(`${ins.keyword}@${i}`);
        if (ins.args.text.length && ins.args.toDocEnd(ins.args.text.length) !== ins.args.toDoc(ins.args.text.length - 1) + 1) bad.push(`${ins.keyword} end`);
      }
      assert.deepEqual(bad, []);
    });

  it('reads parser directives only at the top', () => {
    const f = parse('# syntax=docker/dockerfile:1\n# check=skip=UndefinedVar\nFROM a\n# escape=`\n');
    assert.deepEqual(f.directives.map((d) => [d.name, d.value]), [['syntax', 'docker/dockerfile:1'], ['check', 'skip=UndefinedVar']]);
    assert.equal(f.escape, '\\');
    assert.deepEqual(f.comments.map((c) => c.text), ['escape=`']);
  });

  it('reads flags, and JSON form after flags', () => {
    const ins = parse('CMD --doit=true -- [ "a", "b" ]\nCOPY --chown=me:me --link a b\n').instructions;
    assert.deepEqual(ins[0].flags.map((f) => [f.name, f.value]), [['doit', 'true']]);
    assert.deepEqual(ins[0].json, ['a', 'b']);
    assert.deepEqual(ins[1].flags.map((f) => [f.name, f.value]), [['chown', 'me:me'], ['link', undefined]]);
    assert.deepEqual(ins[1].words.slice(ins[1].rest).map((w) => w.value), ['a', 'b']);
  });

  it('single-quoted "JSON" is shell form, as in BuildKit', () => {
    assert.equal(parse("CMD ['echo','x']\n").instructions[0].json, undefined);
    assert.deepEqual(parse('CMD ["abc 123", "\\u2665"]\n').instructions[0].json, ['abc 123', '♥']);
  });

  it('reads heredoc bodies, several per instruction, with <<- tab stripping', () => {
    const f = parse('FROM a\nCOPY <<one <<-"two" /dest/\nfirst\none\n\tsecond $X\n\ttwo\nRUN <<-END\n\tls\n\tEND\nCMD x\n');
    const [, copy, run, cmd] = f.instructions;
    assert.deepEqual(copy.heredocs.map((h) => [h.name, h.quoted, h.body.text]), [['one', false, 'first\n'], ['two', true, '\tsecond $X\n']]);
    assert.deepEqual(copy.heredocs.map((h) => h.terminated), [true, true]);
    assert.deepEqual([run.heredocs[0].stripTabs, run.heredocs[0].body.text], [true, '\tls\n']);
    assert.equal(cmd.keyword, 'CMD');
    assert.equal(f.problems.length, 0);
  });

  it('without <<- a tab-indented terminator does not end the heredoc', () => {
    const f = parse('FROM a\nRUN <<EOF\n\tEOF\n');
    assert.equal(f.instructions[1].heredocs[0].terminated, false);
    assert.deepEqual(f.problems.map((p) => p.rule), ['syntax-unterminated-heredoc']);
  });

  it('<<< is a here-string, not a heredoc', () => {
    const f = parse('FROM a\nRUN cat <<< "x"\nCMD y\n');
    assert.equal(f.instructions[1].heredocs.length, 0);
    assert.equal(f.instructions.length, 3);
  });
});

describe('dockerfile words', () => {
  it('splits with quotes and escapes', () => {
    assert.deepEqual(splitWords('a "b c" d\\ e \'f g\'h', '\\').map((w) => w.value), ['a', 'b c', 'd e', 'f gh']);
    assert.deepEqual(splitWords('a` b c', '`').map((w) => w.value), ['a b', 'c']);
  });

  it('finds the variable references the builder expands', () => {
    const refs = variableRefs('$A ${B} ${C:-x} \\$D \'$E\' "$F" $1', '\\');
    assert.deepEqual(refs.map((r) => [r.name, r.guarded]), [['A', false], ['B', false], ['C', true], ['F', false]]);
  });

  it('reads ENV pairs in both forms', () => {
    assert.deepEqual(keyValues(splitWords('A=1 B="x y"', '\\'), true).map((k) => [k.key, k.value]), [['A', '1'], ['B', 'x y']]);
    assert.deepEqual(keyValues(splitWords('GOPATH /go x', '\\'), true).map((k) => [k.key, k.value]), [['GOPATH', '/go x']]);
  });
});

describe('dockerfile shell reader', () => {
  it('splits commands on operators outside quotes and substitutions', () => {
    const cmds = shellCommands('A=1 apt-get update && echo "a && b" | tee $(x | y) ; if true; then sudo ls; fi');
    assert.deepEqual(
      cmds.map((c) => [c.nameAt === -1 ? '' : c.words[c.nameAt].value, c.sep]),
      [['apt-get', '&&'], ['echo', '|'], ['tee', ';'], ['true', ';'], ['sudo', ';'], ['', '']],
    );
  });

  it('skips redirections and comments', () => {
    const cmds = shellCommands('make 2>/dev/null >out # && rm -rf /\nls');
    assert.deepEqual(cmds.map((c) => c.words.map((w) => w.value)), [['make'], ['ls']]);
  });

  // Words are stored as offsets and unquoted on demand (see shell.ts): the
  // values, offsets and names must be what a one-object-per-word reader gave.
  const wordCases: Array<{ script: string; words: Array<[string, number, number]>; name: string; nameAt: number }> = [
    { script: 'echo "a b"\'c\' d\\ e', words: [['echo', 0, 4], ['a bc', 5, 13], ['d e', 14, 18]], name: 'echo', nameAt: 0 },
    { script: 'A=1 B="x y" make -j2', words: [['A=1', 0, 3], ['B=x y', 4, 11], ['make', 12, 16], ['-j2', 17, 20]], name: 'make', nameAt: 2 },
    { script: 'ap\\\nt-get', words: [['apt-get', 0, 9]], name: 'apt-get', nameAt: 0 },
    { script: 'then sudo "ls"', words: [['then', 0, 4], ['sudo', 5, 9], ['ls', 10, 14]], name: 'sudo', nameAt: 1 },
    { script: 'x=$(a "b c") y', words: [['x=$(a "b c")', 0, 12], ['y', 13, 14]], name: 'y', nameAt: 1 },
    { script: 'for f in a b', words: [['for', 0, 3], ['f', 4, 5], ['in', 6, 8], ['a', 9, 10], ['b', 11, 12]], name: '', nameAt: -1 },
    { script: 'V=1', words: [['V=1', 0, 3]], name: '', nameAt: -1 },
    { script: 'say "unterminated', words: [['say', 0, 3], ['unterminated', 4, 17]], name: 'say', nameAt: 0 },
    { script: 'echo "a\\"b\\\\" ünï🙈 x$y$(z)w', words: [['echo', 0, 4], ['a"b\\', 5, 13], ['ünï🙈', 14, 19], ['x$y$(z)w', 20, 28]], name: 'echo', nameAt: 0 },
    { script: 'a"b c"d\'e f\'g>out', words: [['ab cde fg', 0, 13]], name: 'ab cde fg', nameAt: 0 },
  ];
  for (const c of wordCases)
    it(`reads words, offsets and the name of ${JSON.stringify(c.script)}`, () => {
      const [cmd, ...more] = shellCommands(c.script);
      assert.equal(more.length, 0);
      assert.deepEqual(cmd.words.map((w) => [w.value, w.start, w.end]), c.words);
      assert.deepEqual([cmd.name, cmd.nameAt, cmd.wordCount], [c.name, c.nameAt, c.words.length]);
      assert.deepEqual(cmd.word(cmd.wordCount - 1), cmd.words[cmd.wordCount - 1]);
    });

  it('keeps every script\'s words intact across calls and shared-buffer changes', () => {
    const small = shellCommands('apt-get install -y curl');
    // One script longer than a buffer chunk, then many short ones that fill several chunks.
    const long = Array.from({ length: 40000 }, (_, i) => `w${i}`).join(' ') + ' && last';
    const first = shellCommands(long);
    const many = Array.from({ length: 8000 }, (_, i) => shellCommands(`echo ${i} a b c d e f g`));
    assert.equal(first[0].wordCount, 40000);
    assert.deepEqual([first[0].word(0).value, first[0].word(39999).value, first[1].name, first[1].word(0).start], ['w0', 'w39999', 'last', long.length - 4]);
    assert.deepEqual(small[0].words.map((w) => w.value), ['apt-get', 'install', '-y', 'curl']);
    assert.equal(many.filter((cmds, i) => cmds[0].word(1).value !== String(i) || cmds[0].word(8).value !== 'g').length, 0);
  });
});
