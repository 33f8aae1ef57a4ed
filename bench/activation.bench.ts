// Extension activation: require + activate of the production bundle with a
// minimal host, in fresh processes; no engine call may happen during it.

import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { report, type Bench } from './report';

export const benches: Bench[] = [
  {
    name: 'extension.activation',
    async run() {
      const runs: { requireMs: number; activateMs: number; connectsDuringActivation: number; commands: number }[] = [];
      for (let i = 0; i < 15; i++) {
        const r = spawnSync(process.execPath, [path.join(__dirname, 'activationChild.js')], { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: '' } });
        if (r.status !== 0) throw new Error(`activation child failed: ${r.stderr}`);
        runs.push(JSON.parse(r.stdout.trim().split('\n').at(-1)!));
      }
      const total = runs.map((r) => r.requireMs + r.activateMs).sort((a, b) => a - b);
      const median = total[Math.floor(total.length / 2)];
      const connects = Math.max(...runs.map((r) => r.connectsDuringActivation));
      report({ name: 'extension.activation', ours: median, unit: 'ms', target: '≤20ms (require+activate, median of 15 fresh processes)' });
      report({ name: 'extension.activation.engine-calls', ours: connects, unit: '', target: '0 connections during activate()' });
      if (connects !== 0) throw new Error(`activate() opened ${connects} connections`);
    },
  },
];
