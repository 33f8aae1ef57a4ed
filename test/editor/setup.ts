// Root hooks of the editor tier: one private dockerd, one packaged .vsix and one
// code-server for the whole tier; each test file opens its own Chromium window.
//
// Run alone (after `npx tsc -p tsconfig.json`):
//   npx mocha --require out/test/editor/setup.js 'out/test/editor/*.test.js' --timeout 300000

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Context } from 'mocha';
import { browserUnavailable } from '../harness/browser';
import { cannotRun } from '../harness/ci';
import { startCodeServer, type CodeServer } from '../harness/codeServer';
import { dockerdUnavailable, startDockerd, type Dockerd } from '../harness/dockerd';
import { importBusybox } from '../harness/images';

export interface EditorEnv {
  dockerd: Dockerd;
  codeServer: CodeServer;
  /** The workspace folder code-server opened (a copy of sample/). */
  workspace: string;
  vsix: string;
  /** SLIPWAY_HOME of the extension host: holds one stopped machine, "demo", with two shared folders. */
  slipwayHome: string;
}

/** A stopped machine for the Machines view (creating one needs no QEMU): it shares the workspace and, read-only over sshfs, a second folder. */
async function createDemoMachine(home: string, workspace: string): Promise<void> {
  const { Machines } = require('../../src/machine/machine') as typeof import('../../src/machine/machine');
  const data = path.join(home, 'datasets');
  mkdirSync(data);
  await new Machines({ root: home }).create('demo', {
    cpus: 2,
    memoryMiB: 2048,
    diskGiB: 32,
    shares: [
      { hostPath: workspace, guestPath: workspace, readOnly: false, mechanism: 'auto' },
      { hostPath: data, guestPath: data, readOnly: true, mechanism: 'sshfs' },
    ],
  });
}

let env: EditorEnv | undefined;
let dockerdDir: string | undefined;
let anyFailed = false;

/** The tier's shared environment; only valid inside tests (after the root hook ran). */
export function editorEnv(): EditorEnv {
  if (!env) throw new Error('the editor environment is not running; run the tier with --require out/test/editor/setup.js');
  return env;
}

/** Stops the private dockerd (the engine "goes away"); `restartDockerd` brings it back on the same socket. */
export async function stopDockerd(): Promise<void> {
  await editorEnv().dockerd.stop();
}

export async function restartDockerd(): Promise<Dockerd> {
  const e = editorEnv();
  e.dockerd = await startDockerd({ dir: dockerdDir });
  return e.dockerd;
}

const repo = path.resolve(__dirname, '..', '..', '..');

function packageVsix(): string {
  const vsix = path.join(repo, 'dist', 'slipway.vsix');
  // An old vsix in dist/ must not end up inside the new one (vsce would also fail on it).
  rmSync(vsix, { force: true });
  const r = spawnSync('npm', ['run', 'package'], { cwd: repo, encoding: 'utf8' });
  if (r.status !== 0 || !existsSync(vsix)) {
    throw new Error(`\`npm run package\` failed (exit ${r.status}); run it to see why:\n${(r.stdout + r.stderr).split('\n').slice(-20).join('\n')}`);
  }
  return vsix;
}

export const mochaHooks = {
  async beforeAll(this: Context) {
    this.timeout(20 * 60_000); // the first run installs code-server (a few minutes)
    const why = dockerdUnavailable() ?? browserUnavailable();
    if (why) cannotRun(this, 'the editor tier', why);
    const started = Date.now();
    const vsix = packageVsix();
    // The dockerd keeps a fixed directory so a restart comes back on the same socket.
    dockerdDir = mkdtempSync(path.join(os.tmpdir(), 'slipway-editor-dockerd-'));
    const dockerd = await startDockerd({ dir: dockerdDir });
    importBusybox(dockerd.env);
    const wsRoot = mkdtempSync(path.join(os.tmpdir(), 'slipway-editor-ws-'));
    const workspace = path.join(wsRoot, 'sample');
    cpSync(path.join(repo, 'sample'), workspace, { recursive: true });
    const slipwayHome = mkdtempSync(path.join(os.tmpdir(), 'slipway-editor-home-'));
    await createDemoMachine(slipwayHome, workspace);
    const codeServer = await startCodeServer({
      folder: workspace,
      vsix: [vsix],
      env: { SLIPWAY_HOME: slipwayHome },
      settings: { 'slipway.engine.host': dockerd.host },
      log: (line) => console.log(`    code-server: ${line}`),
    });
    env = { dockerd, codeServer, workspace, vsix, slipwayHome };
    console.log(`    editor tier ready in ${((Date.now() - started) / 1000).toFixed(1)} s (code-server ${codeServer.url}, dockerd ${dockerd.host})`);
  },

  afterEach(this: Context) {
    if (this.currentTest?.state === 'failed') anyFailed = true;
  },

  async afterAll(this: Context) {
    this.timeout(60_000);
    if (!env) return;
    const { codeServer, dockerd, workspace, slipwayHome } = env;
    if (anyFailed || process.env.SLIPWAY_EDITOR_LOG) {
      console.log(`--- code-server log (${codeServer.logFile}), last lines:\n${readFileSync(codeServer.logFile, 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('File not found:')).slice(-30).join('\n')}`);
    }
    await codeServer.stop();
    await dockerd.stop();
    if (dockerdDir) rmSync(dockerdDir, { recursive: true, force: true, maxRetries: 3 });
    rmSync(path.dirname(workspace), { recursive: true, force: true });
    rmSync(slipwayHome, { recursive: true, force: true });
    env = undefined;
  },
};
