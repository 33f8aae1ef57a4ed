// The Containers tree as a pure function of `GET /containers/json?all=1`.
// Everything a tree item shows (label, description, tooltip, icon, context
// value) is computed here so it is tested without VS Code.

import type { IconSpec, ResourceNode } from './nodes';
import { shortId } from './format';
import type { ContainerSummary } from '../engine/resources';

export type ContainerState =
  | 'running'
  | 'healthy'
  | 'starting'
  | 'unhealthy'
  | 'paused'
  | 'restarting'
  | 'exited'
  | 'created'
  | 'removing'
  | 'dead';

export interface PublishedPort {
  hostIp: string;
  hostPort: number;
  containerPort: number;
  protocol: string;
}

export interface ContainerNode extends ResourceNode {
  kind: 'container';
  state: ContainerState;
  ports: PublishedPort[];
  project?: string;
  created: number;
}

export interface ContainerGroupNode {
  kind: 'group';
  /** Stable id: `project:<name>` or `individual`. */
  id: string;
  label: string;
  description: string;
  icon: IconSpec;
  contextValue: string;
  project?: string;
  children: ContainerNode[];
}

export type ContainerGrouping = 'composeProject' | 'none';
export type ContainerSort = 'name' | 'created' | 'status';

export interface ContainerTreeOptions {
  groupBy: ContainerGrouping;
  sortBy: ContainerSort;
}

export const COMPOSE_PROJECT = 'com.docker.compose.project';
export const COMPOSE_SERVICE = 'com.docker.compose.service';
export const INDIVIDUAL_GROUP_LABEL = 'Individual containers';

export function containerState(c: Pick<ContainerSummary, 'State' | 'Status'>): ContainerState {
  const state = (c.State || '').toLowerCase();
  if (state === 'running') {
    const status = c.Status || '';
    if (/\(unhealthy\)/.test(status)) return 'unhealthy';
    if (/\(health: starting\)/.test(status)) return 'starting';
    if (/\(healthy\)/.test(status)) return 'healthy';
    return 'running';
  }
  switch (state) {
    case 'paused':
    case 'restarting':
    case 'exited':
    case 'created':
    case 'removing':
    case 'dead':
      return state;
    default:
      return 'exited';
  }
}

const ICONS: Record<ContainerState, IconSpec> = {
  running: { id: 'vm-running', color: 'charts.green' },
  healthy: { id: 'vm-running', color: 'charts.green' },
  starting: { id: 'vm-running', color: 'charts.yellow' },
  unhealthy: { id: 'warning', color: 'charts.red' },
  paused: { id: 'debug-pause', color: 'charts.yellow' },
  restarting: { id: 'sync', color: 'charts.yellow' },
  exited: { id: 'vm-outline' },
  created: { id: 'vm-outline' },
  removing: { id: 'trash' },
  dead: { id: 'error', color: 'charts.red' },
};

export function containerIcon(state: ContainerState): IconSpec {
  return ICONS[state];
}

/** Is the container's process alive (so stop/restart/pause apply)? */
export function isRunningState(s: ContainerState): boolean {
  return s === 'running' || s === 'healthy' || s === 'starting' || s === 'unhealthy' || s === 'restarting';
}

/** Published ports, IPv4/IPv6 duplicates folded, sorted by host port. */
export function publishedPorts(c: Pick<ContainerSummary, 'Ports'>): PublishedPort[] {
  const seen = new Map<string, PublishedPort>();
  for (const p of c.Ports ?? []) {
    if (!p.PublicPort) continue;
    const key = `${p.PublicPort}/${p.PrivatePort}/${p.Type}`;
    const ip = p.IP ?? '';
    const existing = seen.get(key);
    // Prefer the IPv4 address for display and browsing.
    if (!existing || (existing.hostIp.includes(':') && !ip.includes(':'))) {
      seen.set(key, { hostIp: ip, hostPort: p.PublicPort, containerPort: p.PrivatePort, protocol: p.Type });
    }
  }
  return [...seen.values()].sort((a, b) => a.hostPort - b.hostPort || a.containerPort - b.containerPort);
}

export function formatPort(p: PublishedPort): string {
  const ip = p.hostIp && p.hostIp !== '0.0.0.0' && p.hostIp !== '::' ? `${p.hostIp.includes(':') ? `[${p.hostIp}]` : p.hostIp}:` : '';
  return `${ip}${p.hostPort}→${p.containerPort}${p.protocol === 'tcp' ? '' : `/${p.protocol}`}`;
}

/** The URL to open for a published TCP port (unspecified addresses become localhost). */
export function portUrl(p: PublishedPort): string {
  const host = !p.hostIp || p.hostIp === '0.0.0.0' || p.hostIp === '::' ? 'localhost' : p.hostIp.includes(':') ? `[${p.hostIp}]` : p.hostIp;
  const scheme = p.containerPort === 443 || p.containerPort === 8443 ? 'https' : 'http';
  return `${scheme}://${host}:${p.hostPort}/`;
}

