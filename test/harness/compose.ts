// Compose v2 for the engine tier: the host's when present, else Debian
// trixie's package fetched once into Slipway's cache (ensureCompose.ts).

import { ensureComposePlugin } from './ensureCompose';
import type { ComposeBinary } from '../../src/compose/locate';

let cached: Promise<ComposeBinary> | undefined;

export function composeBinary(): Promise<ComposeBinary> {
  cached ??= ensureComposePlugin(process.env, (l) => console.log(`  [compose] ${l}`));
  return cached;
}
