// A real VS Code for the editor test tier and `npm start`: code-server from npm,
// installed offline into a cache directory outside the repository (never a
// dependency in package.json), started on loopback with a fresh user-data-dir
// and extensions-dir, with the built .vsix installed into it.
//
// The offline install recipe (../shared/env-notes.md): Debian's libkrb5-dev
// and ripgrep (scripts/host-packages.cjs, with chromium); @vscode/ripgrep's cache pre-seeded with
// Debian's `rg`; `npm install --unsafe-perm` with npm_config_yes=true so
// node-pty's `npx node-gyp` does not prompt. Install scripts must run (native
// modules), so they are allowed explicitly for npm versions that gate them.
//
// Command line (after `tsc`):
//   node out/test/harness/codeServer.js install   installs (or verifies) and prints the path

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  closeSync,
} from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3';

/** What its install needs from Debian (kerberos headers, a toolchain for native modules, rg): scripts/host-packages.cjs. */
const DEB_HINT = '`node scripts/deps.mjs start` installs the Debian packages code-server\'s install needs';

/** Packages inside code-server whose install scripts build or fetch what it needs at run time. */
const ALLOWED_INSTALL_SCRIPTS = [
  'code-server', 'argon2', '@parcel/watcher', '@vscode/deviceid', '@vscode/ripgrep', '@vscode/spdlog',
  '@vscode/windows-process-tree', '@vscode/windows-registry', 'kerberos', 'native-watchdog', 'node-pty',
];

