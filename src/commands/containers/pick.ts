// Shared target resolution for container commands.

import { containerNode, type ContainerNode } from '../../models/containers';
import { type ContainerSummary } from '../../engine/resources';
import type { ViewNode } from '../../models/nodes';
import type { CommandDeps } from '../deps';
import { resolveTargets } from '../targets';

export const isContainer = (n: ViewNode): n is ContainerNode & ViewNode => (n as { kind?: string }).kind === 'container';

export function containerTargets(
  deps: CommandDeps,
  clicked: unknown,
  selection: unknown,
  opts: { placeHolder: string; many?: boolean; filter?: (n: ContainerNode) => boolean },
): Promise<ContainerNode[]> {
  return resolveTargets(clicked, selection, isContainer, {
    store: deps.stores.containers,
    viewSelection: () => deps.selection.containers(),
    build: (items: ContainerSummary[]) => items.map(containerNode) as (ContainerNode & ViewNode)[],
    placeHolder: opts.placeHolder,
    canPickMany: opts.many,
    filter: opts.filter,
  });
}
