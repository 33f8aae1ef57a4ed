// Turns the engine's build progress messages into terminal text, and keeps
// what the task needs afterwards: the step that was running, the image id,
// and the failure. Pure: fed message by message, testable with recorded output.

import type { ProgressMessage } from './progressStream';

export interface BuildStep {
  n: number;
  total: number;
  /** The instruction as the builder echoed it, e.g. `RUN make`. */
  text: string;
}

export interface BuildFailure {
  /** The engine's message, e.g. "The command '/bin/sh -c make' returned a non-zero code: 2". */
  message: string;
  /** The step that was running when the build failed, when there was one. */
  step?: BuildStep;
  /** The exit code of a failing RUN. */
  exitCode?: number;
}

const STEP = /^Step (\d+)\/(\d+) : (.*)$/;
const RUN_FAILED = /returned a non-zero code: (\d+)/;

export class BuildOutput {
  step: BuildStep | undefined;
  imageId: string | undefined;
  failure: BuildFailure | undefined;
  private line = '';
  /** Last status shown per layer id, so a pull inside a build prints changes, not every tick. */
  private readonly shownStatus = new Map<string, string>();

  /** Text to show for one message (may be empty). */
  feed(m: ProgressMessage): string {
    if (m.error || m.errorDetail) {
      const message = (m.errorDetail?.message ?? m.error ?? 'the build failed').trim();
      const code = RUN_FAILED.exec(message);
      this.failure = { message, step: this.step, exitCode: code ? Number(code[1]) : undefined };
      return `${message}\n`;
    }
    if (m.aux?.ID) {
      this.imageId = m.aux.ID;
      return '';
    }
    if (typeof m.stream === 'string') {
      this.track(m.stream);
      return m.stream;
    }
    if (m.status) {
      const key = m.id ?? '';
      if (m.progressDetail?.total && this.shownStatus.get(key) === m.status) return '';
      this.shownStatus.set(key, m.status);
      return `${m.id ? `${m.id}: ` : ''}${m.status}\n`;
    }
    return '';
  }

  private track(text: string): void {
    this.line += text;
    const lines = this.line.split('\n');
    this.line = lines.pop() ?? '';
    for (const l of this.line ? [...lines, this.line] : lines) {
      const s = STEP.exec(l);
      if (s) this.step = { n: Number(s[1]), total: Number(s[2]), text: s[3] };
      const built = /^Successfully built ([0-9a-f]+)/.exec(l);
      if (built && !this.imageId) this.imageId = built[1];
    }
  }
}
