// Machine boot benchmarks (TCG here):
//   machine.boot      QEMU spawn → "slipway: ready" (dockerd answers /_ping, sshd listens) on a
//                     warm data disk, median of N boots; the peer boots the same Debian packages
//                     the conventional way (Debian's stock initrd, systemd as PID 1, ready when
//                     docker.service and ssh.service are up), built by vm-images/build.mjs
//                     --variant systemd. Boots alternate ours/peer so host load hits both alike.
//   machine.idle-mem  guest memory in use (MemTotal - MemAvailable) 30 s after ready.
//   machine.idle-cpu  host CPU seconds used by the idle QEMU process over 60 s.
//   machine.start-<arch>  `Machines.start` (what `slipway machine start` and the extension
//                     run) of an x86_64 and an aarch64 machine, warm data disk, until the
//                     engine answers through the forwarded socket; median of N. No peer.
// SLIPWAY_BENCH_BOOTS sets N (default 3).

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureImage, formatSeed, type ImageInfo } from '../src/machine/image';
import { Machines } from '../src/machine/machine';
import type { GuestArch } from '../src/machine/spec';
import { bootGuest, createDataDisk, createOverlay, makeKeys, sshExec, type Guest, type Keys } from '../test/machine/guestBoot';
import { report, type Bench } from './report';

const home = process.env.SLIPWAY_HOME ?? join(homedir(), '.slipway');
const READY = /^slipway: ready$/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

interface Subject {
  work: string;
  image: ImageInfo;
  keys: Keys;
  boot(): Promise<Guest>;
}

function ours(image: ImageInfo): Subject {
  const work = mkdtempSync(join(tmpdir(), 'slipway-bench-ours-'));
  const keys = makeKeys();
  writeFileSync(
    join(work, 'seed'),
    formatSeed({
      hostname: 'bench',
      user: { name: 'dev', uid: 1000, gid: 1000, home: '/home/dev', authorizedKeys: [keys.user.public] },
      hostKey: { ed25519Private: keys.host.private, ed25519Public: keys.host.public },
      mounts: [],
      time: Math.floor(Date.now() / 1000),
    }),
    { mode: 0o600 },
  );
  createDataDisk(join(work, 'data.qcow2'));
  return {
    work,
    image,
    keys,
    boot: () =>
      bootGuest(
        { kernel: image.kernel, initrd: image.initrd, cmdline: image.cmdline, root: image.root, rootFormat: 'raw', rootReadOnly: true, data: join(work, 'data.qcow2'), seed: join(work, 'seed') },
        work,
      ),
  };
}

function peer(image: ImageInfo): Subject {
  const work = mkdtempSync(join(tmpdir(), 'slipway-bench-systemd-'));
  // A writable layer over the peer's root image, kept across its boots (a warm, conventional VM).
  createOverlay(join(work, 'root.qcow2'), image.root);
  return {
    work,
    image,
    keys: makeKeys(),
    boot: () =>
      bootGuest({ kernel: image.kernel, initrd: image.initrd, cmdline: image.cmdline, root: join(work, 'root.qcow2'), rootFormat: 'qcow2', rootReadOnly: false }, work),
  };
}

/** Boots, waits for ready, powers off (ACPI, then kill after 60 s); returns ms to ready. */
async function bootOnce(s: Subject): Promise<number> {
  const g = await s.boot();
  try {
    return await g.waitForLine(READY, 10 * 60_000);
  } finally {
    await g.powerdown().catch(() => undefined);
    await Promise.race([g.exited, sleep(60_000)]);
    g.kill();
    await g.exited;
  }
}

