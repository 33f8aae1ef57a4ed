// Boots a guest image under QEMU for the image test and the boot benchmark, with its own
// minimal command line (the product's is src/machine/qemuArgs.ts; this one only has to
// follow vm-images/CONTRACT.md). Serial goes to QEMU's stdout so lines are seen as they come.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, utils } from 'ssh2';
import { shellQuote } from '../../src/ssh/quote';
import { generateKeyPair } from '../../src/ssh/keys';

export interface BootFiles {
  kernel: string;
  initrd: string;
  cmdline: string;
  /** Disk for /dev/vda. */
  root: string;
  rootFormat: 'raw' | 'qcow2';
  rootReadOnly: boolean;
  /** Disk for /dev/vdb (qcow2), if any. */
  data?: string;
  /** File passed as fw_cfg opt/slipway/seed, if any. */
  seed?: string;
}

export interface Guest {
  proc: ChildProcess;
  sshPort: number;
  qmpPath: string;
  /** Everything the guest printed on its serial console so far. */
  serial(): string;
  /** Resolves with ms since QEMU was spawned when a serial line matches; rejects on exit or an error line. */
  waitForLine(re: RegExp, timeoutMs: number): Promise<number>;
  /** Resolves with QEMU's exit code. */
  exited: Promise<number | null>;
  startedAt: number;
  /** ACPI power button via QMP. */
  powerdown(): Promise<void>;
  kill(): void;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export function createDataDisk(path: string, size = '16G'): void {
  const r = spawnSync('qemu-img', ['create', '-q', '-f', 'qcow2', path, size], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`qemu-img create failed: ${r.stderr || r.error}`);
}

export function createOverlay(path: string, backing: string): void {
  const r = spawnSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'raw', '-b', backing, path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`qemu-img create (overlay) failed: ${r.stderr || r.error}`);
}

const optValue = (s: string) => s.replace(/,/g, ',,');

export async function bootGuest(files: BootFiles, workDir: string, logName = 'serial.log'): Promise<Guest> {
  const sshPort = await freePort();
  const qmpPath = join(workDir, 'qmp.sock');
  const logPath = join(workDir, logName);
  writeFileSync(logPath, '');
  const args = [
    '-machine', 'q35', '-accel', 'tcg,thread=multi', '-cpu', 'max', '-smp', '2', '-m', '2048',
    '-nodefaults', '-display', 'none', '-no-reboot',
    '-kernel', files.kernel, '-initrd', files.initrd, '-append', files.cmdline,
    '-serial', 'stdio',
    '-drive', `if=none,id=root,file=${optValue(files.root)},format=${files.rootFormat}${files.rootReadOnly ? ',readonly=on' : ''}`,
    '-device', 'virtio-blk-pci,drive=root',
  ];
  if (files.data) {
    args.push('-drive', `if=none,id=data,file=${optValue(files.data)},format=qcow2,discard=unmap`, '-device', 'virtio-blk-pci,drive=data');
  }
  args.push(
    '-netdev', `user,id=net0,hostfwd=tcp:127.0.0.1:${sshPort}-:22`,
    '-device', 'virtio-net-pci,netdev=net0,romfile=',
    '-device', 'virtio-rng-pci',
    '-qmp', `unix:${optValue(qmpPath)},server=on,wait=off`,
  );
  if (files.seed) args.push('-fw_cfg', `name=opt/slipway/seed,file=${optValue(files.seed)}`);

  const startedAt = Date.now();
  const proc = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let serial = '';
  let stderr = '';
  const watchers = new Set<(line: string) => void>();
  let pending = '';
  proc.stdout!.on('data', (d: Buffer) => {
    const text = d.toString('utf8');
    serial += text;
    appendFileSync(logPath, text);
    pending += text;
    const lines = pending.split(/\r?\n/);
    pending = lines.pop() ?? '';
    for (const line of lines) for (const w of [...watchers]) w(line);
  });
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));

  const guest: Guest = {
    proc,
    sshPort,
    qmpPath,
    startedAt,
    exited,
    serial: () => serial,
    waitForLine(re, timeoutMs) {
      return new Promise((resolve, reject) => {
        const found = serial.split(/\r?\n/).some((l) => re.test(l));
        if (found) return resolve(Date.now() - startedAt);
        if (done) return reject(new Error(`QEMU exited before ${re}; stderr: ${stderr.trim()}\nserial:\n${serial.slice(-3000)}`));
        const timer = setTimeout(() => finish(new Error(`Timed out after ${timeoutMs} ms waiting for ${re}; serial:\n${serial.slice(-3000)}`)), timeoutMs);
        const onExit = () => finish(new Error(`QEMU exited before ${re}; stderr: ${stderr.trim()}\nserial:\n${serial.slice(-3000)}`));
        const watcher = (line: string) => {
          if (re.test(line)) finish(undefined, Date.now() - startedAt);
          else if (/^slipway: error /.test(line)) finish(new Error(`The guest reported: ${line}\nserial:\n${serial.slice(-3000)}`));
        };
        function finish(err?: Error, ms?: number) {
          clearTimeout(timer);
          watchers.delete(watcher);
          proc.off('exit', onExit);
          if (err) reject(err);
          else resolve(ms!);
        }
        watchers.add(watcher);
        proc.on('exit', onExit);
      });
    },
    powerdown: () => qmp(qmpPath, 'system_powerdown'),
    kill() {
      if (!done) proc.kill('SIGKILL');
    },
  };
  return guest;
}

