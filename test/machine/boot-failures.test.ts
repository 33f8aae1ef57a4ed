// A guest kernel that panics while booting, on the real QEMU with the real
// image: start boots once more (under TCG the kernel's boot-time code patching
// now and then crashes a boot), then fails with the kernel's own reason instead
// of QEMU's silent "exit 0", and leaves the machine stopped and its disk intact.
// The panic is provoked by a kernel command line that names an init that does
// not exist, so the kernel falls back to a root device it cannot open.

import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureImage } from '../../src/machine/image';
import { Machines } from '../../src/machine/machine';
import { type MachineEvent } from '../../src/machine/status';
import { imageHome, requireQemu } from './fixture';

describe('a guest kernel panic at boot (real QEMU and guest image)', function () {
  this.timeout(600_000);
  let home: string;
  let machines: Machines;

  before(async function () {
    requireQemu(this);
    home = mkdtempSync(path.join(os.tmpdir(), 'slipway-panic-'));
    const image = await ensureImage({ home: imageHome() });
    machines = new Machines({
      root: home,
      resolveImage: async () => ({ ...image, cmdline: `${image.cmdline} rdinit=/no-such-init` }),
      env: { ...process.env, SLIPWAY_ACCEL: process.env.SLIPWAY_ACCEL ?? 'tcg' },
    });
  });

  after(() => {
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('boots once more, then names the panic and leaves the machine stopped', async () => {
    await machines.create('panicky', { cpus: 1, memoryMiB: 512, diskGiB: 4 });
    const events: MachineEvent[] = [];
    await assert.rejects(machines.start('panicky', { onEvent: (e) => events.push(e) }), (err: Error) => {
      assert.match(err.message, /^QEMU exited before machine "panicky" was ready: its kernel crashed \(kernel panic: VFS: Unable to mount root fs.*\) \(logs: /);
      return true;
    });
    const retries = events.filter((e) => e.kind === 'warning' && /kernel crashed while booting/.test(e.message));
    assert.equal(retries.length, 1, 'exactly one more boot');
    assert.match((retries[0] as { message: string }).message, /^The machine's kernel crashed while booting \(VFS: Unable to mount root fs.*\); starting it once more\.$/);
    assert.equal(events.filter((e) => e.kind === 'stage' && e.stage === 'boot').length, 1, 'one boot stage for the user, however many tries');
    const paths = machines.paths('panicky');
    assert.equal(machines.status('panicky').state, 'stopped');
    assert.ok(statSync(paths.dataDisk).size > 0, 'the data disk is kept');
    assert.match(readFileSync(paths.serialLog, 'utf8'), /Kernel panic - not syncing/);
  });
});
