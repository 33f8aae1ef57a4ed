// What a test does when a real component it needs cannot start here (a missing
// package, not root, no QEMU): under CI (CI=true) that is a failure naming the
// reason, so a tier can never pass by skipping; elsewhere the test is skipped
// with the reason printed, so a developer without, say, Chromium can still run
// the rest. Debian packages come from `node scripts/deps.mjs <tier>`.

import type { Context } from 'mocha';

const { isCI } = require('../../../scripts/summary.cjs') as { isCI(value?: string): boolean };

export { isCI };

/** Skips the test or hook of `ctx` (fails it under CI), saying `what` cannot run and why. */
export function cannotRun(ctx: Context, what: string, why: string): never {
  if (isCI()) throw new Error(`${what} cannot run here: ${why} (CI=true: a test that cannot run fails instead of skipping)`);
  console.error(`\n!!! ${what} SKIPPED: ${why}\n`);
  ctx.skip();
}
