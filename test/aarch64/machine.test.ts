// The aarch64 tier: an aarch64 machine (what Apple silicon Macs run under hvf), on the real QEMU
// (qemu-system-aarch64, TCG here) with the real aarch64 guest image, built when
// absent through qemu-user-static. One boot: the engine answers through the
// forwarded socket and reports arm64, a container runs an arm64 binary, and
// stop powers the guest off through the virt machine's GPIO power key.

import * as assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runInMachine } from '../../src/machine/exec';
import { Machines } from '../../src/machine/machine';
import { MachineSession } from '../../src/machine/session';
import { dockerOk as docker, imageHome, removeTestMachine, requireQemu } from '../machine/fixture';

const NAME = 'arm';

describe('an aarch64 machine (real qemu-system-aarch64 and aarch64 guest image)', function () {
  this.timeout(600_000);
  let home: string;
  let machines: Machines;
  let session: MachineSession | undefined;
  let env: NodeJS.ProcessEnv;

  before(async function () {
    // The first run bootstraps the aarch64 packages under qemu-user (minutes).
    this.timeout(2_400_000);
    requireQemu(this, 'aarch64');
    home = mkdtempSync(path.join(os.tmpdir(), 'slipway-arm-'));
    machines = new Machines({ root: home, imageHome: imageHome(), env: { ...process.env, SLIPWAY_ACCEL: 'tcg' } });
    await machines.create(NAME, { arch: 'aarch64', cpus: 2, memoryMiB: 1024, diskGiB: 4, shares: [] });
    await machines.start(NAME, { onEvent: (e) => e.kind === 'progress' && console.log(`      ${e.message}`) });
    session = await MachineSession.open(machines, NAME);
    env = { ...process.env, DOCKER_HOST: session.dockerHost };
  });

  after(async function () {
    await removeTestMachine({ home, machines, session, name: NAME });
  });

  it('runs an aarch64 guest whose engine answers through the forwarded socket', async () => {
    assert.equal(machines.loadSpec(NAME).arch, 'aarch64');
    assert.equal(await docker(env, 'version', '--format', '{{.Server.Os}}/{{.Server.Arch}}'), 'linux/arm64');
    let out = '';
    const r = await runInMachine(machines, NAME, ['uname', '-m'], { write: (t) => (out += t) });
    assert.equal(r.code, 0);
    assert.equal(out.trim(), 'aarch64');
  });

  it('runs an arm64 container', async () => {
    // An image from the guest's own busybox: the host's binaries are x86_64.
    let out = '';
    const r = await runInMachine(machines, NAME, ['sh', '-c', 'tar -C / -c bin/busybox | docker import -c "CMD [\\"/bin/busybox\\", \\"uname\\", \\"-m\\"]" - arm-busybox:test'], { write: (t) => (out += t) });
    assert.equal(r.code, 0, out);
    assert.equal(await docker(env, 'run', '--rm', 'arm-busybox:test'), 'aarch64');
  });

  it('stops through the GPIO power key (a clean shutdown, not a kill)', async () => {
    await session!.dispose();
    session = undefined;
    assert.equal(await machines.stop(NAME), 'shutdown');
    assert.equal(machines.status(NAME).state, 'stopped');
  });
});
