// Which engine events can change which list. Each view's store refreshes only
// for its own events, so a busy exec loop in one container does not make the
// Images view reload.

import type { EngineEvent } from './events';

/** Container events that do not change the list (exec sessions, attach, resize, copy). */
const QUIET_CONTAINER_ACTIONS = /^(exec_|attach|resize|top|archive-path|extract-to-dir|export|commit)/;

export const relevance = {
  containers: (e: EngineEvent) => e.type === 'container' && !QUIET_CONTAINER_ACTIONS.test(e.action),
  // Image "in use" and dangling state follow container create/destroy too.
  images: (e: EngineEvent) => e.type === 'image' || (e.type === 'container' && (e.action === 'create' || e.action === 'destroy')),
  volumes: (e: EngineEvent) => e.type === 'volume',
  networks: (e: EngineEvent) => e.type === 'network' && (e.action === 'create' || e.action === 'destroy'),
};
