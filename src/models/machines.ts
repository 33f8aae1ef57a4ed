// The Machines view as a pure function of `Machines.list()` (src/machine).

import type { MachineStatus } from '../machine/machine';
import type { IconSpec, ResourceNode } from './icons';

export interface MachineNode extends ResourceNode {
  kind: 'machine';
  state: MachineStatus['state'];
  dockerHost: string;
}

const ICONS: Record<MachineStatus['state'], IconSpec> = {
  running: { id: 'vm-running', color: 'charts.green' },
  starting: { id: 'loading~spin' },
  stopping: { id: 'loading~spin' },
  stopped: { id: 'vm-outline' },
  broken: { id: 'error', color: 'errorForeground' },
};

function resources(m: MachineStatus): string {
  const s = m.spec;
  if (!s) return '';
  const mem = s.memoryMiB >= 1024 ? `${+(s.memoryMiB / 1024).toFixed(1)} GiB` : `${s.memoryMiB} MiB`;
  return `${s.cpus} CPU${s.cpus === 1 ? '' : 's'} · ${mem} · ${s.diskGiB} GiB disk`;
}

export function machineNode(m: MachineStatus): MachineNode {
  const res = resources(m);
  const accel = m.state === 'running' && m.accel === 'tcg' ? 'emulated (slow)' : '';
  const description = m.state === 'broken' ? (m.error ?? 'broken') : [m.state, res, accel].filter(Boolean).join(' · ');
  const tooltip = [
    `Machine ${m.name}: ${m.state}`,
    m.error ? `Problem: ${m.error}` : '',
    res ? `Resources: ${res}` : '',
    m.spec ? `Architecture: ${m.spec.arch}` : '',
    m.accel ? `Accelerator: ${m.accel}${m.accel === 'tcg' ? ' (no hardware virtualization: everything runs much slower)' : ''}` : '',
    m.sshPort ? `SSH: 127.0.0.1:${m.sshPort}` : '',
    m.dockerHost ? `Docker: ${m.dockerHost}` : '',
    m.startedAt ? `Started: ${m.startedAt}` : '',
  ]
    .filter(Boolean)
    .join('\n');
  return {
    kind: 'machine',
    id: m.name,
    name: m.name,
    label: m.name,
    description,
    tooltip,
    icon: ICONS[m.state],
    contextValue: `machine ${m.state}`,
    state: m.state,
    dockerHost: m.dockerHost,
  };
}

export function buildMachineList(list: readonly MachineStatus[]): MachineNode[] {
  return list.map(machineNode).sort((a, b) => a.name.localeCompare(b.name));
}
