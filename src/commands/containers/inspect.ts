import type { CommandFactory } from '../deps';
import { containerTargets } from './pick';

export const inspectContainer: CommandFactory = (deps) => async (clicked?: unknown) => {
  const [node] = await containerTargets(deps, clicked, undefined, { placeHolder: 'Container to inspect' });
  if (node) await deps.inspect.open('container', node.id, node.name);
};
