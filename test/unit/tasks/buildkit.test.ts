// BuildKit `--progress=plain` output (the guest's docker 26 / buildx 0.13),
// captured in test/fixtures/buildkit-captured/, read back and mapped to the
// Dockerfile lines that produced it; plus which way a build goes in a machine.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { locateBuildKitFailure, instructionForVertex } from '../../../src/build/buildkitFailure';
import { BuildKitOutput } from '../../../src/build/buildkitOutput';
import { buildRoute, inMachineBuildArgv, routeLine, type MachineSharesInfo } from '../../../src/build/inMachine';
import { dockerfileInstructions } from '../../../src/build/steps';
import { guestComposeArgv, guestComposeProject } from '../../../src/compose/inMachine';

// Compiled to out/test/unit/tasks; the fixtures stay in the source tree.
const CAPTURED = path.resolve(__dirname, '../../../../test/fixtures/buildkit-captured');
const captured = (name: string) => readFileSync(path.join(CAPTURED, `out-${name}.txt`), 'utf8');

// The Dockerfiles those outputs were built from (as far as their excerpts show them).
const DOCKERFILES: Record<string, string> = {
  runfail: 'FROM slipway-test/busybox:1 AS base\nRUN echo base stage\n\nFROM base AS app\n# the copy\nCOPY hello.txt /hello.txt\nRUN echo about to fail \\\n    && cat /hello.txt && exit 3\nRUN echo never\n',
  missingcopy: 'FROM slipway-test/busybox:1\nWORKDIR /app\nCOPY present.txt ./\nCOPY missing.txt ./\nRUN true\n',
  samecmd: 'FROM slipway-test/busybox:1\nRUN exit 5\nFROM slipway-test/busybox:1 AS other\nRUN exit 0\nRUN exit 5\n',
  outside: 'FROM slipway-test/busybox:1\nRUN echo one\nRUN echo two; false\n',
  syntax: 'FROM slipway-test/busybox:1\nRUN echo ok\nFROOM nothing\nRUN true\n',
};

/** Feeds text in awkward pieces (mid-line, CRLF) the way an SSH channel delivers it. */
function parse(text: string, chunk = 7): BuildKitOutput {
  const out = new BuildKitOutput();
  for (let i = 0; i < text.length; i += chunk) out.feed(text.slice(i, i + chunk));
  out.end();
  return out;
}

function locate(name: string, text = captured(name)) {
  const df = DOCKERFILES[name];
  const f = parse(text).failure;
  assert.ok(f, `no failure read from ${name}`);
  return locateBuildKitFailure(df, dockerfileInstructions(df), f);
}