// What @vscode/ripgrep 1.15.11 (inside code-server 4.100.3) downloads in its postinstall.
const RIPGREP_CACHE = { dir: 'vscode-ripgrep-cache-1.15.11', file: 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz' };

export type Log = (line: string) => void;
const defaultLog: Log = (line) => console.log(`code-server: ${line}`);

/** Root of Slipway's machine-wide caches: $SLIPWAY_CACHE, else ~/.cache/slipway. */
export function cacheRoot(): string {
  return process.env.SLIPWAY_CACHE || path.join(os.homedir(), '.cache', 'slipway');
}

export function codeServerDir(): string {
  return path.join(cacheRoot(), `code-server-${CODE_SERVER_VERSION}`);
}

/** code-server's JavaScript entry point; run it with this Node (`process.execPath`). */
export function codeServerEntry(dir = codeServerDir()): string {
  return path.join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, cmd);
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

/** Puts Debian's `rg` where @vscode/ripgrep's postinstall looks before it downloads. */
function seedRipgrepCache(log: Log): void {
  if (process.arch !== 'x64') return; // other arches: let the postinstall try its download
  const rg = which('rg');
  if (!rg) throw new Error(`ripgrep (\`rg\`) is not installed; ${DEB_HINT}`);
  const dir = path.join(os.tmpdir(), RIPGREP_CACHE.dir);
  const tarball = path.join(dir, RIPGREP_CACHE.file);
  if (existsSync(tarball)) return;
  mkdirSync(dir, { recursive: true });
  const stage = mkdtempSync(path.join(os.tmpdir(), 'slipway-rg-'));
  try {
    copyFileSync(rg, path.join(stage, 'rg'));
    const tmp = `${tarball}.${process.pid}`;
    const r = spawnSync('tar', ['-C', stage, '-czf', tmp, 'rg'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`could not pack ${rg} for @vscode/ripgrep's cache: ${r.stderr.trim()}`);
    renameSync(tmp, tarball);
    log(`seeded ${tarball} with ${rg}`);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** The files a working code-server install has; missing ones mean an install script did not run. */
function missingPieces(dir: string): string[] {
  const vs = path.join(dir, 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules');
  const want = [
    codeServerEntry(dir),
    path.join(vs, 'node-pty', 'build', 'Release', 'pty.node'),
    path.join(vs, '@vscode', 'spdlog', 'build', 'Release', 'spdlog.node'),
    path.join(vs, '@vscode', 'ripgrep', 'bin', 'rg'),
  ];
  return want.filter((f) => !existsSync(f));
}

function versionOf(dir: string): string | undefined {
  const r = spawnSync(process.execPath, [codeServerEntry(dir), '--version'], {
    encoding: 'utf8',
    // --version writes a default config into $XDG_CONFIG_HOME unless one is given.
    env: { ...process.env, XDG_CONFIG_HOME: path.join(dir, '.config') },
    timeout: 60_000,
  });
  return r.status === 0 ? r.stdout.trim().split('\n').pop() : undefined;
}

/**
 * Makes sure code-server is installed in the cache and works; returns its
 * directory. Idempotent: a verified install is marked and reused; an
 * incomplete one is removed and redone. Safe against a concurrent caller.
 */
export function ensureCodeServer(log: Log = defaultLog): string {
  const dir = codeServerDir();
  const marker = path.join(dir, '.slipway-verified');
  if (existsSync(marker) && !missingPieces(dir).length) return dir;

  return withLock(`${dir}.lock`, () => {
    if (existsSync(marker) && !missingPieces(dir).length) return dir; // another process finished it
    const started = Date.now();
    if (!missingPieces(dir).length && versionOf(dir)) {
      writeFileSync(marker, `${new Date().toISOString()}\n`);
      return dir;
    }
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    seedRipgrepCache(log);
    writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify(
        {
          name: 'slipway-code-server-cache',
          private: true,
          description: 'code-server for Slipway editor tests and `npm start`; made by test/harness/codeServer.ts',
          allowScripts: Object.fromEntries(ALLOWED_INSTALL_SCRIPTS.map((p) => [p, true])),
        },
        null,
        2,
      ),
    );
    const logFile = path.join(cacheRoot(), `code-server-${CODE_SERVER_VERSION}-install.log`);
    log(`installing code-server@${CODE_SERVER_VERSION} into ${dir} (a few minutes; log: ${logFile})`);
    const fd = openSync(logFile, 'w');
    const npm = which('npm') ?? 'npm';
    const r = spawnSync(
      npm,
      ['install', '--prefix', dir, '--unsafe-perm', '--foreground-scripts', '--no-audit', '--no-fund', '--no-save', `code-server@${CODE_SERVER_VERSION}`],
      {
        cwd: dir,
        stdio: ['ignore', fd, fd],
        env: { ...process.env, npm_config_yes: 'true', npm_config_ignore_scripts: 'false', npm_config_unsafe_perm: 'true' },
      },
    );
    closeSync(fd);
    const failed = r.error ? `npm could not start: ${r.error.message}` : r.status !== 0 ? `npm install exited with ${r.status}` : undefined;
    if (failed) throw new Error(`installing code-server failed (${failed}); see ${logFile} (${DEB_HINT}):\n${tail(logFile, 20)}`);

    // @vscode/ripgrep may still lack its binary (e.g. a non-x64 download failed): Debian's rg works.
    const rgBin = path.join(dir, 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg');
    const rg = which('rg');
    if (!existsSync(rgBin) && rg) {
      mkdirSync(path.dirname(rgBin), { recursive: true });
      copyFileSync(rg, rgBin);
    }
    const missing = missingPieces(dir);
    if (missing.length) {
      throw new Error(`code-server installed but its install scripts did not finish (missing ${missing.map((m) => path.relative(dir, m)).join(', ')}); see ${logFile}, then delete ${dir} and try again`);
    }
    const version = versionOf(dir);
    if (!version) throw new Error(`code-server installed in ${dir} but \`code-server --version\` fails; see ${logFile}`);
    writeFileSync(marker, `${new Date().toISOString()} ${version}\n`);
    log(`installed code-server ${CODE_SERVER_VERSION} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return dir;
  });
}

/** Runs `fn` holding a lock directory; waits (up to 15 min) while a live process holds it. */
function withLock<T>(lockDir: string, fn: () => T): T {
  mkdirSync(path.dirname(lockDir), { recursive: true });
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSafe(path.join(lockDir, 'pid')));
      if (!pid || !alive(pid)) {
        rmSync(lockDir, { recursive: true, force: true }); // stale: its holder died
        continue;
      }
      if (Date.now() > deadline) throw new Error(`another process (pid ${pid}) has been installing code-server for 15 minutes; stop it or delete ${lockDir}`);
      spawnSync('sleep', ['1']);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function tail(file: string, lines: number): string {
  return readFileSafe(file).split('\n').slice(-lines).join('\n');
}

/**
 * Settings that keep a test or demo window quiet and predictable: no trust
 * prompt (the folder is one we made), no welcome page, tips, update or
 * telemetry traffic.
 */
export const QUIET_SETTINGS: Record<string, unknown> = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'chat.commandCenter.enabled': false,
  'window.commandCenter': false,
};

/**
 * Writes user settings. code-server's workbench is a remote window, where
 * `machine`-scoped settings (like `slipway.engine.host`) are read from the
 * Machine settings file, not User: both get the same content.
 */
export function writeSettings(userDataDir: string, settings: Record<string, unknown>): void {
  for (const scope of ['User', 'Machine']) {
    mkdirSync(path.join(userDataDir, scope), { recursive: true });
    writeFileSync(path.join(userDataDir, scope, 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
  }
}

/** Installs a .vsix into an extensions dir with `code-server --install-extension`. */
export function installExtension(vsix: string, dirs: { userDataDir: string; extensionsDir: string; configFile: string }, codeDir = codeServerDir()): void {
  if (!existsSync(vsix)) throw new Error(`${vsix} does not exist; build it with \`npm run package\``);
  const r = spawnSync(
    process.execPath,
    [codeServerEntry(codeDir), '--config', dirs.configFile, '--user-data-dir', dirs.userDataDir, '--extensions-dir', dirs.extensionsDir, '--install-extension', vsix, '--force'],
    { encoding: 'utf8', timeout: 120_000 },
  );
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0 || !/successfully installed/i.test(out)) {
    throw new Error(`code-server could not install ${vsix} (exit ${r.status}): ${out.trim()}`);
  }
}

/** A TCP port on 127.0.0.1: `preferred` when it is free, else one the OS picks. */
export async function freePort(preferred?: number): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number | undefined>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(undefined));
      srv.listen(port, '127.0.0.1', () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
  if (preferred) {
    const p = await tryListen(preferred);
    if (p) return p;
  }
  const p = await tryListen(0);
  if (!p) throw new Error('no free TCP port on 127.0.0.1');
  return p;
}

export interface CodeServerOptions {
  /** Folder to open. */
  folder: string;
  /** .vsix files to install before starting. */
  vsix?: string[];
  /** User (and Machine) settings; merged over QUIET_SETTINGS. */
  settings?: Record<string, unknown>;
  port?: number;
  /** Where user-data, extensions, config and log go; a fresh temp dir by default (removed on stop). */
  dir?: string;
  /** Extra environment for the server and its extension host. */
  env?: NodeJS.ProcessEnv;
  log?: Log;
}

export interface CodeServer {
  /** http://127.0.0.1:PORT/ */
  url: string;
  /** The URL that opens `folder`. */
  folderUrl: string;
  port: number;
  dir: string;
  userDataDir: string;
  extensionsDir: string;
  logFile: string;
  pid: number;
  /** Ends code-server (and its extension hosts); removes `dir` when the harness made it. */
  stop(): Promise<void>;
}

/** Installs code-server if needed, then starts it with a fresh profile and the given extensions. */
export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServer> {
  const log = opts.log ?? defaultLog;
  const codeDir = ensureCodeServer(log);
  const ownDir = !opts.dir;
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), 'slipway-code-server-'));
  const userDataDir = path.join(dir, 'user-data');
  const extensionsDir = path.join(dir, 'extensions');
  const configFile = path.join(dir, 'config.yaml');
  const logFile = path.join(dir, 'code-server.log');
  mkdirSync(extensionsDir, { recursive: true });
  // Our own config file, so code-server never writes ~/.config/code-server/config.yaml.
  writeFileSync(configFile, 'auth: none\ncert: false\n');
  writeSettings(userDataDir, { ...QUIET_SETTINGS, ...opts.settings });
  for (const v of opts.vsix ?? []) installExtension(v, { userDataDir, extensionsDir, configFile }, codeDir);

  const port = opts.port ?? (await freePort());
  const out = openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    process.execPath,
    [
      codeServerEntry(codeDir),
      '--config', configFile,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--user-data-dir', userDataDir,
      '--extensions-dir', extensionsDir,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      opts.folder,
    ],
    // Its own process group, so stop() ends the extension host and pty hosts too.
    { stdio: ['ignore', out, out], detached: true, env: { ...process.env, ...opts.env } },
  );
  closeSync(out);
  let exited: string | undefined;
  const exitedPromise = new Promise<void>((resolve) =>
    child.once('exit', (code, sig) => {
      exited = `code-server exited (${sig ?? code})`;
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 60_000;
  while (!(await healthy(url))) {
    if (exited) throw new Error(`${exited} before it answered; see ${logFile}:\n${tail(logFile, 15)}`);
    if (Date.now() > deadline) {
      killGroup(child.pid!, 'SIGKILL');
      throw new Error(`code-server did not answer on ${url} within 60 s; see ${logFile}:\n${tail(logFile, 15)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  log(`running at ${url} (pid ${child.pid}, log ${logFile})`);

  let stopping: Promise<void> | undefined;
  return {
    url,
    folderUrl: `${url}?folder=${encodeURIComponent(opts.folder)}`,
    port,
    dir,
    userDataDir,
    extensionsDir,
    logFile,
    pid: child.pid!,
    stop() {
      stopping ??= (async () => {
        if (!exited) {
          killGroup(child.pid!, 'SIGTERM');
          const t = setTimeout(() => killGroup(child.pid!, 'SIGKILL'), 10_000);
          await exitedPromise;
          clearTimeout(t);
        }
        // Children (extension host, pty host) share the group; make sure none outlives the server.
        killGroup(child.pid!, 'SIGKILL');
        if (ownDir) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
      })();
      return stopping;
    },
  };
}

function killGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // already gone
  }
}

function healthy(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(`${url}healthz`, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

if (require.main === module) {
  const cmd = process.argv[2];
  if (cmd === 'install') {
    try {
      const dir = ensureCodeServer();
      console.log(codeServerEntry(dir));
    } catch (err) {
      console.error(`code-server: ${(err as Error).message}`);
      process.exit(1);
    }
  } else {
    console.error('usage: node out/test/harness/codeServer.js install');
    process.exit(2);
  }
}
