// Before a build: COPY/ADD sources that are not in the build context (missing,
// or excluded by .dockerignore), each reported on its own line and column.
// Sources with variables, URLs, heredocs and `--from` copies are not checked.

import { DockerfileParser } from 'dockerfile-ast';
import type { ContextFiles } from './context';
import type { LocatedProblem } from './failure';

interface Source {
  value: string;
  line: number;
  column: number;
}

export function missingContextSources(dockerfileText: string, context: ContextFiles): LocatedProblem[] {
  const problems: LocatedProblem[] = [];
  const df = DockerfileParser.parse(dockerfileText);
  for (const ins of df.getInstructions()) {
    const keyword = ins.getKeyword().toUpperCase();
    if (keyword !== 'COPY' && keyword !== 'ADD') continue;
    const flags = (ins as unknown as { getFlags?: () => { getName(): string }[] }).getFlags?.() ?? [];
    if (flags.some((f) => f.getName() === 'from')) continue;
    for (const src of sources(ins.getArguments().map((a) => ({ value: a.getValue(), line: a.getRange().start.line, column: a.getRange().start.character })), ins.getArgumentsContent() ?? '', dockerfileText, ins.getRange().start.line)) {
      if (src.value.includes('$') || /^[a-z][a-z0-9+.-]*:\/\//i.test(src.value) || src.value.startsWith('git@')) continue;
      if (!inContext(context, src.value)) {
        problems.push({
          kind: 'context',
          range: { line: src.line, column: src.column, endLine: src.line, endColumn: src.column + src.value.length },
          message: `${keyword} source "${src.value}" is not in the build context (missing, or excluded by .dockerignore).`,
        });
      }
    }
  }
  return problems;
}

/** The source arguments (all but the last), from the shell or JSON form. */
function sources(args: Source[], content: string, text: string, firstLine: number): Source[] {
  if (args.some((a) => a.value.startsWith('<<'))) return [];
  const trimmed = content.trim();
  if (trimmed.startsWith('[')) {
    let list: unknown;
    try {
      list = JSON.parse(trimmed);
    } catch {
      return [];
    }
    if (!Array.isArray(list) || list.length < 2 || !list.every((x) => typeof x === 'string')) return [];
    const line = text.split(/\r?\n/)[firstLine] ?? '';
    return (list as string[]).slice(0, -1).map((value) => {
      const at = line.indexOf(JSON.stringify(value));
      return { value, line: firstLine, column: at >= 0 ? at + 1 : 0 };
    });
  }
  return args.length < 2 ? [] : args.slice(0, -1);
}

/** Whether `source` (a path or a filepath.Match pattern) names something sent to the engine. */
export function inContext(context: ContextFiles, source: string): boolean {
  const norm = source.replace(/^(\.\/)+/, '').replace(/^\/+/, '').replace(/\/+$/, '').replace(/\/\.$/, '');
  if (norm === '' || norm === '.') return true;
  if (!/[*?[]/.test(norm)) return context.entries.has(norm);
  const re = globRegExp(norm);
  for (const e of context.entries) if (re.test(e)) return true;
  return false;
}

/** Go's filepath.Match for a path: `*` and `?` never cross `/`. */
export function globRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += `[${pattern.slice(i + 1, end).replace(/^\^|^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < pattern.length) re += `\\${pattern[++i]}`;
    else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
