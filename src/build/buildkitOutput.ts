// Reads BuildKit's `--progress=plain` output (the docker CLI / buildx in a
// machine) and keeps what the task needs afterwards: the image id and, when
// the build failed, where. Pure: fed text as it arrives, tested with output
// captured from the guest's docker 26 / buildx 0.13 (see buildkit-captured/).
//
//   #8 [app 2/3] RUN echo about to fail && exit 3        vertex line: stage, index in stage, instruction
//   #8 ERROR: process "/bin/sh -c …" did not complete successfully: exit code: 3
//   Dockerfile:7                                          excerpt: file and 1-based line…
//   --------------------
//      7 | >>> RUN echo about to fail \                  …and every line of the instruction (">>>")
//   --------------------
//   ERROR: failed to solve: process "/bin/sh -c …" did not complete successfully: exit code: 3
//
// Older BuildKit (dockerd 20.10) prints no excerpt; the vertex line locates it then.

export interface BuildKitVertex {
  id: number;
  /** `base` in `[base 2/3]`; undefined for a one-stage build (`[2/3]`). */
  stage?: string;
  /** 2 in `[base 2/3]`: the instruction's place in its stage, FROM being 1. */
  index?: number;
  total?: number;
  /** The instruction as BuildKit echoed it (variables expanded). */
  text: string;
}

export interface BuildKitFailure {
  message: string;
  vertex?: BuildKitVertex;
  excerpt?: { file: string; line: number; endLine: number };
  exitCode?: number;
}

const VERTEX = /^#(\d+) \[(?:(\S+) )?(\d+)\/(\d+)\] (.*)$/;
const VERTEX_ERROR = /^#(\d+) ERROR: (.*)$/;
const SOLVE_ERROR = /^ERROR: (?:failed to solve: )?(.*)$/;
const EXCERPT_HEAD = /^(\S(?:.*\S)?):(\d+)$/;
const RULE = /^-{10,}$/;
const EXCERPT_LINE = /^\s*(\d+) \| (>>>)?/;
const EXIT_CODE = /exit code: (\d+)\s*$/;
const IMAGE_ID = /^#\d+ writing image (sha256:[0-9a-f]{64})/;

export class BuildKitOutput {
  imageId: string | undefined;
  private readonly vertices = new Map<number, BuildKitVertex>();
  private failedVertex: { id: number; message: string } | undefined;
  private solveError: string | undefined;
  private excerpt: BuildKitFailure['excerpt'];
  private pending: { file: string; line: number; opened: boolean; marked: number[] } | undefined;
  private partial = '';

  feed(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const l of lines) this.line(l.replace(/\r$/, ''));
  }

  end(): void {
    if (this.partial) this.line(this.partial);
    this.partial = '';
  }

  get failure(): BuildKitFailure | undefined {
    const message = this.solveError ?? this.failedVertex?.message;
    if (message === undefined) return undefined;
    const vertex = this.failedVertex ? this.vertices.get(this.failedVertex.id) : undefined;
    const code = EXIT_CODE.exec(this.failedVertex?.message ?? message);
    return { message, vertex, excerpt: this.excerpt, exitCode: code ? Number(code[1]) : undefined };
  }

  private line(l: string): void {
    if (this.pending) return this.excerptLine(l);
    let m = VERTEX.exec(l);
    if (m) {
      const id = Number(m[1]);
      if (!this.vertices.has(id)) this.vertices.set(id, { id, stage: m[2], index: Number(m[3]), total: Number(m[4]), text: m[5] });
      return;
    }
    if ((m = VERTEX_ERROR.exec(l))) return void (this.failedVertex ??= { id: Number(m[1]), message: m[2] });
    if ((m = IMAGE_ID.exec(l))) return void (this.imageId = m[1]);
    if ((m = EXCERPT_HEAD.exec(l)) && !this.excerpt && !l.startsWith('#')) {
      this.pending = { file: m[1], line: Number(m[2]), opened: false, marked: [] };
      return;
    }
    if (l.startsWith('ERROR: ') && (m = SOLVE_ERROR.exec(l))) this.solveError ??= m[1];
  }

  private excerptLine(l: string): void {
    const p = this.pending!;
    if (RULE.test(l)) {
      if (!p.opened) return void (p.opened = true);
      this.pending = undefined;
      const marked = p.marked.length ? p.marked : [p.line];
      this.excerpt = { file: p.file, line: Math.min(...marked), endLine: Math.max(...marked) };
      return;
    }
    const m = EXCERPT_LINE.exec(l);
    if (!p.opened || !m) {
      this.pending = undefined;
      if (!p.opened) this.line(l);
      return;
    }
    if (m[2]) p.marked.push(Number(m[1]));
  }
}
