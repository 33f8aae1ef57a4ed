// `slipway machine ssh NAME` with no command: an interactive login shell on a real
// terminal (a pty from util-linux's `script`), in the tier's shared machine.

import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { requireQemu, sharedMachine, type SharedMachine } from './fixture';

const CLI = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js');

describe('slipway machine ssh (interactive, real machine)', function () {
  this.timeout(300_000);
  let m: SharedMachine;

  before(async function () {
    this.timeout(1_800_000);
    requireQemu(this);
    m = await sharedMachine();
  });

  it('opens a login shell on a terminal, runs what is typed and returns its exit code', async () => {
    // `script` gives the CLI a pty as stdin/stdout; -e passes the exit code on.
    const child = spawn('script', ['-qec', `${process.execPath} ${CLI} machine ssh ${m.name}`, '/dev/null'], {
      env: { ...process.env, SLIPWAY_HOME: m.machines.root, TERM: 'xterm' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Type once the remote shell has printed something (its prompt).
    for (const deadline = Date.now() + 120_000; !out.trim() && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 100));
    child.stdin.write('tty; echo "marker-$((6 * 7))"; exit 3\n');
    const code = await exited;
    assert.match(out, /marker-42/, out);
    assert.match(out, /\/dev\/pts\/\d+/, `the remote shell has a terminal:\n${out}`);
    assert.equal(code, 3);
  });
});
