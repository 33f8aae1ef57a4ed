// Just enough of a POSIX shell reader to see the commands in a RUN: simple
// commands with their words (offsets into the script) and the operator after
// each. Quotes, backslashes, `$(...)`, backticks and comments are respected so
// an `&&` inside a string is not a separator. It does not expand anything.

export interface ShellWord {
  /** Quotes removed (expansions left as written). */
  value: string;
  start: number;
  end: number;
}

export type Separator = '&&' | '||' | ';' | '|' | '&' | '\n' | '(' | ')' | '';

export interface SimpleCommand {
  /** All words, leading `VAR=value` assignments and reserved words included. */
  words: ShellWord[];
  /** Index of the command name in `words` (after assignments and `then`/`do`/...); -1 when none. */
  nameAt: number;
  /** The operator that ended this command. */
  sep: Separator;
}

const RESERVED = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', 'for', 'case', 'esac', '!', '{', '}', 'time']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 12 || c === 11;
}

/** Splits `script` into simple commands. Never throws; unterminated quotes run to the end. */
export function shellCommands(script: string): SimpleCommand[] {
  const out: SimpleCommand[] = [];
  let words: ShellWord[] = [];
  const n = script.length;
  let i = 0;
  const finish = (sep: Separator) => {
    if (words.length) {
      let k = 0;
      while (k < words.length && (ASSIGNMENT.test(words[k].value) || RESERVED.has(words[k].value))) {
        // `for x in ...` and `case` have no command name worth reading.
        if (words[k].value === 'for' || words[k].value === 'case') {
          k = words.length;
          break;
        }
        k++;
      }
      out.push({ words, nameAt: k < words.length ? k : -1, sep });
    }
    words = [];
  };
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
      while (i < n && script.charCodeAt(i) !== 10) i++;
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
      i = readWord(script, i).end;
      continue;
    }
    const w = readWord(script, i);
    // `2>/dev/null`: a digit glued to a redirection is part of the redirection.
    if (w.end < n && /^\d+$/.test(w.value) && (script.charCodeAt(w.end) === 62 || script.charCodeAt(w.end) === 60)) {
      i = w.end;
      continue;
    }
    words.push(w);
    i = w.end > i ? w.end : i + 1;
  }
  finish('');
  return out;
}

function readWord(s: string, i: number): ShellWord {
  const start = i;
  let value = '';
  let run = i;
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (isSpace(c) || c === 10 || c === 38 || c === 124 || c === 59 || c === 60 || c === 62 || c === 40 || c === 41) break;
    if (c === 39) {
      value += s.slice(run, i);
      const e = s.indexOf("'", i + 1);
      const end = e === -1 ? n : e;
      value += s.slice(i + 1, end);
      i = end + 1;
      run = i;
    } else if (c === 34) {
      value += s.slice(run, i);
      i++;
      run = i;
      while (i < n && s.charCodeAt(i) !== 34) {
        if (s.charCodeAt(i) === 92 && i + 1 < n) {
          value += s.slice(run, i);
          run = ++i;
        }
        i++;
      }
      value += s.slice(run, Math.min(i, n));
      i++;
      run = i;
    } else if (c === 92) {
      value += s.slice(run, i);
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
  if (run < i) value += s.slice(run, Math.min(i, n));
  return { value, start, end: Math.min(i, n) };
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
  return cmd.nameAt === -1 ? '' : cmd.words[cmd.nameAt].value;
}

/** Words after the command name. */
export function commandArgs(cmd: SimpleCommand): ShellWord[] {
  return cmd.nameAt === -1 ? [] : cmd.words.slice(cmd.nameAt + 1);
}
