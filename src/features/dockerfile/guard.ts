// Runs library calls so that a failure never escapes into VS Code: an
// exception (even a stack overflow) becomes the fallback answer, logged once
// per feature so a document that keeps failing does not flood the log.

export type Guard = <T>(what: string, fallback: T, fn: () => T) => T;

export function createGuard(log: (message: string) => void): Guard {
  const failed = new Set<string>();
  return (what, fallback, fn) => {
    try {
      return fn();
    } catch (err) {
      if (!failed.has(what)) log(`Dockerfile ${what} failed and was skipped: ${(err as Error)?.message ?? String(err)}`);
      failed.add(what);
      return fallback;
    }
  };
}
