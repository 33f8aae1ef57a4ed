// Positions in a Dockerfile. The analysis works on absolute UTF-16 offsets
// (JavaScript string indices, the unit VS Code uses); `LineIndex` turns them
// into 0-based line/character positions only at the edges (diagnostics, CLI).

export interface Position {
  /** 0-based line. */
  line: number;
  /** 0-based UTF-16 code unit within the line. */
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** Line start offsets of a text, for offset → position conversion by binary search. */
export class LineIndex {
  readonly starts: number[];

  constructor(readonly text: string) {
    const starts = [0];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    this.starts = starts;
  }

  get lineCount(): number {
    return this.starts.length;
  }

  lineOf(offset: number): number {
    const s = this.starts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  position(offset: number): Position {
    const line = this.lineOf(offset);
    return { line, character: offset - this.starts[line] };
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }

  /** Offset of the end of `line`, before its `\r\n` or `\n`. */
  lineEnd(line: number): number {
    const next = line + 1 < this.starts.length ? this.starts[line + 1] - 1 : this.text.length;
    return next > this.starts[line] && this.text.charCodeAt(next - 1) === 13 ? next - 1 : next;
  }

  offset(p: Position): number {
    const line = Math.min(Math.max(p.line, 0), this.starts.length - 1);
    return Math.min(this.starts[line] + Math.max(p.character, 0), this.lineEnd(line));
  }
}

/**
 * A piece of logical text (continuation lines joined, comment lines inside an
 * instruction dropped) with a map from each logical index back to the document.
 * `pieceStart[k]` is the logical index where piece k starts and `pieceDoc[k]`
 * the document offset it came from; within a piece the text is contiguous.
 * A span of one piece (most of them) has no arrays, only `docOffset`.
 */
export class Span {
  private constructor(
    readonly text: string,
    private readonly pieceStart: readonly number[] | undefined,
    private readonly pieceDoc: readonly number[] | undefined,
    private readonly docOffset: number,
  ) {}

  static contiguous(text: string, docOffset: number): Span {
    return new Span(text, undefined, undefined, docOffset);
  }

  /** Pieces in logical order: `pieceStart[0]` must be 0 and both arrays the same length. */
  static pieces(text: string, pieceStart: readonly number[], pieceDoc: readonly number[]): Span {
    return pieceStart.length === 1 ? Span.contiguous(text, pieceDoc[0]) : new Span(text, pieceStart, pieceDoc, 0);
  }

  /** Document offset of logical index `i` (an end index maps just past its last char). */
  toDoc(i: number): number {
    const ps = this.pieceStart;
    if (ps === undefined) return this.docOffset + i;
    let lo = 0;
    let hi = ps.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ps[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    return this.pieceDoc![lo] + (i - ps[lo]);
  }

  /** Document offset just after logical index `i - 1`: keeps an end inside its own piece. */
  toDocEnd(i: number): number {
    return i <= 0 ? this.toDoc(0) : this.toDoc(i - 1) + 1;
  }

  /** A sub-span [from, to) of this span, mapped to the same document. */
  slice(from: number, to = this.text.length): Span {
    // The pieces overlapping [from, to) are consecutive: find them, then copy
    // into exact-size arrays (spans live as long as the parse; push-grown
    // arrays would keep ~4x the memory alive).
    const ps = this.pieceStart;
    if (ps === undefined) return Span.contiguous(this.text.slice(from, to), this.docOffset + Math.min(from, this.text.length));
    const pd = this.pieceDoc!;
    let first = -1;
    let last = -1;
    for (let k = 0; k < ps.length; k++) {
      const pEnd = k + 1 < ps.length ? ps[k + 1] : this.text.length;
      if (pEnd <= from || ps[k] >= to) continue;
      if (first === -1) first = k;
      last = k;
    }
    if (first === -1) return Span.contiguous('', this.toDoc(Math.min(from, this.text.length)));
    const text = this.text.slice(from, to);
    if (first === last) return Span.contiguous(text, pd[first] + (Math.max(ps[first], from) - ps[first]));
    const starts = new Array<number>(last - first + 1);
    const docs = new Array<number>(last - first + 1);
    for (let k = first; k <= last; k++) {
      const s = Math.max(ps[k], from);
      starts[k - first] = s - from;
      docs[k - first] = pd[k] + (s - ps[k]);
    }
    return new Span(text, starts, docs, 0);
  }
}
