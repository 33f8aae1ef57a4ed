// Shared-folder benchmarks (issue #5), in one real machine with a virtio-9p share and two
// sshfs shares of host temp folders, measured from inside a container:
//   share.<mech>.seq-write   dd 256 MiB (conv=fsync) into the share        MB/s
//   share.<mech>.seq-read    dd it back after dropping the guest's caches  MB/s
//   share.<mech>.small-files ls -lR + read every file of a 10,000-file tree s
// <mech> is 9p, sshfs (the SFTP stream over the share's virtio-serial port, the transport
// on Linux and macOS hosts) and sshfs-ssh (the same over the SSH channel, the Windows
// transport; small files on a 1,000-file subtree, see below).
// The peer of each is the same work on the guest's own disk (a named volume on the data
// disk) in the same machine, so the figure isolates the cost of sharing from the speed of
// emulation. share.host-native.* prints the same work on the host disk (no peer).
// Targets: large sequential ≥ 50% of guest-local; the small-file tree ≤ 5× guest-local.

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machines } from '../src/machine/machine';
import { MachineSession } from '../src/machine/session';
import { BUSYBOX_IMAGE, busyboxTarball } from '../test/harness/images';
import { dockerCli } from '../test/harness/programs';
import { logSessionTrouble } from '../test/machine/fixture';
import { report, type Bench } from './report';

const MIB = 256;
const DIRS = 100;
const FILES_PER_DIR = 100;

// Prints "<op> <start> <end>" in guest uptime seconds (10 ms resolution; every op takes seconds).
// $2 = "full": the tree op reads all ${DIRS * FILES_PER_DIR} files; "sub": only pkg-0..pkg-9 (1,000 files).
const SCRIPT = `
set -e
D="$1"
t() { read -r u _ < /proc/uptime; echo "$u"; }
drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }
drop; a=$(t); dd if=/dev/zero of="$D/big" bs=1M count=${MIB} conv=fsync 2>/dev/null; b=$(t); echo "write $a $b"
drop; a=$(t); dd if="$D/big" of=/dev/null bs=1M 2>/dev/null; b=$(t); echo "read $a $b"
rm -f "$D/big"
drop; a=$(t); ls -lR "$D"/tree/pkg-? > /dev/null; find "$D"/tree/pkg-? -type f | xargs cat > /dev/null; b=$(t); echo "sub $a $b"
if [ "$2" = full ]; then
  drop; a=$(t); ls -lR "$D/tree" > /dev/null; find "$D/tree" -type f | xargs cat > /dev/null; b=$(t); echo "tree $a $b"
fi
`;

