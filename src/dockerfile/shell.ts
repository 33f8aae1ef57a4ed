// Just enough of a POSIX shell reader to see the commands in a RUN: simple
// commands with their words (offsets into the script) and the operator after
// each. Quotes, backslashes, `$(...)`, backticks and comments are respected so
// an `&&` inside a string is not a separator. It does not expand anything.
//
// Compact by design: a 1 MB Dockerfile holds ~40k shell words in ~12k
// commands, and every script stays alive for the whole lint. One object and
// one string per word (and a push-grown array per command) kept ~6.5 MB alive,
// and copying that through V8's young generation was about half of the lint
// time. So word boundaries are offsets in a shared Int32Array, a command is
// a small object holding its name (the only word most rules read), and a
// word's unquoted value is computed again from the script when asked for.

export interface ShellWord {
  /** Quotes removed (expansions left as written). */
  value: string;
  start: number;
  end: number;
}

export type Separator = '&&' | '||' | ';' | '|' | '&' | '\n' | '(' | ')' | '';

/** One simple command of a script: its words are views into the script text. */
export class SimpleCommand {
  constructor(
    private readonly script: string,
    /** `[start, end]` pairs of words: this script's among others' (see `chunk`). */
    private readonly bounds: Int32Array,
    /** Index (in word pairs of `bounds`) of this command's first word. */
    private readonly first: number,
    readonly wordCount: number,
    /** Index of the command name in this command's words (after assignments and `then`/`do`/...); -1 when none. */
    readonly nameAt: number,
    /** The operator that ended this command. */
    readonly sep: Separator,
    /** The command name's value (`apt-get`), '' when the command has none. */
    readonly name: string,
  ) {}

  /** Word `k` of this command (0-based, assignments and reserved words included). */
  word(k: number): ShellWord {
    const b = (this.first + k) * 2;
    const start = this.bounds[b];
    return { value: wordValue(this.script, start), start, end: this.bounds[b + 1] };
  }

  /** All words, built on each call: prefer `name` and `word(k)` in hot code. */
  get words(): ShellWord[] {
    const out: ShellWord[] = [];
    for (let k = 0; k < this.wordCount; k++) out.push(this.word(k));
    return out;
  }
}

const RESERVED = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', 'for', 'case', 'esac', '!', '{', '}', 'time']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
const DIGITS = /^\d+$/;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 12 || c === 11;
}

/** Characters that end a word outside quotes: blanks, newline, `& | ; < > ( )`. */
function endsWord(c: number): boolean {
  return isSpace(c) || c === 10 || c === 38 || c === 124 || c === 59 || c === 60 || c === 62 || c === 40 || c === 41;
}

