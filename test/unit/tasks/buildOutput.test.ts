import assert from 'node:assert/strict';
import { BuildOutput } from '../../../src/build/buildOutput';
import { locateFailure } from '../../../src/build/failure';
import { JsonLineSplitter } from '../../../src/build/progressStream';
import { dockerfileInstructions, instructionForStep } from '../../../src/build/steps';

// Recorded from dockerd 20.10's classic builder (split at odd places on purpose).
const RECORDED = [
  '{"stream":"Step 1/4 : ARG BASE=busybox"}\n{"stream":"\\n"}\n{"stream":"Step 2/4 : FROM $BASE"}\n',
  '{"stream":"\\n"}\n{"stream":" ---\\u003e 6644921cfe48\\n"}\n{"stream":"Step 3/4 : RUN echo hi     \\u0026\\u0026 true"}\n{"str',
  'eam":"\\n"}\n{"stream":"hi\\n"}\n{"stream":"Step 4/4 : RUN exit 3"}\n{"stream":"\\n"}\n',
  '{"errorDetail":{"code":3,"message":"The command \'/bin/sh -c exit 3\' returned a non-zero code: 3"},"error":"The command \'/bin/sh -c exit 3\' returned a non-zero code: 3"}\n',
];
const DOCKERFILE = '# syntax=docker/dockerfile:1\nARG BASE=busybox\nFROM $BASE\n\n# comment\nRUN echo hi \\\n    && true\nRUN exit 3\n';

describe('build output', () => {
  it('splits chunked JSON lines and tracks the step and the failure', () => {
    const split = new JsonLineSplitter();
    const out = new BuildOutput();
    let text = '';
    for (const chunk of RECORDED) for (const m of split.push(chunk)) text += out.feed(m);
    for (const m of split.end()) text += out.feed(m);
    assert.match(text, /^Step 1\/4 : ARG BASE=busybox\nStep 2\/4/);
    assert.match(text, /\nhi\n/);
    assert.deepEqual(out.step, { n: 4, total: 4, text: 'RUN exit 3' });
    assert.equal(out.failure?.exitCode, 3);
    assert.equal(out.failure?.step?.n, 4);
  });

  it('keeps the image id of a successful build', () => {
    const out = new BuildOutput();
    out.feed({ aux: { ID: 'sha256:abc' } });
    out.feed({ stream: 'Successfully built 123456\n' });
    assert.equal(out.imageId, 'sha256:abc');
  });

  it('prints a pull inside a build as status changes, not every progress tick', () => {
    const out = new BuildOutput();
    const lines = [
      out.feed({ id: 'l1', status: 'Downloading', progressDetail: { current: 1, total: 10 } }),
      out.feed({ id: 'l1', status: 'Downloading', progressDetail: { current: 5, total: 10 } }),
      out.feed({ id: 'l1', status: 'Pull complete' }),
    ];
    assert.deepEqual(lines, ['l1: Downloading\n', '', 'l1: Pull complete\n']);
  });
});

describe('Dockerfile steps', () => {
  const instructions = dockerfileInstructions(DOCKERFILE);
  it('numbers every instruction as the classic builder does (directives and comments excluded)', () => {
    assert.deepEqual(
      instructions.map((i) => [i.step, i.keyword, i.line, i.endLine]),
      [
        [1, 'ARG', 1, 1],
        [2, 'FROM', 2, 2],
        [3, 'RUN', 5, 6],
        [4, 'RUN', 7, 7],
      ],
    );
  });

  const cases: [string, number, string, number | undefined][] = [
    ['by step number', 4, 'RUN exit 3', 7],
    ['by text when the number disagrees (file edited)', 2, 'RUN exit 3', 7],
    ['continuations squashed', 9, 'RUN echo hi     && true', 5],
    ['unknown step (the LABEL step added by --label)', 5, 'LABEL a=b', undefined],
  ];
  for (const [name, step, text, line] of cases) {
    it(`finds the instruction ${name}`, () => {
      assert.equal(instructionForStep(instructions, step, text)?.line, line);
    });
  }

  it('locates a failing RUN on its whole instruction', () => {
    const p = locateFailure(DOCKERFILE, instructions, {
      message: "The command '/bin/sh -c echo hi && true' returned a non-zero code: 1",
      exitCode: 1,
      step: { n: 3, total: 4, text: 'RUN echo hi     && true' },
    });
    assert.equal(p?.kind, 'run');
    assert.deepEqual(p?.range, { line: 5, column: 0, endLine: 6, endColumn: 11 });
  });

  it('locates a missing COPY source on the source word', () => {
    const text = 'FROM x\nCOPY ./a.txt missing.txt /dst/\n';
    const p = locateFailure(text, dockerfileInstructions(text), {
      message: 'COPY failed: file not found in build context or excluded by .dockerignore: stat missing.txt: file does not exist',
      step: { n: 2, total: 2, text: 'COPY ./a.txt missing.txt /dst/' },
    });
    assert.equal(p?.kind, 'context');
    assert.deepEqual(p?.range, { line: 1, column: 13, endLine: 1, endColumn: 24 });
  });

  it('says plainly why a FROM failed, on the FROM line', () => {
    const text = 'ARG V=1\nFROM --platform=linux/amd64 busybox:1.36 AS base\n';
    const p = locateFailure(text, dockerfileInstructions(text), {
      message: 'Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host',
      step: { n: 2, total: 2, text: 'FROM --platform=linux/amd64 busybox:1.36 AS base' },
    });
    assert.equal(p?.range.line, 1);
    assert.match(p?.message ?? '', /^The base image "busybox:1.36" could not be pulled: the engine cannot reach its registry\. Get/);
  });

  it('has nothing to locate when the build failed before any step', () => {
    assert.equal(locateFailure(DOCKERFILE, instructions, { message: 'dockerfile parse error line 3: unknown instruction: FORM' }), undefined);
  });
});
