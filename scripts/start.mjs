// `npm start`: builds Slipway and opens it in a real VS Code on a sample workspace.
//
// - With a desktop `code` on PATH: runs it with --extensionDevelopmentPath on
//   a copy of sample/ and waits for the window to close.
// - Otherwise: builds dist/slipway.vsix, installs code-server (cached, offline
//   recipe in test/harness/codeServer.ts), installs the vsix into a fresh
//   profile and serves the workbench on 127.0.0.1, printing
//   "Slipway is running at http://127.0.0.1:PORT/". SLIPWAY_PORT chooses the
//   port (default 8080, else a free one).
// - On Linux with no engine answering at DOCKER_HOST or /var/run/docker.sock,
//   starts a private dockerd for the session (as the engine tests do) with a
//   local BusyBox image and one sample container, so the views show something.
//
// Stays in the foreground until Ctrl+C (SIGINT) or SIGTERM, then stops and
// removes everything it started.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureHostPackages, ensureNpm, run } from './deps.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(repo);
const require = createRequire(import.meta.url);
const say = (line) => console.log(`start: ${line}`);

/** Cleanups, run in reverse order on exit; each one's failure is reported, not fatal. */
const cleanups = [];
let cleaning;
async function cleanup() {
  cleaning ??= (async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        console.error(`start: cleanup: ${err.message}`);
      }
    }
  })();
  return cleaning;
}

function fail(message) {
  console.error(`start: ${message}`);
  return cleanup().then(() => process.exit(1));
}

// One signal handler for the whole run: while setting up, a signal cleans up
// and exits; once running, it ends the foreground wait (untilSignal).
let waiting;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    if (waiting) waiting(sig);
    else {
      say(`${sig} while starting: cleaning up`);
      void cleanup().then(() => process.exit(130));
    }
  });
}

/** Resolves with the signal's name when the process gets SIGINT, SIGTERM or SIGHUP. */
function untilSignal() {
  return new Promise((resolve) => (waiting = resolve));
}

function which(cmd) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, cmd);
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

/** The test harness modules this script uses (test/harness/<name>.ts); their programs' packages are the "start" purpose's. */
const HARNESS_MODULES = ['codeServer', 'dockerd', 'images'];

/** Compiles the test harness (tsc → out/); type errors elsewhere in the tree do not stop us if it was emitted. */
function compileHarness() {
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
  const needed = HARNESS_MODULES.map((m) => path.join(repo, 'out', 'test', 'harness', `${m}.js`));
  const missing = needed.filter((f) => !existsSync(f));
  if (missing.length) throw new Error(`compiling the harness did not produce ${missing.join(', ')}; fix the TypeScript errors above`);
  if (r.status !== 0) say('TypeScript reported errors (above); continuing with the compiled harness');
  return Object.fromEntries(needed.map((f) => [path.basename(f, '.js'), require(f)]));
}

