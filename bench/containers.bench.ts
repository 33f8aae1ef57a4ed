// Listing 1,000 containers and building the Containers tree, side by side
// with `docker ps -a --no-trunc --format json` plus parsing its output, on
// the same private dockerd in the same run.

import { spawnSync } from 'node:child_process';
import { EngineClient } from '../src/engine/client';
import { buildContainerTree } from '../src/models/containers';
import { startDockerd } from '../test/harness/dockerd';
import { dockerCli } from '../test/harness/programs';
import { importBusybox } from '../test/harness/images';
import { medianMs, report, type Bench } from './report';

const COUNT = 1000;

export const benches: Bench[] = [
  {
    name: 'containers.list-1000',
    async run() {
      const d = await startDockerd();
      try {
        const image = importBusybox(d.env);
        const client = new EngineClient({ name: 'bench', source: 'setting', host: d.host });
        // Create the containers through the API, a few at a time.
        let next = 0;
        const worker = async () => {
          while (next < COUNT) {
            const i = next++;
            await client.docker.createContainer({
              Image: image,
              name: `bench-${i}`,
              Cmd: ['sleep', '1'],
              Labels: i % 4 === 0 ? { 'com.docker.compose.project': `proj-${i % 20}`, 'com.docker.compose.service': 'svc' } : {},
            });
          }
        };
        await Promise.all(Array.from({ length: 8 }, worker));

        const cli = dockerCli();
        const cliArgs = ['ps', '-a', '--no-trunc', '--format', 'json'];
        const probe = spawnSync(cli, cliArgs, { env: d.env, encoding: 'utf8' });
        if (probe.status !== 0 || !probe.stdout.trimStart().startsWith('{')) cliArgs[4] = '{{json .}}'; // CLI older than 23
        const peerOnce = () => {
          const r = spawnSync(cli, cliArgs, { env: d.env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
          if (r.status !== 0) throw new Error(`docker ps failed: ${r.stderr}`);
          const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
          if (rows.length < COUNT) throw new Error(`docker ps listed ${rows.length}`);
        };
        const oursOnce = async () => {
          const tree = buildContainerTree(await client.listContainers(), { groupBy: 'composeProject', sortBy: 'name' });
          if (!tree.length) throw new Error('empty tree');
        };
        // Warm both paths once, then alternate so neither gets a quieter machine.
        peerOnce();
        await oursOnce();
        const ours: number[] = [];
        const peer: number[] = [];
        for (let i = 0; i < 7; i++) {
          ours.push(await medianMs(1, oursOnce));
          peer.push(await medianMs(1, peerOnce));
        }
        const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
        report({ name: 'containers.list-1000', ours: med(ours), peer: med(peer), unit: 'ms', target: 'ratio≤0.5 vs docker ps -a --no-trunc --format json + parse' });
      } finally {
        await d.stop();
      }
    },
  },
];
