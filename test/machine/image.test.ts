// The guest image, end to end: build (or find) it, verify its manifest, boot it under QEMU
// with a blank data disk and a seed, reach dockerd over SSH as the seed user with the host
// key pinned, power it off with the ACPI button, boot again on the same disk and find the
// data still there, then `sudo poweroff` over SSH.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '../../src/ssh/keys';
import { ensureImage, formatSeed, loadImage, type ImageInfo, type Seed } from '../../src/machine/image';
import { bootGuest, createDataDisk, makeKeys, sshExec, type Guest } from './guestBoot';

/** A one-file root filesystem tar: the host's static busybox (Debian busybox-static) and applet links. */
function busyboxTar(dir: string): Buffer {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  copyFileSync('/bin/busybox', join(dir, 'bin', 'busybox'));
  for (const a of ['sh', 'sleep', 'nslookup', 'httpd', 'echo']) symlinkSync('busybox', join(dir, 'bin', a));
  const r = spawnSync('tar', ['-C', dir, '-cf', '-', '.'], { maxBuffer: 64 * 2 ** 20 });
  if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`);
  return r.stdout;
}

const home = process.env.SLIPWAY_HOME ?? join(homedir(), '.slipway');

describe('guest image (vm-images)', function () {
  this.timeout(20 * 60_000);
  let image: ImageInfo;
  let work: string;
  const keys = makeKeys();
  const seed: Seed = {
    hostname: 'slipway-test',
    user: { name: 'dev', uid: 1000, gid: 1000, home: '/home/dev', authorizedKeys: [keys.user.public] },
    hostKey: { ed25519Private: keys.host.private, ed25519Public: keys.host.public },
    mounts: [],
    time: Math.floor(Date.now() / 1000),
  };
  let guest: Guest | undefined;

  before(async () => {
    image = await ensureImage({ home, onProgress: (m) => console.log(`      ${m}`) });
    work = mkdtempSync(join(tmpdir(), 'slipway-image-test-'));
  });

  afterEach(() => guest?.kill());
  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('has a verified manifest with a small initrd and the contract cmdline', async () => {
    const again = await loadImage(image.dir);
    assert.equal(again.recipeHash, image.recipeHash);
    assert.equal(image.arch, 'x86_64');
    assert.match(image.cmdline, /\bpanic=-1\b/);
    assert.match(image.cmdline, /\bconsole=ttyS0\b/);
    assert.ok(statSync(image.initrd).size < 16 * 2 ** 20, 'initrd.img is under 16 MiB');
  });

  it('refuses a missing or corrupt image with a clear error', async () => {
    await assert.rejects(loadImage(join(work, 'nothing-here')), /npm run image/);
    const bad = join(work, 'bad');
    mkdirSync(bad);
    copyFileSync(join(image.dir, 'manifest.json'), join(bad, 'manifest.json'));
    copyFileSync(image.kernel, join(bad, 'vmlinuz'));
    copyFileSync(image.initrd, join(bad, 'initrd.img'));
    writeFileSync(join(bad, 'root.img'), Buffer.alloc(1));
    await assert.rejects(loadImage(bad), /root\.img.*(bytes|corrupt)/);
  });

  it('formats the seed and rejects values the guest could not parse', () => {
    const text = formatSeed(seed);
    assert.match(text, /^slipway-seed 1\nhostname=slipway-test\n/);
    assert.match(text, /^authorized_key=ssh-ed25519 /m);
    const b64 = /^host_key\.ed25519\.private\.b64=(.*)$/m.exec(text)![1];
    assert.equal(Buffer.from(b64, 'base64').toString(), keys.host.private);
    assert.throws(() => formatSeed({ ...seed, user: { ...seed.user, home: '/x\nuser.name=root' } }), /user\.home must be one line/);
    assert.throws(() => formatSeed({ ...seed, user: { ...seed.user, name: 'Bad Name', uid: 0 } }), /user\.name.*; user\.uid 0/);
    assert.throws(() => formatSeed({ ...seed, hostname: 'a.b' }), /hostname/);
  });

  function boot(): Promise<Guest> {
    writeFileSync(join(work, 'seed'), formatSeed(seed), { mode: 0o600 });
    return bootGuest(
      {
        kernel: image.kernel,
        initrd: image.initrd,
        cmdline: image.cmdline,
        root: image.root,
        rootFormat: 'raw',
        rootReadOnly: true,
        data: join(work, 'data.qcow2'),
        seed: join(work, 'seed'),
      },
      work,
    );
  }

  it('boots to ready, serves docker over SSH as the seed user, and powers off on the ACPI button', async () => {
    createDataDisk(join(work, 'data.qcow2'));
    guest = await boot();
    const readyMs = await guest.waitForLine(/^slipway: ready$/, 5 * 60_000);
    console.log(`      first boot (formats the data disk): ready after ${(readyMs / 1000).toFixed(1)} s`);
    for (const s of ['modules', 'data', 'seed', 'sshd', 'containerd', 'dockerd']) {
      assert.match(guest.serial(), new RegExp(`^slipway: stage ${s} \\d+`, 'm'));
    }

    const v = await sshExec(guest.sshPort, keys, 'dev', ['docker', 'version', '--format', '{{.Server.Version}} {{.Server.Os}}']);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout.trim(), /^\d+\.\d+\.\d+\S* linux$/);

    const id = await sshExec(guest.sshPort, keys, 'dev', ['id']);
    assert.match(id.stdout, /uid=1000\(dev\) gid=1000\(dev\) groups=.*\bdocker\b/);
    const sock = await sshExec(guest.sshPort, keys, 'dev', ['stat', '-c', '%U:%G %a', '/var/run/docker.sock']);
    assert.equal(sock.stdout.trim(), 'root:docker 660');
    const host = await sshExec(guest.sshPort, keys, 'dev', ['hostname']);
    assert.equal(host.stdout.trim(), 'slipway-test');

    // Containers: an image from a local tar (host's static busybox), a user network with
    // its embedded DNS, a published port (dockerd runs with iptables=false; docker-proxy and
    // the guest's NAT rule stand in, see vm-images/CONTRACT.md).
    const tar = busyboxTar(join(work, 'bb'));
    const imp = await sshExec(guest.sshPort, keys, 'dev', ['docker', 'import', '-', 'bb:latest'], keys.host.public, tar);
    assert.equal(imp.code, 0, imp.stderr);
    const net = await sshExec(guest.sshPort, keys, 'dev', ['sh', '-c',
      'docker network create n1 >/dev/null && docker run -d --name a1 --network n1 bb:latest sleep 300 >/dev/null && ' +
      'docker run --rm --network n1 bb:latest nslookup a1 127.0.0.11']);
    assert.equal(net.code, 0, net.stderr);
    assert.match(net.stdout, /Name:\s+a1/);
    const pub = await sshExec(guest.sshPort, keys, 'dev', ['sh', '-c',
      'docker run -d -p 127.0.0.1:8088:80 bb:latest sh -c "echo hi > /index.html; exec httpd -f -p 80 -h /" >/dev/null && ' +
      'for i in 1 2 3 4 5 6 7 8 9 10; do curl -fsS http://127.0.0.1:8088/ && exit 0; sleep 1; done; exit 1']);
    assert.equal(pub.stdout.trim(), 'hi', pub.stderr);
    const rm = await sshExec(guest.sshPort, keys, 'dev', ['sh', '-c', 'docker rm -f $(docker ps -aq) >/dev/null']);
    assert.equal(rm.code, 0, rm.stderr);

    // A different pinned host key is refused.
    const other = generateKeyPair('other host').publicKey;
    await assert.rejects(sshExec(guest.sshPort, keys, 'dev', ['true'], other));

    // Data to find again after a reboot: a named volume and a file in the home folder.
    const vol = await sshExec(guest.sshPort, keys, 'dev', ['docker', 'volume', 'create', 'slipway-keep']);
    assert.equal(vol.code, 0, vol.stderr);
    const file = await sshExec(guest.sshPort, keys, 'dev', ['sh', '-c', 'echo kept > "$HOME/keep.txt"']);
    assert.equal(file.code, 0, file.stderr);

    await guest.powerdown();
    const code = await guest.exited;
    assert.equal(code, 0);
    assert.match(guest.serial(), /^slipway: stopped/m);
    assert.doesNotMatch(guest.serial(), /Kernel panic/);
  });

  it('boots again on the same data disk with the data kept, and powers off by `sudo poweroff` over SSH', async () => {
    guest = await boot();
    const readyMs = await guest.waitForLine(/^slipway: ready$/, 5 * 60_000);
    console.log(`      second boot: ready after ${(readyMs / 1000).toFixed(1)} s`);
    const f = await sshExec(guest.sshPort, keys, 'dev', ['cat', '/home/dev/keep.txt']);
    assert.equal(f.stdout.trim(), 'kept');
    const vols = await sshExec(guest.sshPort, keys, 'dev', ['docker', 'volume', 'ls', '-q']);
    assert.match(vols.stdout, /^slipway-keep$/m);

    // Space goes back to the host; shared-folder pieces are present for later.
    const trim = await sshExec(guest.sshPort, keys, 'dev', ['sudo', '/usr/sbin/fstrim', '-v', '/mnt/slipway-data']);
    assert.equal(trim.code, 0, trim.stderr);
    assert.match(trim.stdout, /trimmed/);
    const share = await sshExec(guest.sshPort, keys, 'dev', ['sh', '-c', 'sudo modprobe 9pnet_virtio && sudo modprobe 9p && command -v sshfs && test -c /dev/fuse']);
    assert.equal(share.code, 0, share.stderr);

    // The connection may drop as the guest goes down; only QEMU's exit matters.
    await sshExec(guest.sshPort, keys, 'dev', ['sudo', 'poweroff']).catch(() => undefined);
    const code = await guest.exited;
    assert.equal(code, 0);
    assert.match(guest.serial(), /^slipway: stopped/m);
  });
});