// Runs of characters with no meaning to readWord (word enders, quotes,
// backslash, `$`, backtick excluded), skipped in one native regex step:
// per-character charCodeAt was the reader's main cost (RUN text is two-byte
// whenever the file holds one emoji), 17 ms → 11.5 ms for a 1 MB file's RUNs.
const PLAIN_RUN = /[^ \t\r\f\v\n&|;<>()'"\\$`]+/y;
const DOUBLE_QUOTED_RUN = /[^"\\]+/y;

// Word boundaries of all scripts are written one after another into shared
// chunks: a new Int32Array per script (a malloc'd buffer each) cost more than
// reading the script. A chunk lives as long as a command that points into it.
const CHUNK = 1 << 16;
let chunk = new Int32Array(0); // the first script allocates a real one
let chunkUsed = 0;

/** Splits `script` into simple commands. Never throws; unterminated quotes run to the end. */
export function shellCommands(script: string): SimpleCommand[] {
  const n = script.length;
  let base = chunkUsed; // this script's words start at chunk[base]
  // Commands found, as (first word, word count, separator) until the words
  // have their final place in `chunk`.
  const found: Array<number | Separator> = [];
  let words = 0;
  let cmdFirst = 0;
  const finish = (sep: Separator) => {
    if (words > cmdFirst) found.push(cmdFirst, words - cmdFirst, sep);
    cmdFirst = words;
  };
  let i = 0;
  while (i < n) {
    const c = script.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === 10) {
      finish('\n');
      i++;
      continue;
    }
    if (c === 35) {
      // A comment runs to the end of the line.
      const e = script.indexOf('\n', i);
      i = e === -1 ? n : e;
      continue;
    }
    if (c === 38 || c === 124 || c === 59 || c === 40 || c === 41) {
      const d = script.charCodeAt(i + 1);
      if (c === 38 && d === 38) (finish('&&'), (i += 2));
      else if (c === 124 && d === 124) (finish('||'), (i += 2));
      else if (c === 59 && d === 59) (finish(';'), (i += 2));
      else {
        finish(c === 38 ? '&' : c === 124 ? '|' : c === 59 ? ';' : c === 40 ? '(' : ')');
        i++;
      }
      continue;
    }
    if (c === 60 || c === 62) {
      // Redirections: skip the operator and its target word.
      i++;
      while (i < n && (script.charCodeAt(i) === 60 || script.charCodeAt(i) === 62 || script.charCodeAt(i) === 38 || script.charCodeAt(i) === 45)) i++;
      while (i < n && isSpace(script.charCodeAt(i))) i++;
      i = wordEnd(script, i);
      continue;
    }
    const end = wordEnd(script, i);
    // `2>/dev/null`: a digit glued to a redirection is part of the redirection.
    const next = end < n ? script.charCodeAt(end) : 0;
    if ((next === 62 || next === 60) && DIGITS.test(wordValue(script, i))) {
      i = end;
      continue;
    }
    if (base + 2 * words + 2 > chunk.length) {
      // Full: move this script's words so far to the start of a new chunk.
      const next = new Int32Array(Math.max(CHUNK, 4 * words + 4));
      next.set(chunk.subarray(base, base + 2 * words));
      chunk = next;
      base = 0;
    }
    chunk[base + 2 * words] = i;
    chunk[base + 2 * words + 1] = end;
    words++;
    i = end > i ? end : i + 1;
  }
  finish('');
  chunkUsed = base + 2 * words;
  const commands: SimpleCommand[] = [];
  for (let f = 0; f < found.length; f += 3) commands.push(command(script, chunk, base / 2 + (found[f] as number), found[f + 1] as number, found[f + 2] as Separator));
  return commands;
}

/** Finds the command name: the first word that is neither an assignment nor a reserved word. */
function command(script: string, bounds: Int32Array, first: number, count: number, sep: Separator): SimpleCommand {
  for (let k = 0; k < count; k++) {
    const value = wordValue(script, bounds[2 * (first + k)]);
    // `for x in ...` and `case` have no command name worth reading.
    if (value === 'for' || value === 'case') break;
    // Cheap tests first: this runs for every command of every RUN.
    const assignment = value.includes('=') && ASSIGNMENT.test(value);
    const reserved = value.length <= 5 && RESERVED.has(value);
    if (!assignment && !reserved) return new SimpleCommand(script, bounds, first, count, k, sep, value);
  }
  return new SimpleCommand(script, bounds, first, count, -1, sep, '');
}

/** Offset just past the word starting at `i`. */
function wordEnd(s: string, i: number): number {
  return readWord(s, i, null);
}

// readWord's output slot for wordValue, reused (readWord never re-enters).
const VALUE = { value: '' };

/** The word starting at `start` with quotes and backslashes removed. */
function wordValue(s: string, start: number): string {
  readWord(s, start, VALUE);
  return VALUE.value;
}


/**
 * Reads one word from `i`; returns the offset past it. With `out`, also
 * builds its value (quotes removed): plain runs are copied with one slice,
 * so a word without quotes costs a single `slice`.
 */
function readWord(s: string, i: number, out: { value: string } | null): number {
  let value = '';
  let run = i;
  const n = s.length;
  while (i < n) {
    PLAIN_RUN.lastIndex = i;
    if (PLAIN_RUN.test(s)) i = PLAIN_RUN.lastIndex;
    if (i >= n) break;
    const c = s.charCodeAt(i);
    if (endsWord(c)) break;
    if (c === 39) {
      const e = s.indexOf("'", i + 1);
      const end = e === -1 ? n : e;
      if (out) value += s.slice(run, i) + s.slice(i + 1, end);
      i = end + 1;
      run = i;
    } else if (c === 34) {
      if (out) value += s.slice(run, i);
      i++;
      run = i;
      while (i < n && s.charCodeAt(i) !== 34) {
        DOUBLE_QUOTED_RUN.lastIndex = i;
        if (DOUBLE_QUOTED_RUN.test(s)) {
          i = DOUBLE_QUOTED_RUN.lastIndex;
          continue;
        }
        if (s.charCodeAt(i) === 92 && i + 1 < n) {
          if (out) value += s.slice(run, i);
          run = ++i;
        }
        i++;
      }
      if (out) value += s.slice(run, Math.min(i, n));
      i++;
      run = i;
    } else if (c === 92) {
      if (out) value += s.slice(run, i);
      run = i + 1;
      if (i + 1 < n && s.charCodeAt(i + 1) === 10) run = i + 2;
      i += 2;
    } else if (c === 36 && s.charCodeAt(i + 1) === 40) {
      i = closing(s, i + 1);
    } else if (c === 96) {
      const e = s.indexOf('`', i + 1);
      i = e === -1 ? n : e + 1;
    } else i++;
  }
  if (out) out.value = run < i ? value + s.slice(run, Math.min(i, n)) : value;
  return Math.min(i, n);
}

/** Index just past the `)` matching the `(` at `open`, quotes respected; `s.length` when unmatched. */
function closing(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 40) depth++;
    else if (c === 41 && --depth === 0) return i + 1;
    else if (c === 39) {
      const e = s.indexOf("'", i + 1);
      if (e === -1) return s.length;
      i = e;
    } else if (c === 92) i++;
  }
  return s.length;
}

/** The command name (`apt-get`), or '' when the command has none. */
export function commandName(cmd: SimpleCommand): string {
  return cmd.name;
}

/** Words after the command name. */
export function commandArgs(cmd: SimpleCommand): ShellWord[] {
  const out: ShellWord[] = [];
  if (cmd.nameAt !== -1) for (let k = cmd.nameAt + 1; k < cmd.wordCount; k++) out.push(cmd.word(k));
  return out;
}