export function containerName(c: Pick<ContainerSummary, 'Names' | 'Id'>): string {
  const n = c.Names?.[0];
  return n ? n.replace(/^\//, '') : shortId(c.Id);
}

export function containerNode(c: ContainerSummary): ContainerNode {
  const state = containerState(c);
  const name = containerName(c);
  const ports = publishedPorts(c);
  const image = c.Image.startsWith('sha256:') ? shortId(c.Image) : c.Image;
  const portText = ports.map(formatPort).join(', ');
  const description = [image, c.Status, portText].filter(Boolean).join(' · ');
  const project = c.Labels?.[COMPOSE_PROJECT];
  const ctx = ['container', isRunningState(state) ? 'running' : state === 'paused' ? 'paused' : 'stopped', state];
  if (ports.some((p) => p.protocol === 'tcp')) ctx.push('ports');
  if (project) ctx.push('compose');
  return {
    kind: 'container',
    id: c.Id,
    name,
    label: name,
    description,
    tooltip: containerTooltip(c, name, image, ports),
    icon: containerIcon(state),
    contextValue: ctx.join(' '),
    state,
    ports,
    project,
    created: c.Created,
  };
}

function containerTooltip(c: ContainerSummary, name: string, image: string, ports: PublishedPort[]): string {
  const lines = [`${name} (${shortId(c.Id)})`, `Image: ${image}`, `Status: ${c.Status}`];
  const project = c.Labels?.[COMPOSE_PROJECT];
  if (project) lines.push(`Compose: ${project} / ${c.Labels?.[COMPOSE_SERVICE] ?? '?'}`);
  if (ports.length) lines.push('Ports:', ...ports.map((p) => `  ${p.hostIp || '*'}:${p.hostPort} → ${p.containerPort}/${p.protocol}`));
  const mounts = c.Mounts ?? [];
  if (mounts.length) {
    lines.push(
      'Mounts:',
      ...mounts.map((m) => `  ${m.Type === 'volume' ? m.Name ?? m.Source : m.Source} → ${m.Destination}${m.RW === false ? ' (read-only)' : ''}`),
    );
  }
  return lines.join('\n');
}

const STATE_ORDER: Record<ContainerState, number> = {
  unhealthy: 0,
  restarting: 1,
  starting: 2,
  running: 3,
  healthy: 3,
  paused: 4,
  created: 5,
  exited: 6,
  removing: 7,
  dead: 8,
};

function compareNodes(sortBy: ContainerSort): (a: ContainerNode, b: ContainerNode) => number {
  const byName = (a: ContainerNode, b: ContainerNode) => a.name.localeCompare(b.name);
  switch (sortBy) {
    case 'created':
      return (a, b) => b.created - a.created || byName(a, b);
    case 'status':
      return (a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || byName(a, b);
    default:
      return byName;
  }
}

/**
 * Builds the tree: one group per Compose project (sorted by name), then
 * "Individual containers"; or a flat list when grouping is off.
 */
export function buildContainerTree(
  list: readonly ContainerSummary[],
  opts: ContainerTreeOptions,
): ContainerGroupNode[] | ContainerNode[] {
  const nodes = list.map(containerNode);
  const cmp = compareNodes(opts.sortBy);
  if (opts.groupBy === 'none') return nodes.sort(cmp);

  const projects = new Map<string, ContainerNode[]>();
  const individual: ContainerNode[] = [];
  for (const n of nodes) {
    if (n.project) {
      let g = projects.get(n.project);
      if (!g) projects.set(n.project, (g = []));
      g.push(n);
    } else individual.push(n);
  }
  const groups: ContainerGroupNode[] = [...projects.keys()]
    .sort((a, b) => a.localeCompare(b))
    .map((project) => {
      const children = projects.get(project)!.sort(cmp);
      const running = children.filter((c) => isRunningState(c.state)).length;
      return {
        kind: 'group',
        id: `project:${project}`,
        label: project,
        description: `${running}/${children.length} running`,
        icon: { id: 'layers', color: running ? 'charts.green' : undefined },
        contextValue: `composeProject ${running ? 'running' : 'stopped'}`,
        project,
        children,
      };
    });
  if (individual.length) {
    individual.sort(cmp);
    const running = individual.filter((c) => isRunningState(c.state)).length;
    groups.push({
      kind: 'group',
      id: 'individual',
      label: INDIVIDUAL_GROUP_LABEL,
      description: `${running}/${individual.length} running`,
      icon: { id: 'package' },
      contextValue: 'containerGroup',
      children: individual,
    });
  }
  return groups;
}
