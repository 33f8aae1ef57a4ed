// devcontainer.json in a real VS Code while the engine is a Slipway machine:
// a bind mount outside the machine's shared folders is flagged in Problems,
// the shared ones are not. The tier's machine ("demo", setup.ts) is stopped;
// its Docker socket path is pointed at the tier's dockerd (a symlink), and the
// engine setting at that socket, so the extension is connected "to the
// machine" exactly as it is when the machine runs.

import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Machines } from '../../src/machine/machine';
import { hoverText, openFile, waitForProblems } from '../harness/browser';
import { editorEnv } from './setup';
import { useWorkbench } from './workbench';

function setEngineHost(userDataDir: string, host: string): void {
  for (const scope of ['User', 'Machine']) {
    const file = path.join(userDataDir, scope, 'settings.json');
    const settings = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    settings['slipway.engine.host'] = host;
    writeFileSync(file, `${JSON.stringify(settings, null, 2)}\n`);
  }
}

describe('editor: devcontainer.json', function () {
  this.timeout(180_000);
  const wb = useWorkbench('devcontainer');
  let socket: string | undefined;
  let configDir: string | undefined;

  after(() => {
    const { codeServer, dockerd } = editorEnv();
    setEngineHost(codeServer.userDataDir, dockerd.host);
    if (socket) rmSync(socket, { force: true });
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  it('warns about a bind mount outside the shared folders of the machine the engine runs in', async function () {
    const { page, screenshot } = wb();
    const { workspace, slipwayHome, codeServer, dockerd } = editorEnv();
    const paths = new Machines({ root: slipwayHome }).paths('demo');
    mkdirSync(path.dirname(paths.dockerSocket), { recursive: true, mode: 0o700 });
    if (!existsSync(paths.dockerSocket)) symlinkSync(dockerd.host.replace(/^unix:\/\//, ''), paths.dockerSocket);
    socket = paths.dockerSocket;

    configDir = path.join(workspace, '.devcontainer');
    mkdirSync(configDir, { recursive: true });
    const datasets = path.join(slipwayHome, 'datasets');
    writeFileSync(
      path.join(configDir, 'devcontainer.json'),
      [
        '{',
        '  // the workspace folder is shared with "demo": no warning for it',
        '  "image": "busybox:latest",',
        '  "mounts": [',
        '    "source=/opt/slipway-not-shared,target=/data,type=bind",',
        '    "source=cache,target=/cache,type=volume"',
        '  ],',
        `  "runArgs": ["-v", "${datasets}:/datasets:ro"]`,
        '}',
        '',
      ].join('\n'),
    );
    setEngineHost(codeServer.userDataDir, paths.dockerHost);
    // The extension reconnects when the setting changes; its status bar item says through what.
    const status = page.locator('.statusbar-item', { hasText: /Docker \d/ }).first();
    let via = '';
    for (const deadline = Date.now() + 60_000; !via.includes(paths.dockerHost) && Date.now() < deadline; ) {
      await page.waitForTimeout(1000);
      via = (await status.getAttribute('aria-label').catch(() => null)) ?? '';
      if (!via.includes(paths.dockerHost)) via = await hoverText(page, status).catch(() => '');
    }
    assert.ok(via.includes(paths.dockerHost), `the engine is reached through the machine's socket; the status bar says: ${via}`);

    await openFile(page, '.devcontainer/devcontainer.json');
    const warned = (rows: string[]) => rows.some((r) => r.includes('"/opt/slipway-not-shared" (mounts[0]) is not in a folder shared with machine "demo"'));
    const rows = await waitForProblems(page, warned);
    if (!warned(rows)) {
      const { execFileSync } = await import('node:child_process');
      console.log(execFileSync('sh', ['-c', 'find "$0" -name "*Slipway*" -o -name "exthost*.log" | while read f; do echo "== $f"; tail -50 "$f"; done', codeServer.userDataDir], { encoding: 'utf8' }));
    }
    assert.ok(warned(rows), `Problems lists the unshared mount; it shows:\n${rows.join('\n')}`);
    const ours = rows.filter((r) => r.includes('shared with machine'));
    assert.equal(ours.length, 1, `only the unshared mount is flagged:\n${ours.join('\n')}`);
    await screenshot('devcontainer-unshared-mount');
  });
});
