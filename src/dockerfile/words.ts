// Word-level reading of instruction arguments, following the builder's rules
// (not a shell's): whitespace separates words, quotes group, the escape
// character (`\` or `` ` ``) escapes the next character.

export interface Word {
  /** As written, quotes included. */
  raw: string;
  /** Quotes removed and escapes resolved. */
  value: string;
  /** Logical offsets within the text that was split. */
  start: number;
  end: number;
}

export interface Flag {
  /** Name without the leading `--`. */
  name: string;
  value?: string;
  start: number;
  end: number;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;
}

/**
 * Splits `text` into words; quotes may span spaces; an unterminated quote runs
 * to the end. `stopAfterFlags`: stop after the first word that is not a
 * `--flag` (RUN needs only its flags here; its command is read as shell). Hot path of the parser: plain runs are copied with one slice,
 * never char by char (per-char concatenation made parsing 5x slower).
 */
export function splitWords(text: string, escape: string, from = 0, stopAfterFlags = false): Word[] {
  const words: Word[] = [];
  const esc = escape.charCodeAt(0);
  let i = from;
  const n = text.length;
  while (i < n) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    let value = '';
    let run = i;
    let quote = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (quote) {
        if (c === quote) {
          value += text.slice(run, i);
          run = i + 1;
          quote = 0;
        } else if (c === esc && quote === 34 && i + 1 < n) {
          value += text.slice(run, i);
          run = ++i;
        }
      } else if (isSpace(c)) break;
      else if (c === 34 || c === 39) {
        value += text.slice(run, i);
        run = i + 1;
        quote = c;
      } else if (c === esc && i + 1 < n) {
        value += text.slice(run, i);
        run = ++i;
      }
    }
    const raw = text.slice(start, i);
    // No quote or escape seen (nothing flushed): the value is the raw text; share the string.
    value = run === start ? raw : value + text.slice(run, i);
    words.push({ raw, value, start, end: i });
    if (stopAfterFlags && (value === '--' || !value.startsWith('--'))) break;
  }
  // Exact size: instructions keep their words for the whole lint (see Span.slice).
  return words.slice();
}

/**
 * Leading `--name[=value]` flags, as the builder reads them for every
 * instruction; a bare `--` ends them. Returns the flags and the index of the
 * first word after them.
 */
export function leadingFlags(words: Word[]): { flags: Flag[]; rest: number } {
  const flags: Flag[] = [];
  let k = 0;
  for (; k < words.length; k++) {
    const w = words[k];
    if (!w.raw.startsWith('--')) break;
    if (w.raw === '--') {
      k++;
      break;
    }
    const eq = w.value.indexOf('=');
    flags.push({
      name: eq === -1 ? w.value.slice(2) : w.value.slice(2, eq),
      value: eq === -1 ? undefined : w.value.slice(eq + 1),
      start: w.start,
      end: w.end,
    });
  }
  return { flags, rest: k };
}

export interface VarRef {
  name: string;
  /** Logical offsets of the whole reference (`$X` or `${X...}`). */
  start: number;
  end: number;
  /** `${X:-d}`, `${X-d}`, `${X:+a}`, `${X+a}`, `${X:?m}`: the author handled the unset case. */
  guarded: boolean;
}

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}

/**
 * Variable references the builder expands in `text` (single quotes and the
 * escape character suppress expansion, as in the builder's word processing).
 */
export function variableRefs(text: string, escape: string): VarRef[] {
  const refs: VarRef[] = [];
  const esc = escape.charCodeAt(0);
  let inSingle = false;
  let inDouble = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inSingle) {
      if (c === 39) inSingle = false;
      continue;
    }
    if (c === esc) {
      i++;
      continue;
    }
    if (c === 39 && !inDouble) inSingle = true;
    else if (c === 34) inDouble = !inDouble;
    else if (c === 36 && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d === 123) {
        let j = i + 2;
        while (j < text.length && isNameChar(text.charCodeAt(j))) j++;
        if (j === i + 2) continue;
        const name = text.slice(i + 2, j);
        const m = text.charCodeAt(j);
        const guarded = m === 58 || m === 45 || m === 43 || m === 63; // : - + ?
        let end = text.indexOf('}', j);
        end = end === -1 ? text.length : end + 1;
        refs.push({ name, start: i, end: guarded ? j : end, guarded });
        if (!guarded) i = end - 1;
        else i = j - 1;
      } else if (isNameStart(d)) {
        let j = i + 2;
        while (j < text.length && isNameChar(text.charCodeAt(j))) j++;
        refs.push({ name: text.slice(i + 1, j), start: i, end: j, guarded: false });
        i = j - 1;
      }
    }
  }
  return refs;
}

export interface KeyValue {
  key: string;
  value?: string;
  /** Logical offsets of the key. */
  keyStart: number;
  keyEnd: number;
  /** Logical offsets of the whole `key=value` word (or the legacy `key value`). */
  start: number;
  end: number;
}

/**
 * `ENV`/`ARG`/`LABEL` pairs: `k=v k2=v2`, or the legacy one-pair `ENV k v`
 * form when the first word has no `=` (`legacy` true for ENV and LABEL).
 */
export function keyValues(words: Word[], legacy: boolean, escape = '\\'): KeyValue[] {
  if (!words.length) return [];
  const first = words[0];
  if (legacy && !first.raw.includes('=')) {
    const last = words[words.length - 1];
    return [
      {
        key: first.value,
        value: words.length > 1 ? words.slice(1).map((w) => w.value).join(' ') : undefined,
        keyStart: first.start,
        keyEnd: first.end,
        start: first.start,
        end: last.end,
      },
    ];
  }
  return words.map((w) => {
    const eq = w.raw.indexOf('=');
    if (eq === -1) return { key: w.value, keyStart: w.start, keyEnd: w.end, start: w.start, end: w.end };
    const keyWord = splitWords(w.raw.slice(0, eq), escape)[0];
    const key = keyWord ? keyWord.value : '';
    const valueWord = splitWords(w.raw.slice(eq + 1), escape);
    return {
      key,
      value: valueWord.map((v) => v.value).join(' '),
      keyStart: w.start,
      keyEnd: w.start + eq,
      start: w.start,
      end: w.end,
    };
  });
}