function run(exe: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(exe, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${exe} ${args.join(' ')} failed (${code}): ${err.trim()}`))));
  });
}

function makeTree(root: string): void {
  for (let d = 0; d < DIRS; d++) {
    const dir = join(root, `pkg-${d}`);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < FILES_PER_DIR; f++) writeFileSync(join(dir, `f${f}.js`), `module.exports = ${d * FILES_PER_DIR + f};\n`.padEnd(1024, '/'));
  }
}

interface Figures {
  write: number;
  read: number;
  /** Seconds for the 1,000-file subtree. */
  sub: number;
  /** Seconds for the whole 10,000-file tree (not measured over sshfs-ssh). */
  tree?: number;
}

function parse(out: string): Figures {
  const f: Record<string, number> = {};
  for (const line of out.trim().split('\n')) {
    const [op, a, b] = line.split(' ');
    f[op] = Number(b) - Number(a);
  }
  return { write: MIB / f.write, read: MIB / f.read, sub: f.sub, tree: f.tree };
}

async function inContainer(env: NodeJS.ProcessEnv, mount: string, dir: string, tree: 'full' | 'sub'): Promise<Figures> {
  return parse(await run(dockerCli(), ['run', '--rm', '--privileged', '-v', mount, BUSYBOX_IMAGE, 'sh', '-c', SCRIPT, 'bench', dir, tree], env));
}

/** The same work on the host's disk, timed here (the host's caches are dropped when allowed). */
async function hostNative(dir: string): Promise<{ write: number; read: number; tree: number; cachesDropped: boolean }> {
  const drop = () => spawnSync('sh', ['-c', 'sync; echo 3 > /proc/sys/vm/drop_caches'], { stdio: 'ignore' }).status === 0;
  const time = async (f: () => Promise<unknown>) => {
    const t = process.hrtime.bigint();
    await f();
    return Number(process.hrtime.bigint() - t) / 1e9;
  };
  let cachesDropped = drop();
  const w = await time(() => run('dd', ['if=/dev/zero', `of=${dir}/big`, 'bs=1M', `count=${MIB}`, 'conv=fsync']));
  cachesDropped = drop() && cachesDropped;
  const r = await time(() => run('dd', [`if=${dir}/big`, 'of=/dev/null', 'bs=1M']));
  rmSync(join(dir, 'big'));
  cachesDropped = drop() && cachesDropped;
  const tr = await time(() => run('sh', ['-c', 'ls -lR "$1" > /dev/null && find "$1" -type f | xargs cat > /dev/null', 'bench', join(dir, 'tree')]));
  return { write: MIB / w, read: MIB / r, tree: tr, cachesDropped };
}

async function sharesBench(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'slipway-bench-shares-'));
  const dirs = { '9p': join(work, 'nine-p'), sshfs: join(work, 'sshfs'), 'sshfs-ssh': join(work, 'sshfs-ssh'), host: join(work, 'host') };
  for (const d of Object.values(dirs)) {
    mkdirSync(d);
    makeTree(join(d, 'tree'));
  }
  const imageHome = process.env.SLIPWAY_IMAGE_HOME || process.env.SLIPWAY_HOME || join(homedir(), '.slipway');
  const machines = new Machines({ root: join(work, 'root'), imageHome, env: { ...process.env, SLIPWAY_ACCEL: process.env.SLIPWAY_ACCEL ?? 'tcg' } });
  let session: MachineSession | undefined;
  try {
    await machines.create('bench', {
      cpus: 2,
      memoryMiB: 2048,
      diskGiB: 8,
      shares: [
        { hostPath: dirs['9p'], guestPath: dirs['9p'], readOnly: false, mechanism: '9p' },
        { hostPath: dirs.sshfs, guestPath: dirs.sshfs, readOnly: false, mechanism: 'sshfs' },
        { hostPath: dirs['sshfs-ssh'], guestPath: dirs['sshfs-ssh'], readOnly: false, mechanism: 'sshfs' },
      ],
    });
    await machines.start('bench');
    // The second sshfs share stays on the SSH channel, for comparison.
    session = await MachineSession.open(machines, 'bench', { ports: false, sshfsTransport: (s) => (s.hostPath === dirs['sshfs-ssh'] ? 'ssh' : 'auto') });
    session.onEvent(logSessionTrouble);
    if (session.shareErrors.length) throw new Error(session.shareErrors.map((e) => e.message).join(' '));
    const env = { ...process.env, DOCKER_HOST: session.dockerHost };
    await run(dockerCli(), ['import', '--change', 'ENV PATH=/bin', busyboxTarball(), BUSYBOX_IMAGE], env);
    // The guest-local tree: a copy into a named volume on the data disk.
    await run(dockerCli(), ['run', '--rm', '-v', `${dirs['9p']}:/src`, '-v', 'bench-local:/local', BUSYBOX_IMAGE, 'sh', '-c', 'cp -a /src/tree /local/tree'], env);

    // Each subject's lines are printed as soon as it is measured.
    const local = await inContainer(env, 'bench-local:/local', '/local', 'full');
    const ninep = await inContainer(env, `${dirs['9p']}:${dirs['9p']}`, dirs['9p'], 'full');
    const seq = (mech: string, f: Figures) => {
      report({ name: `share.${mech}.seq-write`, ours: f.write, peer: local.write, unit: 'MB/s', target: `≥0.5 of guest-local (${MIB} MiB dd, conv=fsync)` });
      report({ name: `share.${mech}.seq-read`, ours: f.read, peer: local.read, unit: 'MB/s', target: `≥0.5 of guest-local (${MIB} MiB dd, caches dropped)` });
    };
    seq('9p', ninep);
    report({ name: 'share.9p.small-files', ours: ninep.tree!, peer: local.tree, unit: 's', target: `≤5x guest-local (ls -lR + cat of ${DIRS * FILES_PER_DIR} files)` });
    const host = await hostNative(dirs.host);
    const note = host.cachesDropped ? '' : ', host caches not dropped';
    report({ name: 'share.host-native.seq-write', ours: host.write, unit: 'MB/s', target: `reference: same dd on the host disk${note}` });
    report({ name: 'share.host-native.seq-read', ours: host.read, unit: 'MB/s', target: `reference${note}` });
    report({ name: 'share.host-native.small-files', ours: host.tree, unit: 's', target: `reference (${DIRS * FILES_PER_DIR} files)${note}` });
    const sshfs = await inContainer(env, `${dirs.sshfs}:${dirs.sshfs}`, dirs.sshfs, 'full');
    seq('sshfs', sshfs);
    report({ name: 'share.sshfs.small-files', ours: sshfs.tree!, peer: local.tree, unit: 's', target: `≤5x guest-local (ls -lR + cat of ${DIRS * FILES_PER_DIR} files, over virtio-serial)` });
    // Over the SSH channel under emulation every SFTP request crosses the guest's sshd
    // (encryption in an emulated CPU): the whole tree takes over 20 minutes, so the 1,000-file subtree.
    const viaSsh = await inContainer(env, `${dirs['sshfs-ssh']}:${dirs['sshfs-ssh']}`, dirs['sshfs-ssh'], 'sub');
    seq('sshfs-ssh', viaSsh);
    report({ name: 'share.sshfs-ssh.small-files', ours: viaSsh.sub, peer: local.sub, unit: 's', target: '≤5x guest-local (ls -lR + cat of 1,000 files: the 10,000-file tree takes >20 min over the SSH channel under TCG)' });
  } finally {
    await session?.dispose().catch(() => undefined);
    if (machines.exists('bench')) await machines.delete('bench', { force: true }).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

export const benches: Bench[] = [{ name: 'share.machine', run: sharesBench }];
