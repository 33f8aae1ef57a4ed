import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { shellQuote, shellQuoteWord } from '../../../src/ssh/quote';

/** Runs the quoted command in a real POSIX shell and returns the argv it saw. */
function argvSeenByShell(words: string[]): string[] {
  const cmd = shellQuote(['printf', '%s\\0', ...words]);
  const r = spawnSync('/bin/sh', ['-c', cmd], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\0').slice(0, -1);
}

describe('shellQuote (regression: injection through remote commands)', () => {
  const words: { title: string; word: string }[] = [
    { title: 'plain word', word: 'hello' },
    { title: 'empty string', word: '' },
    { title: 'spaces', word: 'two words  and tabs\there' },
    { title: 'single quotes', word: "it's 'quoted'" },
    { title: 'double quotes', word: 'say "hi"' },
    { title: 'command substitution', word: '$(touch /tmp/slipway-pwned)' },
    { title: 'backticks', word: '`touch /tmp/slipway-pwned`' },
    { title: 'variables', word: '$HOME ${PATH} $0 $@' },
    { title: 'separators', word: 'a; rm -rf / && b || c | d & e' },
    { title: 'redirections', word: '> /tmp/x < /etc/passwd 2>&1' },
    { title: 'newlines', word: 'line1\nline2\r\n' },
    { title: 'globs', word: '* ? [a-z] ~' },
    { title: 'backslashes', word: '\\ \\n \\\\' },
    { title: 'unicode', word: 'héllo wörld ✓ 日本 🚢' },
    { title: 'leading dash', word: '-rf' },
    { title: 'lone quote', word: "'" },
    { title: 'comment', word: '# not a comment' },
  ];
  for (const w of words) it(`round-trips ${w.title}`, () => assert.deepEqual(argvSeenByShell([w.word]), [w.word]));

  it('round-trips all of them in one command, with no side effects', () => {
    const all = words.map((w) => w.word);
    assert.deepEqual(argvSeenByShell(all), all);
    assert.equal(spawnSync('test', ['-e', '/tmp/slipway-pwned']).status, 1);
  });

  it('leaves safe words readable and quotes the rest', () => {
    assert.equal(shellQuote(['docker', 'run', '--rm', '-p', '127.0.0.1:8080:80', 'img:1']), 'docker run --rm -p 127.0.0.1:8080:80 img:1');
    assert.equal(shellQuoteWord("a'b"), `'a'\\''b'`);
    assert.equal(shellQuoteWord('a b'), "'a b'");
  });

  it('refuses NUL bytes and an empty argv', () => {
    assert.throws(() => shellQuote(['a\0b']), /NUL byte/);
    assert.throws(() => shellQuote([]), /at least the program name/);
  });
});
