// Waiting on a condition instead of sleeping: tests poll what they wait for.

/**
 * Polls `check` every `everyMs` until it returns something truthy, which it
 * returns; throws naming `what` after `timeoutMs`.
 */
export async function waitUntil<T>(what: string, check: () => T | Promise<T>, opts: { timeoutMs?: number; everyMs?: number } = {}): Promise<NonNullable<T>> {
  const { timeoutMs = 60_000, everyMs = 100 } = opts;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
