// The Machines view lists each machine with its resources and, under it, its shared
// folders: host path, mechanism, read-only. The machine is stopped (setup.ts creates
// it without QEMU), so the shares are shown as configured.

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { expandView, openActivity, treeItem, treeItemDescription, treeItemIcon } from '../harness/browser';
import { editorEnv } from './setup';
import { useWorkbench } from './workbench';

describe('editor: Machines view', function () {
  this.timeout(180_000);
  const wb = useWorkbench('machines');

  it('shows a stopped machine with its disk and, under it, its shared folders and their mechanism', async function () {
    const { page, screenshot } = wb();
    const { workspace, slipwayHome } = editorEnv();
    await openActivity(page, 'Slipway');
    const pane = await expandView(page, 'Machines');
    const machine = treeItem(pane, 'demo');
    await machine.waitFor({ timeout: 60_000 });
    assert.equal(await treeItemIcon(machine), 'vm-outline');
    assert.match(await treeItemDescription(machine), /^stopped · 2 CPUs · 2 GiB · 32 GiB disk$/);
    if ((await machine.getAttribute('aria-expanded')) !== 'true') await machine.click();
    const share = treeItem(pane, workspace);
    await share.waitFor({ timeout: 30_000 });
    assert.equal(await treeItemIcon(share), 'folder');
    const data = treeItem(pane, path.join(slipwayHome, 'datasets'));
    await data.waitFor({ timeout: 30_000 });
    assert.equal(await treeItemDescription(data), 'sshfs · read-only');
    assert.equal(await treeItemIcon(data), 'lock');
    await screenshot('machines-shares');
  });
});
