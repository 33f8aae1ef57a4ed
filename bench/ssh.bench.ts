// Listing 100 containers of a remote engine over ssh://, side by side with
// the usual workaround: OpenSSH's `ssh -L` forwarding the remote socket to a
// local unix socket, read by the same dockerode client. Both go through the
// same real sshd (test/harness/sshd.ts) to the same private dockerd, in one run.
// engine.ssh.connect adds the cold start: first list on a fresh SSH connection
// vs starting `ssh -L` and listing through it.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EngineClient } from '../src/engine/client';
import { startDockerd } from '../test/harness/dockerd';
import { importBusybox } from '../test/harness/images';
import { hashedKnownHostsLine, sshdUnavailable, startSshd, tempHome } from '../test/harness/sshd';
import { medianMs, report, type Bench } from './report';

const COUNT = 100;
const ROUNDS = 15;

export const benches: Bench[] = [
  {
    name: 'engine.ssh.list-100',
    async run() {
      const why = sshdUnavailable();
      if (why) throw new Error(why);
      const d = await startDockerd();
      const sshd = await startSshd();
      const home = tempHome([hashedKnownHostsLine('127.0.0.1', sshd.port, sshd.hostKey)]);
      sshd.authorize(home.publicKey);
      const fwdDir = mkdtempSync(path.join(os.tmpdir(), 'slipway-fwd-'));
      let forward: ChildProcess | undefined;
      const clients: EngineClient[] = [];
      try {
        const image = importBusybox(d.env);
        const local = new EngineClient({ name: 'bench', source: 'setting', host: d.host });
        let next = 0;
        const worker = async () => {
          while (next < COUNT) await local.docker.createContainer({ Image: image, name: `ssh-bench-${next++}`, Cmd: ['true'] });
        };
        await Promise.all(Array.from({ length: 8 }, worker));

        const url = `ssh://root@127.0.0.1:${sshd.port}${d.socket}`;
        const sshOpts = { homeDir: home.home, env: {}, systemKnownHosts: [] };
        const newOurs = () => {
          const c = new EngineClient({ name: 'ours', source: 'setting', host: url }, { ssh: sshOpts });
          clients.push(c);
          return c;
        };
        let n = 0;
        const startForward = async (): Promise<{ client: EngineClient; stop(): void }> => {
          const sock = path.join(fwdDir, `fwd-${n++}.sock`);
          const child = spawn(
            'ssh',
            [
              '-F', '/dev/null',
              '-i', path.join(home.home, '.ssh', 'id_ed25519'),
              '-o', `UserKnownHostsFile=${path.join(home.home, '.ssh', 'known_hosts')}`,
              '-o', 'GlobalKnownHostsFile=/dev/null',
              '-o', 'StrictHostKeyChecking=yes',
              '-o', 'BatchMode=yes',
              '-o', 'ExitOnForwardFailure=yes',
              '-N', '-L', `${sock}:${d.socket}`,
              '-p', String(sshd.port),
              'root@127.0.0.1',
            ],
            { stdio: ['ignore', 'ignore', 'pipe'] },
          );
          let err = '';
          child.stderr!.on('data', (b: Buffer) => (err += b));
          while (!existsSync(sock)) {
            if (child.exitCode !== null) throw new Error(`ssh -L exited: ${err}`);
            await new Promise((r) => setTimeout(r, 2));
          }
          const client = new EngineClient({ name: 'peer', source: 'setting', host: `unix://${sock}` });
          return { client, stop: () => child.kill() };
        };
        const list = async (c: EngineClient) => {
          const rows = await c.listContainers();
          if (rows.length < COUNT) throw new Error(`listed ${rows.length} containers`);
        };
        const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];

        // Warm: one SSH connection each, kept for the whole series.
        const ours = newOurs();
        const fwd = await startForward();
        forward = { kill: fwd.stop } as ChildProcess;
        await list(ours);
        await list(fwd.client);
        const o: number[] = [];
        const p: number[] = [];
        for (let i = 0; i < ROUNDS; i++) {
          o.push(await medianMs(1, () => list(ours)));
          p.push(await medianMs(1, () => list(fwd.client)));
        }
        report({ name: 'engine.ssh.list-100', ours: med(o), peer: med(p), unit: 'ms', target: 'ratio≤1.2 vs dockerode over an OpenSSH `ssh -L` unix-socket forward (same sshd, warm connections)' });
        fwd.stop();
        forward = undefined;

        // Cold: a fresh SSH connection per sample (the client is disposed, so the pool closes it).
        ours.dispose();
        const oc: number[] = [];
        const pc: number[] = [];
        for (let i = 0; i < 7; i++) {
          oc.push(
            await medianMs(1, async () => {
              const c = newOurs();
              await list(c);
              c.dispose();
            }),
          );
          let f: { client: EngineClient; stop(): void } | undefined;
          pc.push(
            await medianMs(1, async () => {
              f = await startForward();
              await list(f.client);
            }),
          );
          f?.stop();
        }
        report({ name: 'engine.ssh.connect', ours: med(oc), peer: med(pc), unit: 'ms', target: 'ratio≤1.5 vs starting `ssh -L` and listing through it with dockerode (handshake + login + first list of 100)' });
      } finally {
        forward?.kill();
        clients.forEach((c) => c.dispose());
        home.dispose();
        rmSync(fwdDir, { recursive: true, force: true });
        await sshd.stop();
        await d.stop();
      }
    },
  },
];