/** Runs one QMP command (after the capabilities handshake). */
export function qmp(path: string, command: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(path);
    let buf = '';
    let step = 0;
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`QMP ${command} timed out`));
    }, 10_000);
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.on('data', (d) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const msg = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
        buf = buf.slice(nl + 1);
        if (msg.QMP && step === 0) {
          step = 1;
          sock.write(JSON.stringify({ execute: 'qmp_capabilities' }) + '\n');
        } else if ('return' in msg && step === 1) {
          step = 2;
          sock.write(JSON.stringify({ execute: command }) + '\n');
        } else if ('return' in msg && step === 2) {
          clearTimeout(timer);
          sock.end();
          resolve();
        } else if ('error' in msg) {
          clearTimeout(timer);
          sock.destroy();
          reject(new Error(`QMP ${command}: ${JSON.stringify(msg.error)}`));
        }
      }
    });
  });
}

// ---------------------------------------------------------------------------------------
// SSH as the seed user, host key pinned.

export interface Keys {
  user: { private: string; public: string };
  host: { private: string; public: string };
}

export function makeKeys(): Keys {
  // generateKeyPair draws again when ssh2's keygen makes a malformed pair (1 in 256).
  const pair = (comment: string) => {
    const k = generateKeyPair(comment);
    return { private: k.privateKey, public: k.publicKey };
  };
  return { user: pair('guest test user'), host: pair('guest test host') };
}

function publicBlob(pub: string): Buffer {
  const k = utils.parseKey(pub);
  if (k instanceof Error) throw k;
  return (Array.isArray(k) ? k[0] : k).getPublicSSH();
}

/** Runs argv (joined with single quotes; test-only constants) over SSH, pinning the host key. */
export function sshExec(
  port: number,
  keys: Keys,
  user: string,
  argv: string[],
  pinnedHostPub = keys.host.public,
  input?: Buffer,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const cmd = shellQuote(argv);
  const want = publicBlob(pinnedHostPub);
  return new Promise((resolve, reject) => {
    const c = new Client();
    c.on('error', reject);
    c.on('ready', () => {
      c.exec(cmd, (err, stream) => {
        if (err) return reject(err);
        let stdout = '';
        let stderr = '';
        stream.on('data', (d: Buffer) => (stdout += d.toString()));
        stream.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        if (input) stream.end(input);
        stream.on('close', (code: number | null, signal?: string) => {
          c.end();
          // No exit status: say what is known, so a failed assertion shows it.
          if (code === null || code === undefined) stderr += `[the command ended without an exit status${signal ? `: signal ${signal}` : ''}]`;
          resolve({ code: code ?? -1, stdout, stderr });
        });
      });
    });
    c.connect({
      host: '127.0.0.1',
      port,
      username: user,
      privateKey: keys.user.private,
      hostVerifier: (key: Buffer) => key.equals(want),
      readyTimeout: 60_000,
    });
  });
}
