// The Machines view as a pure function of `Machines.list()` (src/machine).

import type { MachineStatus } from '../machine/status';
import type { IconSpec, ResourceNode } from './nodes';

export interface ShareNode extends ResourceNode {
  kind: 'share';
  hostPath: string;
}

export interface MachineNode extends ResourceNode {
  kind: 'machine';
  state: MachineStatus['state'];
  dockerHost: string;
  /** The shared folders: as mounted when running (with the mechanism chosen), as configured otherwise. */
  children?: ShareNode[];
}

const MECHANISM_TEXT: Record<string, string> = {
  '9p': 'virtio-9p',
  sshfs: 'sshfs (served by Slipway over SSH)',
  'sshfs-port': 'sshfs (served by Slipway over a virtio-serial port)',
  auto: 'virtio-9p or sshfs, chosen at start',
};

/** A running sshfs share whose machine gave it a virtio-serial port (src/machine/sshfsMounts.ts falls back to SSH without one). */
function sshfsOverPort(s: { mechanism: string; sftpSocket?: string }): boolean {
  return s.mechanism === 'sshfs' && !!s.sftpSocket;
}

function shareNodes(m: MachineStatus): ShareNode[] {
  const shares = m.shares ?? m.spec?.shares ?? [];
  return shares.map((s) => {
    const samePath = s.guestPath === s.hostPath;
    const mech = s.mechanism === 'auto' ? '' : sshfsOverPort(s) ? 'sshfs over virtio-serial' : s.mechanism;
    return {
      kind: 'share',
      id: `${m.name}:${s.guestPath}`,
      name: s.hostPath,
      label: s.hostPath,
      description: [samePath ? '' : `→ ${s.guestPath}`, mech, s.readOnly ? 'read-only' : ''].filter(Boolean).join(' · '),
      tooltip: [
        `Shared folder ${s.hostPath}`,
        `In the machine at: ${s.guestPath}`,
        `Mechanism: ${sshfsOverPort(s) ? MECHANISM_TEXT['sshfs-port'] : (MECHANISM_TEXT[s.mechanism] ?? s.mechanism)}`,
        s.readOnly ? 'Read-only in the machine' : 'Read-write; files the machine creates belong to you on this computer',
      ].join('\n'),
      icon: { id: s.readOnly ? 'lock' : 'folder' },
      contextValue: 'machine-share',
      hostPath: s.hostPath,
    };
  });
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
  const used = m.diskUsedBytes === undefined ? '' : `${gib(m.diskUsedBytes)} of `;
  return `${s.cpus} CPU${s.cpus === 1 ? '' : 's'} · ${mem} · ${used}${s.diskGiB} GiB disk`;
}

/** Bytes as GiB with one decimal below 10 GiB ("0.4", "3.1", "12"). */
function gib(bytes: number): string {
  const g = bytes / 1024 ** 3;
  return g < 10 ? g.toFixed(1) : g.toFixed(0);
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
    children: shareNodes(m).length ? shareNodes(m) : undefined,
  };
}

export function buildMachineList(list: readonly MachineStatus[]): MachineNode[] {
  return list.map(machineNode).sort((a, b) => a.name.localeCompare(b.name));
}
