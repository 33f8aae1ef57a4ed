import { buildImageTree, type ImageNode } from '../../models/images';
import { type ImageSummary } from '../../engine/resources';
import type { ViewNode } from '../../models/nodes';
import type { CommandDeps } from '../deps';
import { resolveTargets } from '../targets';

export const isImage = (n: ViewNode): n is ImageNode & ViewNode => (n as { kind?: string }).kind === 'image';

export function imageTargets(deps: CommandDeps, clicked: unknown, selection: unknown, placeHolder: string, many = false): Promise<ImageNode[]> {
  return resolveTargets(clicked, selection, isImage, {
    store: deps.stores.images,
    viewSelection: () => deps.selection.images(),
    build: (items: ImageSummary[]) =>
      buildImageTree(items, { showDangling: deps.settings.imagesShowDangling(), now: Date.now() }).flatMap((g) => g.children) as (ImageNode & ViewNode)[],
    placeHolder,
    canPickMany: many,
  });
}
