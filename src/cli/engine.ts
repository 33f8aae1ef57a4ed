// `slipway engine`: which engine Slipway would use and whether it answers.

import * as os from 'node:os';
import { EngineClient, ConnectError } from '../engine/client';
import { nodeContextFiles } from '../engine/dockerContext';
import { resolveEndpoints } from '../engine/endpoint';
import { currentRoot } from '../machine/layout';
import { Machines } from '../machine/machine';
import { UsageError, type Command } from './command';

const HELP = `Usage: slipway engine [--host URL] [--containers] [--json]

Shows the engine endpoints Slipway tries, in order (DOCKER_HOST, the current
docker context, running Slipway machines, the default socket), and which one
answers. URL forms: unix:///path, npipe:////./pipe/name, tcp://host:port,
ssh://user@host[:port][/path/to/docker.sock] (host key from ~/.ssh/known_hosts).

  --containers   also list the containers of the engine that answers`;

export const engineCommand: Command = {
  name: 'engine',
  summary: 'show which Docker engine is used and whether it answers',
  async run(args, io) {
    let host: string | undefined;
    let json = false;
    let containers = false;
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a === '--help' || a === '-h') {
        io.stdout.write(HELP + '\n');
        return 0;
      } else if (a === '--json') json = true;
      else if (a === '--containers') containers = true;
      else if (a === '--host') {
        host = args[++i];
        if (!host) throw new UsageError('--host needs a value, e.g. unix:///var/run/docker.sock');
      } else throw new UsageError(`unknown option "${a}"\n\n${HELP}`);
    }
    const machines = new Machines({ root: currentRoot(io.env) })
      .list()
      .filter((m) => m.state === 'running' && m.dockerSocketServed && m.dockerHost)
      .map((m) => ({ name: m.name, dockerHost: m.dockerHost }));
    const endpoints = resolveEndpoints({ setting: host, env: io.env, platform: process.platform, homeDir: os.homedir(), files: nodeContextFiles, machines });
    const results: EndpointResult[] = [];
    for (const ep of endpoints) {
      let client: EngineClient | undefined;
      try {
        client = new EngineClient(ep, { timeoutMs: 5000 });
        const id = await client.identify();
        const list = containers ? (await client.listContainers()).map(containerRow) : undefined;
        results.push({ endpoint: ep.name, host: ep.host, ok: true, version: id.version, apiVersion: id.apiVersion, os: id.os, arch: id.arch, containers: list });
        break;
      } catch (err) {
        const reason = err instanceof ConnectError ? `${err.problem.reason} ${err.problem.fix}` : (err as Error).message;
        results.push({ endpoint: ep.name, host: ep.host, ok: false, reason });
      } finally {
        // An ssh:// client holds an SSH connection; let the process exit.
        client?.dispose();
      }
    }
    if (json) io.stdout.write(JSON.stringify(results, null, 2) + '\n');
    else
      for (const r of results) {
        io.stdout.write(r.ok ? `✔ ${r.endpoint} (${r.host}): Docker ${r.version}, API ${r.apiVersion}, ${r.os}/${r.arch}\n` : `✘ ${r.endpoint} (${r.host}): ${r.reason}\n`);
        for (const c of r.containers ?? []) io.stdout.write(`  ${c.id.slice(0, 12)}  ${c.name}  ${c.state}  ${c.image}\n`);
      }
    return results.some((r) => r.ok) ? 0 : 1;
  },
};

interface ContainerRow {
  id: string;
  name: string;
  state: string;
  image: string;
}

interface EndpointResult {
  endpoint: string;
  host: string;
  ok: boolean;
  version?: string;
  apiVersion?: string;
  os?: string;
  arch?: string;
  reason?: string;
  containers?: ContainerRow[];
}

function containerRow(c: { Id: string; Names?: string[]; State?: string; Image?: string }): ContainerRow {
  return { id: c.Id, name: (c.Names?.[0] ?? '').replace(/^\//, ''), state: c.State ?? '', image: c.Image ?? '' };
}
