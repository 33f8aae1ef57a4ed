// Real-world Dockerfiles from ../shared/corpus/dockerfiles (read in place,
// never copied): official images and BuildKit's parser test files.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { lint } from '../../../src/dockerfile/lint';
import { parse } from '../../../src/dockerfile/parser';
import { cannotRun } from '../../harness/ci';
import { corpusDir } from './helpers';

const CORPUS = corpusDir();

/** Errors the parser itself raises: a file that builds must have none. */
const PARSE_ERRORS = new Set(['syntax-unknown-instruction', 'syntax-missing-arguments', 'syntax-unterminated-heredoc', 'syntax-invalid-directive', 'syntax-no-instructions']);

const files = CORPUS ? fs.readdirSync(CORPUS).sort() : [];
const read = (f: string) => fs.readFileSync(path.join(CORPUS, f), 'utf8');
const negative = (f: string) => f.includes('testfiles-negative');
const official = (f: string) => !f.startsWith('moby__');

describe('dockerfile corpus', () => {
  before(function () {
    if (!files.length) cannotRun(this, 'the Dockerfile corpus tests', 'the corpus (shared/corpus/dockerfiles beside the repository) is not there');
  });

  it('holds the expected kinds of files', () => {
    assert.ok(files.filter(official).length >= 50);
    assert.ok(files.some(negative));
  });

  it('lints every file without a rule throwing', () => {
    const broken: string[] = [];
    for (const f of files) lint(read(f), { onRuleError: (rule, err) => broken.push(`${f}: ${rule.id}: ${String(err)}`) });
    assert.deepEqual(broken, []);
  });

  it('raises no parse error on files that build (all but testfiles-negative)', () => {
    const wrong = files
      .filter((f) => !negative(f))
      .flatMap((f) => lint(read(f)).filter((d) => PARSE_ERRORS.has(d.rule)).map((d) => `${f}:${d.range.start.line + 1} ${d.rule}`));
    assert.deepEqual(wrong, []);
  });

  it('raises no error at all on the official-image Dockerfiles', () => {
    const wrong = files
      .filter(official)
      .flatMap((f) => lint(read(f)).filter((d) => d.severity === 'error').map((d) => `${f}:${d.range.start.line + 1} ${d.rule}: ${d.message}`));
    assert.deepEqual(wrong, []);
  });

  it('rejects every testfiles-negative file', () => {
    for (const f of files.filter(negative))
      assert.ok(lint(read(f)).some((d) => d.severity === 'error'), f);
  });

  it('finds the same instructions as dockerfile-ast, except where BuildKit reads differently', () => {
    for (const f of files) {
      const text = read(f);
      const ours = parse(text).instructions.map((i) => `${i.keyword}@${i.line}`);
      const theirs = DockerfileParser.parse(text).getInstructions().map((i) => `${i.getKeyword()}@${i.getRange().start.line}`);
      // dockerfile-ast continues `ENV C trailing\\backslash\\` onto the next line;
      // BuildKit does not (an escaped escape), and the test file says so.
      if (f.endsWith('testfiles__trailing-backslash__Dockerfile')) assert.deepEqual(ours.slice(0, 6), ['FROM@2', 'ENV@4', 'ENV@5', 'ENV@6', 'ENV@7', 'ENV@8'], f);
      else assert.deepEqual(ours, theirs, f);
    }
  });
});
