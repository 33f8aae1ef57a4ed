// Build and compose tasks against a real machine (fixture.ts): a build whose
// context is in a shared folder runs next to the files with the guest's docker
// CLI (BuildKit, no context upload), its failures land on the right Dockerfile
// line; a context outside the shares is uploaded; with no Compose on the host,
// compose runs in the guest at the same paths.

import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { LocatedProblem } from '../../src/build/failure';
import { EngineConnection } from '../../src/engine/connection';
import { runInMachine } from '../../src/machine/exec';
import { buildWork, composeWork, type WorkDeps } from '../../src/tasks/work';
import type { TaskDiagnostics } from '../../src/tasks/diagnostics';
import { BUSYBOX_IMAGE } from '../harness/images';
import { docker, dockerOk, requireQemu, sharedMachine, type SharedMachine } from './fixture';

describe('build and compose tasks in a machine (real QEMU and guest image)', function () {
  this.timeout(600_000);
  let m: SharedMachine;
  let conn: EngineConnection;
  const problems = new Map<string, readonly LocatedProblem[]>();
  let n = 0;

  before(async function () {
    this.timeout(1_800_000);
    requireQemu(this);
    m = await sharedMachine();
    conn = new EngineConnection(() => [{ name: 'machine', source: 'machine', host: m.session.dockerHost }]);
    await conn.start();
    assert.equal(conn.state.kind, 'connected');
  });
  after(() => conn?.dispose());

  /** WorkDeps as the extension builds them; `hostCompose: false` takes the host's Compose away. */
  function deps(opts: { hostCompose?: boolean; exec?: boolean } = {}): WorkDeps {
    const diagnostics = {
      setBuildProblems: (file: string, p: readonly LocatedProblem[]) => problems.set(file, p),
      setComposeProblems: () => undefined,
    } as unknown as TaskDiagnostics;
    return {
      conn,
      diagnostics,
      machineShares: (host) => (host === m.session.dockerHost ? { machine: m.name, shares: m.machines.runningShares(m.name), os: 'linux' } : undefined),
      runInMachine: opts.exec === false ? undefined : (name, argv, o) => runInMachine(m.machines, name, argv, o),
      findCompose: opts.hostCompose === false ? async () => undefined : undefined,
    };
  }

  function project(dir: string, files: Record<string, string>): string {
    const p = path.join(dir, `proj ${++n}`);
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(p, name)), { recursive: true });
      writeFileSync(path.join(p, name), text);
    }
    return p;
  }

  async function run(work: ReturnType<typeof buildWork>, abortWhen?: (out: string) => boolean) {
    let out = '';
    const ctl = new AbortController();
    const code = await work((t) => {
      out += t;
      if (abortWhen?.(out) && !ctl.signal.aborted) ctl.abort();
    }, ctl.signal);
    return { code, out: out.replace(/\x1b\[[0-9;]*m/g, '') };
  }

  describe('build', () => {
    it('builds next to the files in a 9p share with BuildKit, tags the image, uploads nothing', async () => {
      const ctx = project(m.dirs['9p'], {
        Dockerfile: `FROM ${BUSYBOX_IMAGE}\nARG WHO\nCOPY ["hello ü.txt", "/hello.txt"]\nRUN cat /hello.txt && echo "built by $WHO"\n`,
        'hello ü.txt': 'hello from a shared folder\n',
      });
      const tag = `slipway-test/in-machine:${n}`;
      const r = await run(buildWork(deps(), { context: ctx, tags: [tag], buildArgs: { WHO: "o'neil" }, labels: { 'org.example.k': 'v w' } }));
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, new RegExp(`Building in machine "shares" next to the files \\(${escape(m.dirs['9p'])} is shared over 9p\\): no context upload\\.`));
      assert.doesNotMatch(r.out, /Sending the build context/);
      assert.match(r.out, /#\d+ \[3\/3\] RUN cat \/hello.txt/, 'BuildKit plain output is streamed');
      assert.match(r.out, /built by o'neil/);
      assert.match(r.out, new RegExp(`Built ${escape(tag)}\\.`));
      const label = await dockerOk(m.env, 'image', 'inspect', '--format', '{{index .Config.Labels "org.example.k"}}', tag);
      assert.equal(label, 'v w');
      assert.deepEqual(problems.get(path.join(ctx, 'Dockerfile')), []);
    });

    it('puts a failing RUN in an sshfs share on its Dockerfile lines, in the right stage', async () => {
      const ctx = project(m.dirs.sshfs, {
        'app.Dockerfile': [
          `FROM ${BUSYBOX_IMAGE} AS base`,
          'RUN exit 0',
          '',
          'FROM base AS app',
          '# the same command as in base, on purpose',
          'RUN exit 0',
          'RUN echo about to fail \\',
          '    && exit 7',
          'RUN echo never',
        ].join('\n'),
      });
      const dockerfile = path.join(ctx, 'app.Dockerfile');
      const r = await run(buildWork(deps(), { context: ctx, dockerfile: 'app.Dockerfile', target: 'app' }));
      assert.equal(r.code, 1);
      assert.match(r.out, /shared over sshfs/);
      assert.match(r.out, /about to fail/);
      assert.match(r.out, /The build failed \(app\.Dockerfile line 7\): RUN failed with exit code 7/);
      const [p] = problems.get(dockerfile) ?? [];
      assert.deepEqual([p?.kind, p?.range.line, p?.range.endLine], ['run', 6, 7]);
    });

    it('reports a COPY of a file that is not in the context on the file name', async () => {
      const ctx = project(m.dirs['9p'], { Dockerfile: `FROM ${BUSYBOX_IMAGE}\nCOPY present.txt missing.txt /x/\n`, 'present.txt': 'p' });
      const r = await run(buildWork(deps(), { context: ctx }));
      assert.equal(r.code, 1);
      const [p] = problems.get(path.join(ctx, 'Dockerfile')) ?? [];
      assert.equal(p?.kind, 'context');
      assert.deepEqual([p?.range.line, p?.range.column], [1, 17]);
    });

    it('uploads the context, and says why, when it is outside every share', async () => {
      const ctx = project(m.dirs.outside, { Dockerfile: `FROM ${BUSYBOX_IMAGE}\nCOPY f /f\nRUN cat /f\n`, f: 'outside the shares\n' });
      const tag = `slipway-test/uploaded:${n}`;
      const r = await run(buildWork(deps(), { context: ctx, tags: [tag] }));
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /Uploading the build context ".*" to the engine: ".*" is not in a folder shared with machine "shares"\./);
      assert.match(r.out, /Sending the build context/);
      assert.match(await dockerOk(m.env, 'run', '--rm', tag, 'cat', '/f'), /outside the shares/);
    });

    it('uploads when commands cannot be run in the machine', async () => {
      const ctx = project(m.dirs['9p'], { Dockerfile: `FROM ${BUSYBOX_IMAGE}\nRUN true\n` });
      const r = await run(buildWork(deps({ exec: false }), { context: ctx }));
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /commands cannot be run in machine "shares" from here/);
    });

    it('cancels a build in the machine: the guest build stops', async () => {
      const ctx = project(m.dirs['9p'], { Dockerfile: `FROM ${BUSYBOX_IMAGE}\nRUN echo started-sleeping && sleep 300\n` });
      const r = await run(buildWork(deps(), { context: ctx, noCache: true }), (out) => out.includes('started-sleeping'));
      assert.equal(r.code, 1);
      assert.match(r.out, /The build was cancelled\./);
      // Nothing is left building in the guest.
      const left = await docker(m.env, 'ps', '-a', '--filter', 'status=running', '--format', '{{.Command}}');
      assert.doesNotMatch(left.out, /sleep 300/);
    });
  });

  describe('compose with no Compose on the host', () => {
    it('runs up and down in the guest, next to the shared files; relative binds resolve on the share', async () => {
      const dir = project(m.dirs['9p'], {
        'compose.yaml': [
          'services:',
          '  web:',
          `    image: ${BUSYBOX_IMAGE}`,
          '    command: ["sh", "-c", "echo from-web > /data/web.txt; sleep 600"]',
          '    volumes: ["./data:/data"]',
          '  worker:',
          `    image: ${BUSYBOX_IMAGE}`,
          '    command: ["sleep", "600"]',
          '    volumes: ["cache:/cache"]',
          'volumes:',
          '  cache: {}',
        ].join('\n'),
        'data/.keep': '',
      });
      const files = [path.join(dir, 'compose.yaml')];
      const name = `guestcompose${n}`;
      const up = await run(composeWork(deps({ hostCompose: false }), { files, projectName: name }, { verb: 'up', detached: true }));
      assert.equal(up.code, 0, up.out);
      assert.match(up.out, /No Docker Compose on this host: running docker compose up in machine "shares"/);
      const ps = await dockerOk(m.env, 'ps', '--filter', `label=com.docker.compose.project=${name}`, '--format', '{{.Label "com.docker.compose.service"}}');
      assert.deepEqual(ps.split('\n').sort(), ['web', 'worker']);
      await waitFor(() => existsSync(path.join(dir, 'data', 'web.txt')));
      assert.equal(readFileSync(path.join(dir, 'data', 'web.txt'), 'utf8'), 'from-web\n');

      const down = await run(composeWork(deps({ hostCompose: false }), { files, projectName: name }, { verb: 'down', volumes: true }));
      assert.equal(down.code, 0, down.out);
      assert.equal(await dockerOk(m.env, 'ps', '-a', '--filter', `label=com.docker.compose.project=${name}`, '--format', '{{.ID}}'), '');
      assert.equal(await dockerOk(m.env, 'volume', 'ls', '--filter', `label=com.docker.compose.project=${name}`, '--format', '{{.Name}}'), '');
      assert.equal(await dockerOk(m.env, 'network', 'ls', '--filter', `label=com.docker.compose.project=${name}`, '--format', '{{.Name}}'), '');
    });

    it('says why it cannot, when the project is outside every share', async () => {
      const dir = project(m.dirs.outside, { 'compose.yaml': `services:\n  a:\n    image: ${BUSYBOX_IMAGE}\n` });
      let out = '';
      await assert.rejects(
        composeWork(deps({ hostCompose: false }), { files: [path.join(dir, 'compose.yaml')] }, { verb: 'up', detached: true })((t) => (out += t), new AbortController().signal),
        /Docker Compose v2 was not found/,
      );
      assert.match(out, /Compose cannot run in machine "shares": ".*compose\.yaml" is not in a folder shared with machine "shares"/);
    });
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function waitFor(check: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 250));
  }
}
