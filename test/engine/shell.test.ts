// Attach Shell's engine half: an exec session with a real pty that follows
// the terminal's size, and ends with the shell's exit code.

import assert from 'node:assert/strict';
import { EngineClient } from '../../src/engine/client';
import { docker } from '../harness/images';
import { daemon, fixture, unique, waitFor } from './fixture';

describe('interactive exec (real dockerd)', () => {
  it('runs a shell in a real pty, resizes it, and reports the exit code', async () => {
    const name = unique('shell');
    const id = docker(daemon().env, 'run', '-d', '--name', name, fixture.image!, 'sleep', '1000');
    try {
      const client = new EngineClient({ name: 'test', source: 'setting', host: daemon().host });
      const session = await client.execInteractive(id, ['/bin/sh'], { rows: 24, cols: 80 }, name);
      let out = '';
      session.stream.on('data', (d: Buffer) => (out += d.toString()));
      session.stream.write('stty size\n');
      await waitFor('the first size', () => /\b24 80\b/.test(out));
      await session.resize(33, 101);
      session.stream.write('stty size; tty\n');
      // Both answers, in order: the new size, then the terminal's name (a real pty, not pipes).
      await waitFor('the new size and the pty', () => /\b33 101\b[\s\S]*\/dev\/pts\/\d+/.test(out)).catch((e) => {
        throw new Error(e.message + ': ' + JSON.stringify(out));
      });
      const ended = new Promise((r) => session.stream.once('end', r));
      session.stream.write('exit 7\n');
      await ended;
      assert.equal(await session.exitCode(), 7);
    } finally {
      docker(daemon().env, 'rm', '-f', name);
    }
  });

  it('says which container when the exec cannot start', async () => {
    const client = new EngineClient({ name: 'test', source: 'setting', host: daemon().host });
    const name = unique('stopped');
    const id = docker(daemon().env, 'create', '--name', name, fixture.image!, 'true');
    try {
      await assert.rejects(client.execInteractive(id, ['/bin/sh'], { rows: 24, cols: 80 }, name), new RegExp(`Could not open a shell in container "${name}": .*not running`));
    } finally {
      docker(daemon().env, 'rm', '-f', name);
    }
  });
});