/** GET /_ping over a unix socket or tcp:// host; true on "OK". */
function pingEngine(host) {
  return new Promise((resolve) => {
    let opts;
    if (host.startsWith('unix://')) opts = { socketPath: host.slice('unix://'.length) };
    else if (host.startsWith('tcp://')) {
      const u = new URL(host.replace(/^tcp:/, 'http:'));
      opts = { host: u.hostname, port: Number(u.port || 2375) };
    } else return resolve(true); // ssh://, npipe://: the extension's own resolution decides
    const req = http.get({ ...opts, path: '/_ping', timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(res.statusCode === 200 && body === 'OK'));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

async function engineAnswers() {
  if (process.env.DOCKER_HOST) return pingEngine(process.env.DOCKER_HOST);
  return pingEngine('unix:///var/run/docker.sock');
}

function portFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** Private dockerd with busybox:1.36 and one sample container labelled as the compose project "sample". */
async function startPrivateEngine(h, workspace) {
  say('no Docker engine answers at DOCKER_HOST or /var/run/docker.sock; starting a private dockerd for this session');
  const d = await h.dockerd.startDockerd();
  cleanups.push(async () => {
    say('stopping the private dockerd');
    await d.stop();
  });
  const tag = h.images.importBusybox(d.env);
  h.images.docker(d.env, 'tag', tag, 'busybox:1.36');
  say('building sample-web from the sample Dockerfile');
  h.images.docker(d.env, 'build', '-q', '-t', 'sample-web', workspace);
  const hostPort = (await portFree(8000)) ? 8000 : await h.codeServer.freePort();
  h.images.docker(
    d.env, 'run', '-d', '--name', 'sample-web-1',
    '--label', 'com.docker.compose.project=sample', '--label', 'com.docker.compose.service=web',
    '--label', 'com.docker.compose.container-number=1',
    '-p', `127.0.0.1:${hostPort}:8000`, 'sample-web',
  );
  say(`private engine ${d.host}: sample app at http://127.0.0.1:${hostPort}/`);
  return d;
}

function makeWorkspace() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'slipway-sample-'));
  const ws = path.join(dir, 'sample');
  cpSync(path.join(repo, 'sample'), ws, { recursive: true });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return ws;
}

/**
 * Desktop VS Code: runs the extension from this checkout in a separate
 * instance (its own temporary profile, so it gets our environment and
 * settings even when VS Code is already open); returns when the window closes.
 */
async function runDesktop(h, code, workspace, engineHost) {
  run('npm', ['run', 'build']);
  const profile = mkdtempSync(path.join(os.tmpdir(), 'slipway-vscode-profile-'));
  cleanups.push(() => rmSync(profile, { recursive: true, force: true }));
  h.codeServer.writeSettings(profile, { ...h.codeServer.QUIET_SETTINGS, ...(engineHost ? { 'slipway.engine.host': engineHost } : {}) });
  const args = ['--user-data-dir', profile, '--extensionDevelopmentPath', repo, '--new-window', '--wait', workspace];
  const env = { ...process.env };
  if (engineHost) env.DOCKER_HOST = engineHost;
  say(`opening VS Code: ${code} ${args.join(' ')}`);
  const child = spawn(code, args, { stdio: 'inherit', env });
  cleanups.push(() => child.exitCode === null && child.kill('SIGTERM'));
  const result = await Promise.race([new Promise((r) => child.once('exit', () => r('closed'))), untilSignal()]);
  say(result === 'closed' ? 'VS Code window closed' : `${result}: stopping`);
}

/** SLIPWAY_PORT when set (and free), else 8080 when free, else any free port. */
async function choosePort(h) {
  if (!process.env.SLIPWAY_PORT) return h.codeServer.freePort(8080);
  const port = Number(process.env.SLIPWAY_PORT);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`SLIPWAY_PORT="${process.env.SLIPWAY_PORT}" is not a TCP port; use a number such as 8080`);
  if (!(await portFree(port))) throw new Error(`port ${port} (SLIPWAY_PORT) is in use on 127.0.0.1; stop what uses it or choose another port`);
  return port;
}

async function main() {
  ensureNpm();
  const desktop = which('code');
  // Debian packages (scripts/host-packages.cjs): code-server's install needs, a private engine.
  const missing = ensureHostPackages(['start'], say);
  if (missing) {
    if (!desktop) throw new Error(missing);
    say(`${missing}; continuing with the desktop VS Code`);
  }
  const h = compileHarness();
  const port = desktop ? undefined : await choosePort(h); // fail fast, before starting anything
  if (!desktop) h.codeServer.ensureCodeServer(say); // cached after the first run

  const workspace = makeWorkspace();
  let engineHost;
  if (process.platform === 'linux' && !(await engineAnswers())) {
    const why = h.dockerd.dockerdUnavailable();
    if (why) say(`no Docker engine, and a private one cannot start (${why}); Slipway will show why in its views`);
    else engineHost = (await startPrivateEngine(h, workspace)).host;
  }

  if (desktop) return runDesktop(h, desktop, workspace, engineHost);

  say('packaging the extension (npm run package)');
  const vsix = path.join(repo, 'dist', 'slipway.vsix');
  rmSync(vsix, { force: true }); // an old vsix in dist/ must not end up inside the new one
  run('npm', ['run', 'package']);

  const cs = await h.codeServer.startCodeServer({
    folder: workspace,
    vsix: [vsix],
    port,
    settings: engineHost ? { 'slipway.engine.host': engineHost } : {},
    log: say,
  });
  cleanups.push(async () => {
    say('stopping code-server');
    await cs.stop();
  });

  console.log(`Slipway is running at ${cs.url}`);
  say('press Ctrl+C to stop');
  const csExit = new Promise((resolve) => {
    const t = setInterval(() => {
      try {
        process.kill(cs.pid, 0);
      } catch {
        clearInterval(t);
        resolve('code-server exited');
      }
    }, 1000);
    cleanups.push(() => clearInterval(t));
  });
  const why = await Promise.race([untilSignal(), csExit]);
  say(why === 'code-server exited' ? `code-server exited unexpectedly; see ${cs.logFile}` : `${why}: stopping`);
  if (why === 'code-server exited') process.exitCode = 1;
}

main()
  .then(cleanup)
  .catch((err) => fail(err.message));
