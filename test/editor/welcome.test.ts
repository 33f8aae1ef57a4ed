// When the engine goes away the Containers view says why and offers Retry and
// Choose Engine…; when it is back, Retry brings the containers back.
// Runs last in the tier (file order): it stops the tier's dockerd.

import * as assert from 'node:assert/strict';
import { expandView, openActivity, treeItem, viewPane } from '../harness/browser';
import { BUSYBOX_IMAGE, docker } from '../harness/images';
import { editorEnv, restartDockerd, stopDockerd } from './setup';
import { useWorkbench } from './workbench';

describe('editor: engine stopped', function () {
  this.timeout(180_000);
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
    // The user must see, together: why (the failing address and what failed) and the two ways out.
    // The view may pass through "Connecting…" while the extension retries, so wait for the settled view.
    const socket = editorEnv().dockerd.socket;
    const complete = (text: string) =>
      text.includes(socket) && /does not exist|connection refused|not listening|No Docker engine is running/i.test(text) && text.includes('Retry') && text.includes('Choose Engine…');
    let visible = '';
    for (const deadline = Date.now() + 60_000; Date.now() < deadline && !complete(visible); await page.waitForTimeout(500)) {
      visible = await pane.locator('.pane-body').innerText().catch(() => '');
    }
    assert.ok(complete(visible), `the Containers view must show the reason (address ${socket} and what failed) with Retry and Choose Engine…; it shows:\n${visible}`);
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
    const retry = pane.getByText('Retry', { exact: true }).first();
    if (await retry.isVisible()) await retry.click().catch(() => undefined);
    await treeItem(pane, name).waitFor({ timeout: 60_000 });
    assert.equal(await pane.locator('.welcome-view-content').isVisible(), false);
    await screenshot('engine-back');
  });
});
