// What authors turn off in the file, and the .dockerignore matcher.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkConfig } from '../../../src/dockerfile/config';
import { dockerignoreMatcher, readDockerignore } from '../../../src/dockerfile/dockerignore';
import { lint } from '../../../src/dockerfile/lint';

const rules = (text: string) => lint(text).map((d) => d.rule);

describe('dockerfile suppressions', () => {
  const CASES: Array<[string, string, string[]]> = [
    ['nothing suppressed', 'FROM debian\nCMD run x\n', ['from-untagged', 'cmd-shell-form']],
    ['check=skip with a BuildKit name', '# check=skip=JSONArgsRecommended\nFROM debian\nCMD run x\n', ['from-untagged']],
    ['check=skip with our ids and other options', '# check=skip=from-untagged,cmd-shell-form;error=true\nFROM debian\nCMD run x\n', []],
    ['check=skip=all', '# check=skip=all\nFROM debian\nCMD run x\n', []],
    ['check after an instruction is a plain comment', 'FROM debian\n# check=skip=all\nCMD run x\n', ['from-untagged', 'cmd-shell-form']],
    ['slipway-ignore one rule, next instruction only', '# slipway-ignore from-untagged\nFROM debian\nFROM ubuntu\n', ['from-untagged']],
    ['slipway-ignore without ids ignores all rules', 'FROM debian:12\n# slipway-ignore\nCMD run x\n', []],
    ['slipway-ignore covers the whole continued instruction', 'FROM a:1\n# slipway-ignore apt-install-yes\nRUN apt-get update \\\n  && apt-get install --no-install-recommends x \\\n  && rm -rf /var/lib/apt/lists/*\n', []],
    ['slipway-ignore for another rule changes nothing', '# slipway-ignore pipefail\nFROM debian\n', ['from-untagged']],
  ];
  for (const [name, text, want] of CASES) it(name, () => assert.deepEqual(rules(text), want));

  it('config severities and off', () => {
    const { config, problems } = checkConfig({ rules: { 'from-untagged': 'error', JSONArgsRecommended: 'off' } });
    assert.deepEqual(problems, []);
    assert.deepEqual(lint('FROM debian\nCMD run x\n', { config }).map((d) => [d.rule, d.severity]), [['from-untagged', 'error']]);
  });

  it('config problems are all reported with their keys', () => {
    assert.deepEqual(checkConfig({ rules: { x: 'off', pipefail: 1 } }).problems.length, 2);
    assert.deepEqual(checkConfig([]).problems.length, 1);
    assert.deepEqual(checkConfig(undefined), { config: {}, problems: [] });
  });
});

describe('dockerignore', () => {
  it('matches like Docker: globs, ** and ! exceptions, parents', () => {
    const ignored = dockerignoreMatcher('# comment\nnode_modules\n*.log\n!keep.log\ndocs/**/*.md\n/build\n');
    const table: Array<[string, boolean]> = [
      ['node_modules', true],
      ['node_modules/x/y.js', true],
      ['a.log', true],
      ['keep.log', false],
      ['docs/a/b/c.md', true],
      ['docs/a.txt', false],
      ['build/out', true],
      ['src/index.ts', false],
    ];
    for (const [p, want] of table) assert.equal(ignored(p), want, p);
  });

  it('prefers <Dockerfile>.dockerignore over the context .dockerignore', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-ignore-'));
    try {
      fs.writeFileSync(path.join(dir, '.dockerignore'), 'a\n');
      fs.writeFileSync(path.join(dir, 'api.Dockerfile.dockerignore'), 'b\n');
      const own = readDockerignore(path.join(dir, 'api.Dockerfile'))!;
      assert.deepEqual([own('a'), own('b')], [false, true]);
      const ctx = readDockerignore(path.join(dir, 'Dockerfile'))!;
      assert.deepEqual([ctx('a'), ctx('b')], [true, false]);
      assert.equal(readDockerignore(path.join(dir, 'sub', 'Dockerfile'), path.join(dir, 'sub')), undefined);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
