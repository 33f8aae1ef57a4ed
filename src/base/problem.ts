// A failure as the user sees it: what happened, naming the thing, and what to
// do about it. Views, notifications and the CLI show `reason` and `fix`; an
// error that already knows its problem carries it (ProblemError) so nobody
// downstream has to guess from an errno.

export interface Problem {
  /** What happened, in plain words, naming the address or resource. */
  reason: string;
  /** What the user can do about it. */
  fix: string;
  code?: string;
}

export class ProblemError extends Error {
  readonly code: string;
  constructor(
    readonly problem: Problem,
    cause?: unknown,
    fallbackCode = 'EPROBLEM',
  ) {
    super(problem.reason, { cause });
    this.name = 'ProblemError';
    this.code = problem.code ?? fallbackCode;
  }
}
