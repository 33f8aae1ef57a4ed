// When the engine goes away the Containers view says why and offers Retry and
// Choose Engine…; when it is back, Retry brings the containers back.
// Runs last in the tier (file order): it stops the tier's dockerd.

import * as assert from 'node:assert/strict';
import { expandView, openActivity, treeItem, viewMessage, viewPane, welcomeText } from '../harness/browser';
import { BUSYBOX_IMAGE, docker } from '../harness/images';
import { editorEnv, restartDockerd, stopDockerd } from './setup';
import { useWorkbench } from './workbench';

describe('editor: engine stopped', function () {
  const wb = useWorkbench('engine-stopped');
  const name = 'survivor';

  before(function () {
    const { env } = editorEnv().dockerd;
    docker(env, 'rm', '-f', name);
    docker(env, 'create', '--name', name, BUSYBOX_IMAGE, 'sleep', '1000');
  });

  it('shows the welcome view with the reason and Retry / Choose Engine… when the engine stops', async function () {
    const { page, screenshot } = wb();
    await openActivity(page, 'Slipway');
    const pane = await expandView(page, 'Containers');
    await treeItem(pane, name).waitFor({ timeout: 30_000 });
    await screenshot('engine-running');

    await stopDockerd();
    const welcome = await welcomeText(pane);
    assert.match(welcome, /cannot reach a Docker engine/i);
    const buttons = (await pane.locator('.welcome-view-content .monaco-button').allInnerTexts()).map((s) => s.trim());
    assert.deepEqual(buttons, ['Retry', 'Choose Engine…']);
    // The user must see why: the failing address and what went wrong, inside the view.
    const visible = `${await viewMessage(pane)}\n${await pane.locator('.pane-body').innerText()}`;
    const socket = editorEnv().dockerd.socket;
    assert.ok(
      visible.includes(socket) && /does not exist|connection refused|not listening|No Docker engine is running/i.test(visible),
      `the Containers view does not show the reason (expected the address ${socket} and what failed); it shows:\n${visible}`,
    );
    assert.equal(await treeItem(pane, name).count(), 0, 'the stopped engine\'s containers are no longer listed');
    const status = await page.locator('.statusbar-item', { hasText: 'No Docker engine' }).count();
    assert.equal(status, 1, 'the status bar says no engine is connected');
    await screenshot('engine-stopped-welcome');
  });

  it('lists the containers again once the engine is back (Retry, or the automatic reconnect)', async function () {
    const { page, screenshot } = wb();
    await restartDockerd();
    const pane = viewPane(page, 'Containers');
    // The extension also retries by itself with backoff; whichever comes first is fine.
    const retry = pane.locator('.welcome-view-content .monaco-button', { hasText: 'Retry' });
    if (await retry.isVisible()) await retry.click().catch(() => undefined);
    await treeItem(pane, name).waitFor({ timeout: 60_000 });
    assert.equal(await pane.locator('.welcome-view-content').isVisible(), false);
    await screenshot('engine-back');
  });
});
