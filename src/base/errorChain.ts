// An error as a log wants it: its stack, then each cause (and each error of an
// AggregateError) in turn, indented, so the output channel shows what a short
// notification leaves out. Cycles and very deep chains are cut.

export function errorChain(err: unknown, maxDepth = 8): string {
  const seen = new Set<unknown>();
  const lines: string[] = [];
  const walk = (e: unknown, depth: number, label: string) => {
    const pad = '  '.repeat(depth);
    if (depth > maxDepth) {
      lines.push(`${pad}${label}… (cut)`);
      return;
    }
    if (e !== null && typeof e === 'object') {
      if (seen.has(e)) {
        lines.push(`${pad}${label}(the same error again)`);
        return;
      }
      seen.add(e);
    }
    if (!(e instanceof Error)) {
      lines.push(`${pad}${label}${typeof e === 'string' ? e : safeJson(e)}`);
      return;
    }
    const text = e.stack && e.stack.includes(e.message) ? e.stack : `${e.name}: ${e.message}${e.stack ? `\n${e.stack}` : ''}`;
    const code = (e as { code?: unknown }).code;
    text.split('\n').forEach((l, i) => lines.push(`${pad}${i === 0 ? label : ''}${i === 0 && code !== undefined ? `[${String(code)}] ` : ''}${l}`));
    if (e instanceof AggregateError) e.errors.forEach((x, i) => walk(x, depth + 1, `error ${i + 1}: `));
    if (e.cause !== undefined) walk(e.cause, depth + 1, 'caused by: ');
  };
  walk(err, 0, '');
  return lines.join('\n');
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
