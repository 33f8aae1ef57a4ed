// Builds through the Engine API against a real dockerd: output streamed,
// tagged image produced, failures located on their Dockerfile line.

import assert from 'node:assert/strict';
import Docker from 'dockerode';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildImage, type BuildSpec } from '../../src/build/build';
import { daemon, fixture, unique, waitFor } from './fixture';

describe('build task (real dockerd)', function () {
  let docker: Docker;
  let root: string;
  const tags: string[] = [];

  before(() => {
    docker = new Docker({ socketPath: daemon().socket });
    root = mkdtempSync(path.join(os.tmpdir(), 'slipway-build-'));
  });
  after(async () => {
    for (const t of tags) await docker.getImage(t).remove({ force: true }).catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  });

  function context(files: Record<string, string>): string {
    const dir = path.join(root, unique('ctx'));
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    }
    return dir;
  }

  async function build(spec: BuildSpec) {
    let out = '';
    const result = await buildImage(docker, spec, (t) => (out += t));
    tags.push(...(spec.tags ?? []));
    return { result, out };
  }

  it('streams the output and produces the tagged image with its labels', async () => {
    const tag = `slipway-test/built:${unique('t')}`;
    const second = `${tag}-b`;
    const ctx = context({
      Dockerfile: `FROM ${fixture.image}\nCOPY hello.txt /hello.txt\nRUN cat /hello.txt\n`,
      'hello.txt': 'hello from the build context\n',
    });
    const { result, out } = await build({ context: ctx, tags: [tag, second], labels: { 'org.example.team': 'slipway' } });
    assert.equal(result.ok, true, result.error);
    assert.match(out, /Step 1\/4 : FROM/);
    assert.match(out, /Step 3\/4 : RUN cat \/hello.txt/);
    assert.match(out, /Step 4\/4 : LABEL org.example.team=slipway/, 'labels are applied as a last step');
    assert.match(out, /hello from the build context/);
    const info = await docker.getImage(tag).inspect();
    assert.equal(info.Id, result.imageId);
    assert.ok(info.RepoTags.includes(second), `both tags: ${info.RepoTags.join(', ')}`);
    assert.equal(info.Config.Labels?.['org.example.team'], 'slipway');
  });

  it('reports a failing RUN on the Dockerfile line that holds it', async () => {
    const ctx = context({
      Dockerfile: [
        `FROM ${fixture.image}`,
        '# a comment does not count as a step',
        'RUN echo first \\',
        '    && echo continued',
        'RUN echo about to fail && exit 3',
        'RUN echo never',
      ].join('\n'),
    });
    const { result, out } = await build({ context: ctx, tags: [`slipway-test/fails:${unique('t')}`] });
    assert.equal(result.ok, false);
    assert.match(out, /about to fail/);
    assert.equal(result.problems.length, 1);
    const [p] = result.problems;
    assert.equal(p.kind, 'run');
    assert.equal(p.range.line, 4, 'the 0-based line of "RUN ... exit 3"');
    assert.match(p.message, /exit code 3/);
    assert.match(result.error!, /Dockerfile line 5/);
  });

  it('locates a multi-line RUN failure on its first line', async () => {
    const ctx = context({
      Dockerfile: `FROM ${fixture.image}\nRUN true\nRUN echo a \\\n  && false\n`,
    });
    const { result } = await build({ context: ctx });
    assert.equal(result.ok, false);
    assert.deepEqual(
      result.problems.map((p) => [p.kind, p.range.line, p.range.endLine]),
      [['run', 2, 3]],
    );
  });

  it('reports a COPY source missing from the context (or excluded by .dockerignore) on its line and column', async () => {
    const ctx = context({
      Dockerfile: `FROM ${fixture.image}\nCOPY present.txt /p\nCOPY secret.txt /s\n`,
      'present.txt': 'p',
      'secret.txt': 's',
      '.dockerignore': 'secret.txt\n',
    });
    const { result } = await build({ context: ctx });
    assert.equal(result.ok, false);
    assert.equal(result.problems.length, 1, JSON.stringify(result.problems));
    const [p] = result.problems;
    assert.equal(p.kind, 'context');
    assert.deepEqual([p.range.line, p.range.column, p.range.endColumn], [2, 5, 15]);
    assert.match(p.message, /"secret.txt" is not in the build context/);
  });

  it('passes build args and stops at the target stage', async () => {
    const tag = `slipway-test/target:${unique('t')}`;
    const ctx = context({
      Dockerfile: [
        `FROM ${fixture.image} AS first`,
        'ARG GREETING=default',
        'LABEL greeting=$GREETING',
        'RUN echo "$GREETING" > /greeting',
        '',
        'FROM first AS second',
        'LABEL stage=second',
      ].join('\n'),
    });
    const { result } = await build({ context: ctx, tags: [tag], buildArgs: { GREETING: 'ahoy' }, target: 'first' });
    assert.equal(result.ok, true, result.error);
    const labels = (await docker.getImage(tag).inspect()).Config.Labels ?? {};
    assert.equal(labels.greeting, 'ahoy');
    assert.equal(labels.stage, undefined, 'the second stage was not built');
  });

  it('honours .dockerignore and a Dockerfile outside the context', async () => {
    const tag = `slipway-test/ignore:${unique('t')}`;
    const ctx = context({ 'keep.txt': 'k', 'drop/x.txt': 'x', 'drop/keep-me.txt': 'y', 'notes.md': 'n', '.dockerignore': 'drop\n*.md\n!drop/keep-me.txt\n' });
    const elsewhere = context({ 'build.Dockerfile': `FROM ${fixture.image}\nCOPY . /ctx\nRUN test -e /ctx/keep.txt && test -e /ctx/drop/keep-me.txt && test ! -e /ctx/drop/x.txt && test ! -e /ctx/notes.md\n` });
    const { result, out } = await build({ context: ctx, dockerfile: path.join(elsewhere, 'build.Dockerfile'), tags: [tag] });
    assert.equal(result.ok, true, `${result.error}\n${out}`);
  });

  it('stops a running build when cancelled, and removes its intermediate container', async function () {
    this.timeout(120_000);
    const ctx = context({ Dockerfile: `FROM ${fixture.image}\nRUN echo started && sleep 300\n` });
    const abort = new AbortController();
    let out = '';
    const result = await buildImage(
      docker,
      { context: ctx },
      (t) => {
        out += t;
        if (/started/.test(out)) abort.abort();
      },
      abort.signal,
    );
    assert.equal(result.ok, false);
    assert.equal(result.error, 'The build was cancelled.');
    await waitFor('the RUN container to be removed', async () => {
      const running = await docker.listContainers({ all: true });
      return !running.some((c) => c.Command.includes('sleep 300'));
    }, 60_000, 200);
  });
});
