// `slipway lint`: the Dockerfile rule engine (src/dockerfile) on the command line.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { RULES } from '../dockerfile/catalog';
import { checkConfig, type DockerfileLintConfig } from '../dockerfile/config';
import { readDockerignore } from '../dockerfile/dockerignore';
import { lint } from '../dockerfile/lint';
import type { Diagnostic } from '../dockerfile/rule';
import { UsageError, type Command } from './command';

const HELP = `Usage: slipway lint [--format text|json] [--config FILE] [--context DIR] PATH...
       slipway lint --rules

Checks Dockerfiles for mistakes. PATH is a Dockerfile or a directory, searched
for Dockerfile, *.Dockerfile and Dockerfile.* files (node_modules and .git skipped).

  --format text|json  text (default): "file:line:column: severity rule: message";
                      json: one array of {file, line, column, endLine, endColumn,
                      severity, rule, message}, 1-based lines and columns
  --config FILE       JSON like {"rules": {"from-latest": "off", "pipefail": "error"}}
  --context DIR       build context for .dockerignore checks (default: each
                      Dockerfile's directory)
  --rules             list the rules with their default severity

Exit code: 0 no errors (warnings allowed), 1 errors found, 2 usage error.`;

/** One finding as `--format json` prints it; lines and columns 1-based. */
export interface JsonFinding {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: string;
  rule: string;
  message: string;
}

export function toJsonFinding(file: string, d: Diagnostic): JsonFinding {
  return {
    file,
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
    endLine: d.range.end.line + 1,
    endColumn: d.range.end.character + 1,
    severity: d.severity,
    rule: d.rule,
    message: d.message,
  };
}

const SKIP_DIRS = new Set(['node_modules', '.git']);

/** `Dockerfile`, `api.Dockerfile`, `Dockerfile.dev`, `prod-Dockerfile`, `Containerfile`; not `Dockerfile.dockerignore`. */
export function isDockerfileName(name: string): boolean {
  return /^(.*[._-])?(dockerfile|containerfile)([._-].*)?$/i.test(name) && !/\.dockerignore$/i.test(name);
}

/** Dockerfiles under `dir`, sorted. */
function findDockerfiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) walk(path.join(d, e.name));
      } else if (e.isFile() && isDockerfileName(e.name)) out.push(path.join(d, e.name));
    }
  };
  walk(dir);
  return out;
}

function readConfig(file: string): DockerfileLintConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new UsageError(`cannot read the config "${file}" (${reason}); pass a JSON file like {"rules": {"from-latest": "off"}}.`);
  }
  const { config, problems } = checkConfig(raw);
  if (problems.length) throw new UsageError(`the config "${file}" has problems:\n  ${problems.join('\n  ')}`);
  return config;
}

export const lintCommand: Command = {
  name: 'lint',
  summary: 'check Dockerfiles for mistakes (text or JSON output)',
  async run(args, io) {
    let format = 'text';
    let config: DockerfileLintConfig = {};
    let context: string | undefined;
    const paths: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      const value = () => {
        const v = args[++i];
        if (v === undefined) throw new UsageError(`${a} needs a value.\n\n${HELP}`);
        return v;
      };
      if (a === '--help' || a === '-h') {
        io.stdout.write(HELP + '\n');
        return 0;
      } else if (a === '--rules') {
        for (const r of RULES) io.stdout.write(`${r.id.padEnd(32)} ${r.severity.padEnd(8)} ${r.summary}\n`);
        return 0;
      } else if (a === '--format' || a.startsWith('--format=')) {
        format = a.includes('=') ? a.slice(a.indexOf('=') + 1) : value();
        if (format !== 'text' && format !== 'json') throw new UsageError(`--format is "text" or "json", not "${format}".`);
      } else if (a === '--config' || a.startsWith('--config=')) {
        config = readConfig(a.includes('=') ? a.slice(a.indexOf('=') + 1) : value());
      } else if (a === '--context' || a.startsWith('--context=')) {
        context = a.includes('=') ? a.slice(a.indexOf('=') + 1) : value();
      } else if (a.startsWith('-') && a !== '-') {
        throw new UsageError(`unknown option "${a}".\n\n${HELP}`);
      } else paths.push(a);
    }
    if (!paths.length) throw new UsageError(`give at least one Dockerfile or directory.\n\n${HELP}`);

    const files: string[] = [];
    for (const p of paths) {
      let stat: fs.Stats;
      try {
        stat = fs.statSync(p);
      } catch {
        throw new UsageError(`"${p}" does not exist; pass a Dockerfile or a directory containing one.`);
      }
      const found = stat.isDirectory() ? findDockerfiles(p) : [p];
      if (!found.length) throw new UsageError(`no Dockerfile found under "${p}"; name files Dockerfile, *.Dockerfile or Dockerfile.*, or pass them directly.`);
      files.push(...found);
    }

    const findings: JsonFinding[] = [];
    for (const file of files) {
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (err) {
        throw new UsageError(`cannot read "${file}" (${(err as Error).message}); check the path and permissions.`);
      }
      const isIgnored = readDockerignore(path.resolve(file), context ? path.resolve(context) : undefined);
      for (const d of lint(text, { config, isIgnored })) findings.push(toJsonFinding(file, d));
    }

    if (format === 'json') io.stdout.write(JSON.stringify(findings, null, 2) + '\n');
    else {
      for (const f of findings) io.stdout.write(`${f.file}:${f.line}:${f.column}: ${f.severity} ${f.rule}: ${f.message}\n`);
      const count = (s: string) => findings.filter((f) => f.severity === s).length;
      const n = (k: number, word: string) => `${k} ${word}${k === 1 ? '' : 's'}`;
      io.stdout.write(`${n(files.length, 'file')}: ${n(count('error'), 'error')}, ${n(count('warning'), 'warning')}, ${n(count('info') + count('hint'), 'note')}\n`);
    }
    return findings.some((f) => f.severity === 'error') ? 1 : 0;
  },
};
