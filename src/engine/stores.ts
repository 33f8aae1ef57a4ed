// The four resource stores every front end (views, CLI, tests, benchmarks) uses.

import type { ContainerSummary, ImageSummary, NetworkSummary, VolumeSummary } from './resources';
import type { EngineConnection } from './connection';
import { relevance } from './relevance';
import { ResourceStore } from './store';

export interface Stores {
  containers: ResourceStore<ContainerSummary>;
  images: ResourceStore<ImageSummary>;
  volumes: ResourceStore<VolumeSummary>;
  networks: ResourceStore<NetworkSummary>;
}

export function createStores(conn: EngineConnection, debounceMs?: number): Stores {
  return {
    containers: new ResourceStore<ContainerSummary>(conn, { fetch: (c) => c.listContainers(), relevant: relevance.containers, debounceMs }),
    images: new ResourceStore<ImageSummary>(conn, { fetch: (c) => c.listImages(), relevant: relevance.images, debounceMs }),
    volumes: new ResourceStore<VolumeSummary>(conn, { fetch: (c) => c.listVolumes(), relevant: relevance.volumes, debounceMs }),
    networks: new ResourceStore<NetworkSummary>(conn, { fetch: (c) => c.listNetworks(), relevant: relevance.networks, debounceMs }),
  };
}
