// The contract every `slipway` subcommand implements.

export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl+C; long-running commands (logs --follow) stop cleanly. Defaults to SIGINT/SIGTERM. */
  signal?: AbortSignal;
}

export interface Command {
  name: string;
  summary: string;
  /** Returns the exit code: 0 ok, 1 problems found or failed, 2 usage error. */
  run(args: string[], io: CliIO): Promise<number>;
}

/** An expected failure: printed as one line, no stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
  }
}
