// The few ~/.ssh/config settings a remote engine needs: HostName, User, Port
// and IdentityFile for a host alias. Pure (config text in, settings out).
//
// Semantics follow ssh_config(5) for what is supported: blocks are read top
// to bottom and the first value found for a key wins (IdentityFile
// accumulates); `Host` patterns use the same globs and `!` negation as
// known_hosts. `Match` blocks and `Include` are not evaluated: their lines
// are skipped, and `ignored` says so, so a user can tell why a setting did
// not apply.

import { matchGlob } from './knownHosts';

export interface HostSettings {
  hostName?: string;
  user?: string;
  port?: number;
  identityFiles: string[];
  /** Directives seen but not evaluated (Match, Include), for messages. */
  ignored: string[];
}

/** The settings for `alias` from one config file's text. */
export function resolveSshConfig(text: string, alias: string): HostSettings {
  const out: HostSettings = { identityFiles: [], ignored: [] };
  let active = true; // lines before the first Host/Match apply to every host
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1].toLowerCase();
    const value = unquote(m[2].trim());
    if (key === 'host') {
      active = hostBlockMatches(alias, m[2]);
      continue;
    }
    if (key === 'match') {
      if (!out.ignored.includes('Match')) out.ignored.push('Match');
      active = false;
      continue;
    }
    if (!active) continue;
    switch (key) {
      case 'hostname':
        out.hostName ??= value;
        break;
      case 'user':
        out.user ??= value;
        break;
      case 'port': {
        const n = Number(value);
        if (out.port === undefined && Number.isInteger(n) && n > 0 && n < 65536) out.port = n;
        break;
      }
      case 'identityfile':
        if (!out.identityFiles.includes(value)) out.identityFiles.push(value);
        break;
      case 'include':
        if (!out.ignored.includes('Include')) out.ignored.push('Include');
        break;
    }
  }
  return out;
}

/** A `Host` line's patterns (space-separated, `!` negates) against the alias. */
function hostBlockMatches(alias: string, patterns: string): boolean {
  let matched = false;
  for (const raw of patterns.trim().split(/\s+/).map(unquote)) {
    const negated = raw.startsWith('!');
    const p = negated ? raw.slice(1) : raw;
    if (!p || !matchGlob(alias, p)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
}

/** Expands `~`, `%d` (home), `%u` (local user), `%h` (host name), `%r` (remote user), `%%` in an IdentityFile path. */
export function expandIdentityPath(p: string, t: { home: string; localUser: string; host: string; remoteUser: string }): string {
  const withHome = p === '~' || p.startsWith('~/') ? t.home + p.slice(1) : p;
  return withHome.replace(/%([%duhr])/g, (_, c: string) =>
    c === '%' ? '%' : c === 'd' ? t.home : c === 'u' ? t.localUser : c === 'h' ? t.host : t.remoteUser,
  );
}