const boot: Bench = {
  name: 'machine.boot',
  async run() {
    const log = (m: string) => console.error(`  ${m}`);
    const a = ours(await ensureImage({ home, onProgress: log }));
    const b = peer(await ensureImage({ home, onProgress: log, variant: 'systemd' }));
    try {
      const n = Number(process.env.SLIPWAY_BENCH_BOOTS ?? 3);
      // Warm-up: our first boot formats the data disk; the peer's first boot initializes its root.
      log(`warm-up: ours ${(await bootOnce(a)) / 1000} s, systemd ${(await bootOnce(b)) / 1000} s`);
      const t: { ours: number[]; peer: number[] } = { ours: [], peer: [] };
      for (let i = 0; i < n; i++) {
        t.ours.push(await bootOnce(a));
        t.peer.push(await bootOnce(b));
        log(`boot ${i + 1}/${n}: ours ${t.ours[i] / 1000} s, systemd ${t.peer[i] / 1000} s`);
      }
      report({ name: 'machine.boot', ours: median(t.ours) / 1000, peer: median(t.peer) / 1000, unit: 's', target: '≤12s and ≤1/3 of systemd (TCG)' });
    } finally {
      // The last serial logs stay for a look at where the time went.
      for (const [s, n] of [[a, 'ours'], [b, 'systemd']] as const) {
        try {
          copyFileSync(join(s.work, 'serial.log'), join(tmpdir(), `slipway-bench-boot-${n}.log`));
        } catch {
          // no boot happened
        }
      }
      rmSync(a.work, { recursive: true, force: true });
      rmSync(b.work, { recursive: true, force: true });
    }
  },
};

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  // fields[0] is state (field 3); utime and stime are fields 14 and 15.
  return (Number(fields[11]) + Number(fields[12])) / ticks;
}

const idle: Bench = {
  name: 'machine.idle',
  async run(prefixes) {
    const want = (n: string) => !prefixes.length || prefixes.some((p) => n.startsWith(p) || p.startsWith(n));
    const s = ours(await ensureImage({ home, onProgress: (m) => console.error(`  ${m}`) }));
    let g: Guest | undefined;
    try {
      // Two boots: the first formats the data disk; measure the machine as users have it.
      await bootOnce(s);
      g = await s.boot();
      await g.waitForLine(READY, 10 * 60_000);
      await sleep(30_000);
      if (want('machine.idle-mem')) {
        const r = await sshExec(g.sshPort, s.keys, 'dev', ['cat', '/proc/meminfo']);
        const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(r.stdout)?.[1]);
        report({ name: 'machine.idle-mem', ours: (kb('MemTotal') - kb('MemAvailable')) / 1024, unit: 'MiB', target: 'report (guest RAM in use when idle)' });
      }
      if (want('machine.idle-cpu')) {
        const pid = g.proc.pid!;
        const c0 = cpuSeconds(pid);
        await sleep(60_000);
        report({ name: 'machine.idle-cpu', ours: cpuSeconds(pid) - c0, unit: 's', target: 'report (host CPU s per 60 s idle)' });
      }
    } finally {
      if (g) {
        await g.powerdown().catch(() => undefined);
        await Promise.race([g.exited, sleep(60_000)]);
        g.kill();
      }
      rmSync(s.work, { recursive: true, force: true });
    }
  },
};

function startBench(arch: GuestArch): Bench {
  const name = `machine.start-${arch}`;
  return {
    name,
    async run() {
      const root = mkdtempSync(join(tmpdir(), `slipway-bench-start-${arch}-`));
      const machines = new Machines({ root, imageHome: home, env: { ...process.env, SLIPWAY_ACCEL: process.env.SLIPWAY_ACCEL ?? 'tcg' } });
      try {
        await machines.create('bench', { arch, cpus: 2, memoryMiB: 2048, diskGiB: 16, shares: [] });
        const once = async () => {
          const t0 = Date.now();
          await machines.start('bench', { onEvent: (e) => e.kind === 'progress' && console.error(`  ${e.message}`) });
          const ms = Date.now() - t0;
          await machines.stop('bench');
          return ms;
        };
        console.error(`  ${name} warm-up (formats the data disk): ${(await once()) / 1000} s`);
        const t: number[] = [];
        for (let i = 0; i < Number(process.env.SLIPWAY_BENCH_BOOTS ?? 3); i++) t.push(await once());
        console.error(`  ${name}: ${t.map((x) => x / 1000).join(' s, ')} s`);
        report({ name, ours: median(t) / 1000, unit: 's', target: `report (TCG here; start until the engine answers, ${arch === 'aarch64' ? 'virt' : 'q35'})` });
      } finally {
        if (machines.exists('bench')) await machines.delete('bench', { force: true }).catch(() => undefined);
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}

export const benches: Bench[] = [boot, idle, startBench('x86_64'), startBench('aarch64')];
