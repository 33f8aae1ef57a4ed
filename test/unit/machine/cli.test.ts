import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { envLines, machineCommand } from '../../../src/cli/machine';
import { CliError, UsageError } from '../../../src/cli/command';

async function run(args: string[], home: string): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const code = await machineCommand.run(args, { stdout, stderr, env: { ...process.env, SLIPWAY_HOME: home } });
  return { code, out, err };
}

describe('slipway machine (CLI, no VM)', () => {
  let home: string;
  beforeEach(() => (home = mkdtempSync(path.join(os.tmpdir(), 'slipway-cli-'))));
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('creates, lists, inspects and removes a machine under SLIPWAY_HOME', async () => {
    assert.match((await run(['create', '--cpus', '1', '--memory', '1024', '--disk', '8'], home)).out, /^Created machine "default" \(1 CPUs, 1024 MiB, 8 GiB disk, (sharing \S+|no shared folders)\)/);
    const ls = await run(['ls'], home);
    assert.match(ls.out, /^NAME\s+STATE\s+CPUS\s+MEMORY\s+DISK\s+DOCKER_HOST\ndefault\s+stopped\s+1\s+1024 MiB\s+8 GiB\n$/);
    const inspect = JSON.parse((await run(['inspect'], home)).out);
    assert.equal(inspect.state, 'stopped');
    assert.equal(inspect.dir, path.join(home, 'machines', 'default'));
    assert.equal((await run(['status'], home)).out, 'stopped\n');
    assert.equal((await run(['rm'], home)).out, 'Removed machine "default".\n');
    assert.equal((await run(['ls', '--json'], home)).out, '[]\n');
  });

  it('creates a machine with the shared folders given, resolved against the current folder', async () => {
    const out = (await run(['create', 'dev', '--share', '/srv/code', '--share-ro', 'rel dir', '--share-mechanism', 'sshfs'], home)).out;
    assert.match(out, /sharing \/srv\/code, \S*rel dir \(read-only\)\)/);
    const config = JSON.parse(readFileSync(path.join(home, 'machines', 'dev', 'config.json'), 'utf8'));
    assert.deepEqual(config.shares, [
      { hostPath: '/srv/code', guestPath: '/srv/code', readOnly: false, mechanism: 'sshfs' },
      { hostPath: path.resolve(process.env.PWD ?? process.cwd(), 'rel dir'), guestPath: path.resolve(process.env.PWD ?? process.cwd(), 'rel dir'), readOnly: true, mechanism: 'sshfs' },
    ]);
    assert.match((await run(['create', 'bare', '--no-shares'], home)).out, /no shared folders/);
    await assert.rejects(run(['create', 'x', '--share', 'etc-is-fine', '--share', '/usr/lib'], home), /shares\[1\]\.guestPath: "\/usr\/lib" is inside the guest's own "\/usr"/);
  });

  it('follows the console log with -f, from the start again after a restart truncates it, until interrupted', async () => {
    await run(['create', 'dev'], home);
    const log = path.join(home, 'machines', 'dev', 'serial.log');
    writeFileSync(log, 'old 1\nold 2\n');
    const ac = new AbortController();
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (d) => (out += d));
    const following = machineCommand.run(['logs', 'dev', '-n', '1', '-f'], { stdout, stderr: new PassThrough(), env: { ...process.env, SLIPWAY_HOME: home }, signal: ac.signal });
    const seen = async (text: string) => {
      while (!out.endsWith(text)) await new Promise((r) => setTimeout(r, 50));
    };
    await seen('old 2\n');
    appendFileSync(log, 'new 3\n');
    await seen('new 3\n');
    writeFileSync(log, 'boot 1\n'); // a new boot writes a fresh log
    await seen('boot 1\n');
    ac.abort();
    assert.equal(await following, 0);
    assert.equal(out, 'old 2\nnew 3\nboot 1\n');
  });

  it('lists a machine with a broken config.json with its error instead of failing', async () => {
    await run(['create', 'good'], home);
    const bad = path.join(home, 'machines', 'bad');
    mkdirSync(bad, { recursive: true });
    writeFileSync(path.join(bad, 'config.json'), '{"cpus": 0}');
    const list = JSON.parse((await run(['ls', '--json'], home)).out) as { name: string; state: string; error?: string }[];
    assert.deepEqual(list.map((m) => [m.name, m.state]), [['bad', 'broken'], ['good', 'stopped']]);
    assert.match(list[0].error!, /config\.json is not a valid machine configuration: cpus: must be a whole number/);
  });

  const usage: { args: string[]; message: RegExp }[] = [
    { args: ['create', 'Bad_Name'], message: /"Bad_Name" is not a valid machine name/ },
    { args: ['create', '--cpus', 'two'], message: /--cpus must be a positive whole number, got "two"/ },
    { args: ['create', '--cpus'], message: /--cpus needs a value/ },
    { args: ['create', '--arch', 'mips'], message: /--arch must be x86_64 or aarch64/ },
    { args: ['start', 'a', 'b'], message: /takes one machine name/ },
    { args: ['frobnicate'], message: /unknown machine command "frobnicate"/ },
    { args: ['ls', '--bogus'], message: /unknown option "--bogus"/ },
    { args: ['create', '--share-mechanism', 'nfs', '--share', '/a'], message: /--share-mechanism must be one of auto, 9p, sshfs/ },
    { args: ['create', '--no-shares', '--share', '/a'], message: /--no-shares cannot be combined/ },
  ];
  for (const u of usage)
    it(`usage error: ${u.args.join(' ')}`, async () => {
      await assert.rejects(run(u.args, home), (err: Error) => {
        assert.ok(err instanceof UsageError);
        assert.equal((err as UsageError).exitCode, 2);
        assert.match(err.message, u.message);
        return true;
      });
    });

  const failures: { args: string[]; message: RegExp }[] = [
    { args: ['status', 'nope'], message: /^Machine "nope" does not exist\. Create it with "slipway machine create nope"\.$/ },
    { args: ['env', 'nope'], message: /^Machine "nope" does not exist/ },
  ];
  for (const f of failures)
    it(`failure: ${f.args.join(' ')}`, async () => {
      await assert.rejects(run(f.args, home), (err: Error) => f.message.test(err.message));
    });

  it('env of a stopped machine says how to start it', async () => {
    await run(['create', 'dev'], home);
    await assert.rejects(run(['env', 'dev'], home), (err: Error) => {
      assert.ok(err instanceof CliError);
      assert.equal(err.message, 'Machine "dev" is stopped. Start it with "slipway machine start dev".');
      return true;
    });
  });

  describe('env lines', () => {
    const host = "unix:///Users/o'neil/.slipway/machines/dev/run/docker.sock";
    it('sh: eval-able, with a quote in the path', () => {
      const text = envLines('sh', host, 'dev', false);
      const r = spawnSync('/bin/sh', ['-c', `${text}\nprintf '%s' "$DOCKER_HOST"`], { encoding: 'utf8' });
      assert.equal(r.stdout, host);
    });
    const cases: [string, boolean, RegExp][] = [
      ['fish', false, /^set -gx DOCKER_HOST 'unix:\/\/\/Users\/o'\\''neil\/.+';$/m],
      ['powershell', false, /^\$Env:DOCKER_HOST = 'unix:\/\/\/Users\/o''neil\/.+'$/m],
      ['sh', true, /^unset DOCKER_HOST SLIPWAY_MACHINE$/m],
      ['fish', true, /^set -e DOCKER_HOST;$/m],
      ['powershell', true, /^Remove-Item Env:\\DOCKER_HOST$/m],
    ];
    for (const [shell, unset, re] of cases) it(`${shell}${unset ? ' --unset' : ''}`, () => assert.match(envLines(shell, host, 'dev', unset), re));
    it('rejects an unknown shell', () => assert.throws(() => envLines('csh', host, 'dev', false), /--shell must be sh, fish or powershell/));
  });
});
