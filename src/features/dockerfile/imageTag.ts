// Where FROM tag completion would reach the network: rcjsuen's completion
// fetches tags from Docker Hub when the cursor is in a FROM image's tag. We
// find that spot ourselves so the lookup happens only when the user opted in.

import { parse } from '../../dockerfile/parser';
import type { Position } from '../../dockerfile/text';

/** The image name (no tag) when `pos` is inside the tag part of a FROM image, else undefined. */
export function imageTagAt(text: string, pos: Position): string | undefined {
  const file = parse(text);
  const ins = file.instructions.find((i) => i.keyword === 'FROM' && i.line <= pos.line && pos.line <= i.endLine);
  const image = ins?.words[ins.rest];
  if (!ins || !image) return undefined;
  const offset = file.lines.offset(pos);
  const start = ins.args.toDoc(image.start);
  const end = ins.args.toDocEnd(image.end);
  if (offset < start || offset > end) return undefined;
  const colon = image.raw.lastIndexOf(':');
  if (colon === -1 || colon < image.raw.lastIndexOf('/') || offset <= start + colon) return undefined;
  return image.raw.slice(0, colon);
}
