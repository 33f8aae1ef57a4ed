// Volumes and Networks views as pure functions of the engine's lists.

import { shortId } from './format';
import type { ResourceNode } from './nodes';
import type { VolumeSummary, NetworkSummary } from '../engine/resources';

/** A volume (id = its name) or a network (id = its id). */
export interface LeafNode extends ResourceNode {
  kind: 'volume' | 'network';
}

/** Anonymous volumes are named by a 64-hex-digit id. */
export function isAnonymousVolume(name: string): boolean {
  return /^[0-9a-f]{64}$/.test(name);
}

export function buildVolumeList(list: readonly VolumeSummary[]): LeafNode[] {
  return list
    .map((v) => {
      const anonymous = isAnonymousVolume(v.Name);
      const project = v.Labels?.['com.docker.compose.project'];
      const parts = [v.Driver, project ? `compose: ${project}` : '', anonymous ? 'anonymous' : ''].filter(Boolean);
      return {
        kind: 'volume' as const,
        id: v.Name,
        name: v.Name,
        label: anonymous ? shortId(v.Name) : v.Name,
        description: parts.join(' · '),
        tooltip: [`Volume ${v.Name}`, `Driver: ${v.Driver}`, `Mountpoint: ${v.Mountpoint}`, v.CreatedAt ? `Created: ${v.CreatedAt}` : '']
          .filter(Boolean)
          .join('\n'),
        icon: { id: 'database' },
        contextValue: anonymous ? 'volume anonymous' : 'volume',
      };
    })
    .sort((a, b) => Number(a.contextValue.includes('anonymous')) - Number(b.contextValue.includes('anonymous')) || a.label.localeCompare(b.label));
}

/** The networks every engine creates and that cannot be removed. */
export const BUILTIN_NETWORKS = new Set(['bridge', 'host', 'none']);

export function buildNetworkList(list: readonly NetworkSummary[]): LeafNode[] {
  return list
    .map((n) => {
      const builtin = BUILTIN_NETWORKS.has(n.Name);
      const subnets = (n.IPAM?.Config ?? []).map((c) => c.Subnet).filter(Boolean);
      const parts = [n.Driver === 'null' ? '' : n.Driver, n.Scope !== 'local' ? n.Scope : '', n.Internal ? 'internal' : '', builtin ? 'built-in' : ''].filter(Boolean);
      return {
        kind: 'network' as const,
        id: n.Id,
        name: n.Name,
        label: n.Name,
        description: parts.join(' · '),
        tooltip: [`Network ${n.Name} (${shortId(n.Id)})`, `Driver: ${n.Driver}`, subnets.length ? `Subnet: ${subnets.join(', ')}` : '', builtin ? 'Built-in: cannot be removed' : '']
          .filter(Boolean)
          .join('\n'),
        icon: { id: builtin ? 'lock' : 'type-hierarchy' },
        contextValue: builtin ? 'network builtin' : 'network',
      };
    })
    .sort((a, b) => Number(b.contextValue.includes('builtin')) - Number(a.contextValue.includes('builtin')) || a.label.localeCompare(b.label));
}
