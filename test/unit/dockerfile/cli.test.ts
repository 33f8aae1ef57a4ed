// `slipway lint` end to end in-process: real files in a temp dir, captured output.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { isDockerfileName, lintCommand } from '../../../src/cli/lint';
import { UsageError } from '../../../src/cli/command';

function capture() {
  let text = '';
  const stream = new Writable({ write: (chunk, _enc, done) => ((text += String(chunk)), done()) });
  return { stream, text: () => text };
}

async function run(args: string[]): Promise<{ code: number; out: string }> {
  const out = capture();
  const err = capture();
  const code = await lintCommand.run(args, { stdout: out.stream, stderr: err.stream, env: {} });
  return { code, out: out.text() };
}

describe('slipway lint', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-lint-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };

  it('prints the JSON shape with 1-based positions and exits 1 on errors', async () => {
    const file = write('Dockerfile', 'FROM a:1\nCOPY a b /dest\n');
    const { code, out } = await run(['--format', 'json', file]);
    assert.equal(code, 1);
    const found = JSON.parse(out);
    assert.deepEqual(found, [
      {
        file,
        line: 2,
        column: 10,
        endLine: 2,
        endColumn: 15,
        severity: 'error',
        rule: 'copy-multi-source-dest',
        message: 'With 2 sources the destination must be a directory ending in "/"; write "/dest/".',
      },
    ]);
  });

  it('exits 0 when there are only warnings, and prints file:line:column lines', async () => {
    const file = write('Dockerfile', 'FROM debian\n');
    const { code, out } = await run([file]);
    assert.equal(code, 0);
    assert.match(out, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1:6: warning from-untagged: `));
    assert.match(out, /1 file: 0 errors, 1 warning, 0 notes\n$/);
  });

  it('finds Dockerfiles in directories, skipping node_modules', async () => {
    write('a/Dockerfile', 'FROM debian\n');
    write('b/api.Dockerfile', 'FROM debian\n');
    write('node_modules/x/Dockerfile', 'FROM debian\n');
    const { out } = await run(['--format=json', dir]);
    assert.deepEqual([...new Set(JSON.parse(out).map((f: { file: string }) => path.relative(dir, f.file)))], ['a/Dockerfile', 'b/api.Dockerfile']);
  });

  it('applies --config severities and "off"', async () => {
    const file = write('Dockerfile', 'FROM debian\nCOPY a b /dest\n');
    const config = write('lint.json', JSON.stringify({ rules: { 'from-untagged': 'error', 'copy-multi-source-dest': 'off' } }));
    const { code, out } = await run(['--format', 'json', '--config', config, file]);
    assert.equal(code, 1);
    assert.deepEqual(JSON.parse(out).map((f: { rule: string; severity: string }) => [f.rule, f.severity]), [['from-untagged', 'error']]);
  });

  it('reads .dockerignore from the context', async () => {
    write('.dockerignore', 'secrets\n');
    const file = write('Dockerfile', 'FROM a:1\nCOPY secrets/key /key\n');
    const { out } = await run(['--format', 'json', file]);
    assert.deepEqual(JSON.parse(out).map((f: { rule: string }) => f.rule), ['copy-ignored-source']);
  });

  const USAGE: Array<[string, string[], RegExp]> = [
    ['no path', [], /at least one Dockerfile/],
    ['unknown option', ['--nope', 'x'], /unknown option "--nope"/],
    ['bad format', ['--format', 'xml', 'x'], /"text" or "json"/],
    ['missing path', ['/no/such/Dockerfile'], /does not exist/],
    ['missing config', ['--config', '/no/such.json', 'x'], /cannot read the config/],
    ['directory without Dockerfiles', [os.tmpdir() + '/slipway-no-such-dir-' + process.pid], /does not exist/],
  ];

  it('names it treats as Dockerfiles', () => {
    const table: Array<[string, boolean]> = [
      ['Dockerfile', true], ['api.Dockerfile', true], ['Dockerfile.dev', true], ['docker-library__x__Dockerfile', true],
      ['Containerfile', true], ['Dockerfile.dockerignore', false], ['README.md', false], ['dockerfiles.txt', false],
    ];
    for (const [name, want] of table) assert.equal(isDockerfileName(name), want, name);
  });

  it('a directory without Dockerfiles is a usage error', async () => {
    write('README.md', 'x');
    await assert.rejects(run([dir]), (err: unknown) => err instanceof UsageError && /no Dockerfile found/.test((err as Error).message));
  });
  for (const [name, args, message] of USAGE)
    it(`usage error (exit 2): ${name}`, async () => {
      await assert.rejects(run(args), (err: unknown) => err instanceof UsageError && err.exitCode === 2 && message.test(err.message));
    });

  it('rejects a config naming an unknown rule or severity, listing every problem', async () => {
    const config = write('bad.json', JSON.stringify({ rules: { nope: 'off', pipefail: 'loud' }, extra: 1 }));
    await assert.rejects(run(['--config', config, dir]), (err: unknown) => {
      const m = (err as Error).message;
      return err instanceof UsageError && /"nope"/.test(m) && /"loud"/.test(m) && /"extra"/.test(m);
    });
  });
});
