import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listContext } from '../../../src/build/context';
import { globRegExp, inContext, missingContextSources } from '../../../src/build/sources';

describe('build context', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'slipway-ctx-'));
    const files: Record<string, string> = {
      Dockerfile: 'FROM x\n',
      'src/app.js': '1',
      'src/app.test.js': '2',
      'node_modules/dep/index.js': '3',
      'logs/keep.log': '4',
      'logs/debug.log': '5',
      'README.md': '6',
      '.dockerignore': '# comment\nnode_modules\n**/*.test.js\nlogs\n!logs/keep.log\n*.md\nDockerfile\n',
    };
    for (const [f, t] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      writeFileSync(path.join(dir, f), t);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('applies .dockerignore with exceptions, and always sends the Dockerfile and .dockerignore', () => {
    const ctx = listContext(dir, ['Dockerfile']);
    assert.deepEqual([...ctx.entries].sort(), ['.dockerignore', 'Dockerfile', 'logs', 'logs/keep.log', 'src', 'src/app.js']);
    assert.equal(ctx.files, 4);
  });

  it('finds COPY/ADD sources that are not in the context, with their position', () => {
    const ctx = listContext(dir, ['Dockerfile']);
    const text = [
      'FROM x',
      'COPY src/app.js logs/keep.log /app/',
      'COPY node_modules /app/node_modules',
      'COPY --from=build /out /out',
      'ADD https://example.com/x.tgz /x',
      'COPY ["README.md", "/readme"]',
      'COPY src/*.js ./ /app/',
      'COPY $VAR /v',
      'COPY <<EOF /f',
      'hi',
      'EOF',
      'COPY src/*.ts /ts/',
    ].join('\n');
    const problems = missingContextSources(text, ctx);
    assert.deepEqual(
      problems.map((p) => [p.range.line, p.range.column, p.message.match(/"([^"]+)"/)?.[1]]),
      [
        [2, 5, 'node_modules'],
        [5, 7, 'README.md'],
        [11, 5, 'src/*.ts'],
      ],
    );
  });

  const globs: [string, string, boolean][] = [
    ['*.js', 'a.js', true],
    ['*.js', 'dir/a.js', false],
    ['src/?.js', 'src/a.js', true],
    ['src/[ab].js', 'src/c.js', false],
    ['src/[!ab].js', 'src/c.js', true],
    ['a+b.txt', 'a+b.txt', true],
  ];
  for (const [pattern, file, match] of globs) {
    it(`glob ${pattern} ${match ? 'matches' : 'does not match'} ${file}`, () => assert.equal(globRegExp(pattern).test(file), match));
  }

  it('treats "." and "./" as the whole context', () => {
    const ctx = listContext(dir);
    assert.equal(inContext(ctx, '.'), true);
    assert.equal(inContext(ctx, './'), true);
    assert.equal(inContext(ctx, './src/'), true);
  });
});
