// Substitutes `$X`, `${X}` and `${X:-default}`-style references the way the
// builder does, from a table of known values. Used to see what image name a
// `FROM ${BASE}` resolves to with the ARG defaults.

import { variableRefs } from './words';

/**
 * Expands references in `text`; `undefined` in `values` (or a missing key)
 * means unset. Returns `undefined` when a reference's value is unknowable
 * (`unknown(name)` true), so callers can skip rather than guess.
 */
export function expand(
  text: string,
  escape: string,
  values: ReadonlyMap<string, string | undefined>,
  unknown: (name: string) => boolean = () => false,
): string | undefined {
  const refs = variableRefs(text, escape);
  if (!refs.length) return text;
  let out = '';
  let at = 0;
  for (const r of refs) {
    if (r.start < at) continue;
    if (unknown(r.name)) return undefined;
    const v = values.get(r.name);
    let end = r.end;
    let replacement = v ?? '';
    if (r.guarded) {
      // ${X:-d} ${X-d} ${X:+a} ${X+a} ${X:?m}
      const close = text.indexOf('}', r.end);
      end = close === -1 ? text.length : close + 1;
      const op = text.slice(r.end, r.end + (text[r.end] === ':' ? 2 : 1));
      const word = text.slice(r.end + op.length, close === -1 ? text.length : close);
      const set = op.startsWith(':') ? v !== undefined && v !== '' : v !== undefined;
      const kind = op[op.length - 1];
      if (kind === '-') replacement = set ? (v as string) : word;
      else if (kind === '+') replacement = set ? word : '';
      else replacement = v ?? '';
    }
    out += text.slice(at, r.start) + replacement;
    at = end;
  }
  return out + text.slice(at);
}
