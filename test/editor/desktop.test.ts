// The extension in a desktop VS Code (Electron) rather than code-server's web
// workbench. @vscode/test-electron would download VS Code from
// update.code.visualstudio.com, which machines of this project's kind cannot
// reach, so this runs only where a desktop VS Code is given:
//
//   SLIPWAY_VSCODE_DESKTOP=/path/to/code npm test -- editor
//
// (on Linux under xvfb-run when there is no $DISPLAY). It starts VS Code the way
// test-electron does, with --extensionDevelopmentPath and --extensionTestsPath
// (desktop/suite.ts runs inside its extension host), and passes when VS Code
// exits 0. Elsewhere it prints one line saying why and defines no test, so a
// run never counts a test that could only skip.

import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { which } from '../harness/programs';

const repo = path.resolve(__dirname, '..', '..', '..');

/** The desktop VS Code to run and how, or why there is none. */
function desktopVscode(): { argv0: string; prefix: string[] } | { why: string } {
  const exe = process.env.SLIPWAY_VSCODE_DESKTOP;
  if (!exe) return { why: 'no desktop VS Code here (set SLIPWAY_VSCODE_DESKTOP to its executable; @vscode/test-electron cannot download one on this machine); code-server covers the workbench' };
  if (!existsSync(exe)) return { why: `SLIPWAY_VSCODE_DESKTOP="${exe}" does not exist` };
  if (process.platform !== 'linux' || process.env.DISPLAY) return { argv0: exe, prefix: [] };
  const xvfb = which('xvfb-run');
  if (!xvfb) return { why: 'no $DISPLAY and no xvfb-run for the desktop VS Code (apt-get install xvfb)' };
  return { argv0: xvfb, prefix: ['-a', exe] };
}

const found = desktopVscode();
if ('why' in found) {
  console.log(`  editor: desktop VS Code not run: ${found.why}`);
} else {
  describe('editor: desktop VS Code', function () {
    it('activates the extension and registers its commands', async function () {
      this.timeout(300_000);
      const dir = mkdtempSync(path.join(os.tmpdir(), 'slipway-desktop-'));
      try {
        const workspace = path.join(dir, 'sample');
        cpSync(path.join(repo, 'sample'), workspace, { recursive: true });
        const args = [
          ...found.prefix,
          `--extensionDevelopmentPath=${repo}`,
          `--extensionTestsPath=${path.join(__dirname, 'desktop', 'suite.js')}`,
          '--user-data-dir', path.join(dir, 'user-data'),
          '--extensions-dir', path.join(dir, 'extensions'),
          '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', '--no-sandbox', '--disable-gpu',
          workspace,
        ];
        const env = { ...process.env };
        delete env.ELECTRON_RUN_AS_NODE;
        const child = spawn(found.argv0, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (out += d));
        const code = await new Promise<number | null>((resolve, reject) => {
          child.on('error', reject);
          child.on('close', resolve);
        });
        assert.equal(code, 0, `desktop VS Code exited with ${code}:\n${out.split('\n').slice(-40).join('\n')}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
