// Exponential backoff with jitter, for everything that reconnects (the engine's
// event stream, SSH sessions, sshfs shares).

export interface BackoffOptions {
  minMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { minMs: 250, maxMs: 10_000 };

/** Delay before attempt `n` (0-based): doubling from min up to max, ±20% jitter. */
export function backoffDelay(n: number, o: BackoffOptions = DEFAULT_BACKOFF, rand = Math.random): number {
  const base = Math.min(o.maxMs, o.minMs * 2 ** Math.min(n, 30));
  return Math.round(base * (0.8 + 0.4 * rand()));
}
