// The Images tree as a pure function of `GET /images/json`: grouped by
// repository, one item per tag; dangling images (no tag) in their own group
// when asked for.

import { formatBytes, shortId, timeAgo } from './format';
import type { IconSpec } from './nodes';
import type { ImageSummary } from '../engine/resources';

export interface ImageNode {
  kind: 'image';
  id: string;
  /** What to act on: "repo:tag", or the id for a dangling image. */
  ref: string;
  label: string;
  description: string;
  tooltip: string;
  icon: IconSpec;
  contextValue: string;
  repository?: string;
  tag?: string;
}

export interface ImageGroupNode {
  kind: 'imageGroup';
  id: string;
  label: string;
  description: string;
  icon: IconSpec;
  contextValue: string;
  children: ImageNode[];
}

export const DANGLING_GROUP = '<none>';

/** Splits "host:5000/ns/name:tag" into repository and tag (the tag follows the last colon after the last slash). */
export function splitRef(ref: string): { repository: string; tag: string } {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repository: ref, tag: 'latest' };
}

function isRealTag(t: string): boolean {
  return t !== '<none>:<none>' && !t.endsWith(':<none>');
}

export function buildImageTree(list: readonly ImageSummary[], opts: { showDangling: boolean; now: number }): ImageGroupNode[] {
  const groups = new Map<string, ImageNode[]>();
  const add = (g: string, n: ImageNode) => {
    let arr = groups.get(g);
    if (!arr) groups.set(g, (arr = []));
    arr.push(n);
  };
  for (const img of list) {
    const tags = (img.RepoTags ?? []).filter(isRealTag);
    const inUse = (img.Containers ?? 0) > 0;
    const desc = `${timeAgo(img.Created, opts.now)} · ${formatBytes(img.Size)}`;
    if (tags.length === 0) {
      if (!opts.showDangling) continue;
      const digestRepo = (img.RepoDigests ?? [])[0]?.split('@')[0];
      add(DANGLING_GROUP, {
        kind: 'image',
        id: img.Id,
        ref: img.Id,
        label: shortId(img.Id),
        description: digestRepo ? `${digestRepo} · ${desc}` : desc,
        tooltip: `${img.Id}\nDangling (no tag)\nCreated ${timeAgo(img.Created, opts.now)}\nSize ${formatBytes(img.Size)}`,
        icon: { id: 'file-binary' },
        contextValue: `image dangling${inUse ? ' inUse' : ''}`,
      });
      continue;
    }
    for (const t of tags) {
      const { repository, tag } = splitRef(t);
      add(repository, {
        kind: 'image',
        id: img.Id,
        ref: t,
        label: tag,
        description: desc,
        tooltip: `${t}\n${img.Id}\nCreated ${timeAgo(img.Created, opts.now)}\nSize ${formatBytes(img.Size)}${
          tags.length > 1 ? `\nAlso tagged: ${tags.filter((x) => x !== t).join(', ')}` : ''
        }`,
        icon: { id: 'file-binary', color: inUse ? 'charts.green' : undefined },
        contextValue: `image tagged${inUse ? ' inUse' : ''}`,
        repository,
        tag,
      });
    }
  }
  const names = [...groups.keys()].sort((a, b) =>
    a === DANGLING_GROUP ? 1 : b === DANGLING_GROUP ? -1 : a.localeCompare(b),
  );
  return names.map((name) => {
    const children = groups.get(name)!.sort((a, b) => a.label.localeCompare(b.label));
    return {
      kind: 'imageGroup',
      id: `repo:${name}`,
      label: name === DANGLING_GROUP ? 'Dangling images' : name,
      description: `${children.length} ${children.length === 1 ? 'image' : 'images'}`,
      icon: { id: name === DANGLING_GROUP ? 'question' : 'repo' },
      contextValue: name === DANGLING_GROUP ? 'imageGroup dangling' : 'imageGroup',
      children,
    };
  });
}