describe('BuildKit plain output', () => {
  it('keeps the image id of a successful build and reports no failure', () => {
    const out = parse(captured('success'));
    assert.equal(out.imageId, 'sha256:cc0ff791a11c645b584d2d2368027b2a1e79b8f1dd98f142e657f397ca14771d');
    assert.equal(out.failure, undefined);
  });

  it('reads the same result whatever the chunking and line ends', () => {
    const text = captured('runfail');
    const whole = parse(text, text.length).failure;
    for (const n of [1, 3, 64, 4096]) assert.deepEqual(parse(text, n).failure, whole);
    assert.deepEqual(parse(text.replace(/\n/g, '\r\n'), 5).failure, whole);
  });

  it('maps a failing RUN that spans two lines, in a named stage, to both lines with its exit code', () => {
    const p = locate('runfail');
    assert.deepEqual(p?.range, { line: 6, column: 0, endLine: 7, endColumn: '    && cat /hello.txt && exit 3'.length });
    assert.equal(p?.kind, 'run');
    assert.match(p!.message, /^RUN failed with exit code 3: process "\/bin\/sh -c echo about to fail/);
  });

  it('maps a COPY of a file missing from the context to the file name on its line', () => {
    const p = locate('missingcopy');
    assert.equal(p?.kind, 'context');
    assert.deepEqual(p?.range, { line: 3, column: 5, endLine: 3, endColumn: 16 });
    assert.equal(p?.message, 'COPY source "missing.txt" is not in the build context (missing, or excluded by .dockerignore).');
  });

  it('tells apart two identical RUNs in different stages (the excerpt names the line)', () => {
    const p = locate('samecmd');
    assert.equal(p?.range.line, 4);
    assert.match(p!.message, /exit code 5/);
  });

  it('maps a Dockerfile with another name (app.Dockerfile)', () => {
    const out = parse(captured('outside'));
    assert.equal(out.failure?.excerpt?.file, 'app.Dockerfile');
    assert.equal(locate('outside')?.range.line, 2);
  });

  it('puts a parse error on its line with the parser message', () => {
    const p = locate('syntax');
    assert.equal(p?.range.line, 2);
    assert.equal(p?.kind, 'other');
    assert.match(p!.message, /unknown instruction: FROOM/);
  });

  it('falls back to the vertex ([stage k/n]) when there is no excerpt (older BuildKit)', () => {
    const noExcerpt = captured('runfail').replace(/^Dockerfile:7\n-+\n(?:.*\|.*\n)+-+\n/m, '');
    assert.doesNotMatch(noExcerpt, /Dockerfile:7/);
    const f = parse(noExcerpt).failure!;
    assert.equal(f.excerpt, undefined);
    assert.deepEqual({ stage: f.vertex?.stage, index: f.vertex?.index }, { stage: 'app', index: 2 });
    const p = locate('runfail', noExcerpt);
    assert.deepEqual([p?.range.line, p?.range.endLine], [6, 7]);

    const same = captured('samecmd').replace(/^Dockerfile:5\n-+\n(?:.*\|.*\n)+-+\n/m, '');
    assert.equal(locate('samecmd', same)?.range.line, 4);
  });

  it('does not guess when the vertex does not match the instruction there', () => {
    const ins = dockerfileInstructions(DOCKERFILES.outside);
    assert.equal(instructionForVertex(ins, { id: 6, index: 3, total: 3, text: 'RUN echo two; false' })?.line, 2);
    assert.equal(instructionForVertex(ins, { id: 6, index: 3, total: 3, text: 'COPY x y' }), undefined);
    assert.equal(instructionForVertex(ins, { id: 6, stage: 'nosuch', index: 2, total: 3, text: 'RUN echo one' }), undefined);
  });

  it('reports an error that belongs to no line (unknown target) without a location', () => {
    const f = parse(captured('badtarget')).failure;
    assert.equal(f?.message, 'target stage "nosuch" could not be found');
    assert.equal(locateBuildKitFailure(DOCKERFILES.outside, dockerfileInstructions(DOCKERFILES.outside), f!), undefined);
  });
});

describe('building in a machine', () => {
  const machine: MachineSharesInfo = {
    machine: 'default',
    os: 'linux',
    shares: [{ hostPath: '/home/me', guestPath: '/home/me', mechanism: '9p' }, { hostPath: "/srv/it's here" }],
  };
  const spec = { context: '/home/me/app', dockerfile: 'docker/Dockerfile', tags: ['a:1', 'b:2'], buildArgs: { V: '1 2', Q: '"' }, target: 't', labels: { l: 'x y' }, platform: 'linux/amd64', pull: true, noCache: true };

  it('builds next to the files when the context and Dockerfile are shared', () => {
    const r = buildRoute(spec, '/home/me/app/docker/Dockerfile', machine, true);
    assert.deepEqual(r, { kind: 'machine', machine: 'default', guestContext: '/home/me/app', guestDockerfile: '/home/me/app/docker/Dockerfile', mechanism: '9p', hostPath: '/home/me' });
    assert.equal(routeLine(r, spec.context), 'Building in machine "default" next to the files (/home/me is shared over 9p): no context upload.');
    assert.equal(buildRoute({ context: "/srv/it's here/x" }, "/srv/it's here/x/Dockerfile", machine, true).kind, 'machine');
  });

  it('uploads, and says why, otherwise', () => {
    const why = (ctx: string, df: string, m: MachineSharesInfo | undefined, exec = true) => {
      const r = buildRoute({ context: ctx }, df, m, exec);
      assert.equal(r.kind, 'upload');
      return routeLine(r, ctx);
    };
    assert.match(why('/home/me/app', '/home/me/app/Dockerfile', undefined), /: the engine is not a Slipway machine\.$/);
    assert.match(why('/home/me/app', '/home/me/app/Dockerfile', machine, false), /commands cannot be run in machine "default"/);
    assert.match(why('/tmp/app', '/tmp/app/Dockerfile', machine), /^Uploading the build context "\/tmp\/app" to the engine: "\/tmp\/app" is not in a folder shared with machine "default"\.$/);
    assert.match(why('/home/me/app', '/tmp/Dockerfile', machine), /the Dockerfile "\/tmp\/Dockerfile" is not in a folder shared/);
    assert.match(why('/home/meow', '/home/meow/Dockerfile', machine), /not in a folder shared/);
  });

  it('passes every build option as its own argv element', () => {
    assert.deepEqual(inMachineBuildArgv(spec, '/home/me/app', '/home/me/app/docker/Dockerfile'), [
      'docker', 'build', '--progress=plain', '-f', '/home/me/app/docker/Dockerfile',
      '-t', 'a:1', '-t', 'b:2', '--build-arg', 'V=1 2', '--build-arg', 'Q="', '--target', 't', '--label', 'l=x y',
      '--platform', 'linux/amd64', '--pull', '--no-cache', '/home/me/app',
    ]);
  });

  it('maps Windows paths to the guest for a build and compose', () => {
    const win: MachineSharesInfo = { machine: 'm', os: 'win32', shares: [{ hostPath: 'C:\\Users\\me' }] };
    const r = buildRoute({ context: 'C:\\Users\\me\\src\\app' }, 'C:\\Users\\me\\src\\app\\Dockerfile', win, true);
    assert.equal(r.kind === 'machine' && r.guestContext, '/c/Users/me/src/app');
    const g = guestComposeProject({ files: ['C:\\Users\\me\\src\\compose.yaml'], envFile: 'C:\\Users\\me\\src\\.env' }, win);
    assert.deepEqual(g, { ok: true, project: { files: ['/c/Users/me/src/compose.yaml'], envFile: '/c/Users/me/src/.env', projectDirectory: undefined } });
  });

  it('runs compose in the guest only when every project path is shared', () => {
    const ok = guestComposeProject({ files: ['/home/me/p/compose.yaml', '/home/me/p/compose.dev.yaml'], projectName: 'p', profiles: ['dev'] }, machine);
    assert.ok(ok.ok);
    const argv = guestComposeArgv(ok.project, { verb: 'up', detached: true });
    assert.deepEqual(argv.slice(0, 2), ['docker', 'compose']);
    const files = argv.indexOf('-f');
    assert.deepEqual(argv.slice(files, files + 6), ['-f', '/home/me/p/compose.yaml', '-f', '/home/me/p/compose.dev.yaml', '-p', 'p']);
    const bad = guestComposeProject({ files: ['/home/me/p/compose.yaml'], envFile: '/etc/p.env' }, machine);
    assert.deepEqual(bad, { ok: false, reason: '"/etc/p.env" is not in a folder shared with machine "default"' });
    assert.ok(guestComposeProject({ files: [], projectName: 'p' }, machine).ok);
  });
});
