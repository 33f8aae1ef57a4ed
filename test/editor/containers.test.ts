// The Containers view in a real VS Code: it opens from the activity bar, shows a
// container made outside VS Code under its Compose project, and a context-menu
// Stop changes the container's icon.

import * as assert from 'node:assert/strict';
import { contextMenu, expandView, openActivity, treeItem, treeItemIcon, treeRows, viewPane } from '../harness/browser';
import { BUSYBOX_IMAGE, docker } from '../harness/images';
import { editorEnv } from './setup';
import { useWorkbench } from './workbench';

describe('editor: Containers view', function () {
  this.timeout(180_000);
  const wb = useWorkbench('containers');
  const composed = 'demo-web-1';
  const loner = 'loner';

  before(function () {
    const { env } = editorEnv().dockerd;
    for (const name of [composed, loner]) docker(env, 'rm', '-f', name);
    docker(env, 'run', '-d', '--name', composed, '--label', 'com.docker.compose.project=demo', '--label', 'com.docker.compose.service=web', BUSYBOX_IMAGE, 'sleep', '1000');
    docker(env, 'run', '-d', '--name', loner, BUSYBOX_IMAGE, 'sleep', '1000');
  });

  after(function () {
    const { env } = editorEnv().dockerd;
    for (const name of [composed, loner]) {
      try {
        docker(env, 'rm', '-f', name);
      } catch {
        // the engine may already be gone
      }
    }
  });

  it('opens the Slipway activity bar with its four views', async function () {
    const { page, screenshot } = wb();
    await openActivity(page, 'Slipway');
    for (const title of ['Containers', 'Images', 'Volumes', 'Networks']) {
      await viewPane(page, title).locator('.pane-header').waitFor({ timeout: 30_000 });
    }
    // Activated and connected: the extension's status bar item names the engine.
    await page.locator('.statusbar-item', { hasText: /Docker \d/ }).waitFor({ timeout: 60_000 });
    await page.locator('.sidebar .monaco-progress-container.active').first().waitFor({ state: 'hidden', timeout: 30_000 });
    await screenshot('slipway-opened');
  });

  it('lists a container under its Compose project and others under "Individual containers"', async function () {
    const { page, screenshot } = wb();
    const pane = await expandView(page, 'Containers');
    await treeItem(pane, composed).waitFor({ timeout: 30_000 });
    await treeItem(pane, loner).waitFor({ timeout: 30_000 });
    const rows = await treeRows(pane);
    const row = (label: string) => rows.find((r) => r.label === label);
    assert.equal(row(composed)?.parent, 'demo', `rows: ${JSON.stringify(rows)}`);
    assert.equal(row(loner)?.parent, 'Individual containers', `rows: ${JSON.stringify(rows)}`);
    assert.equal(row('demo')?.level, 1);
    assert.equal(row(composed)?.icon, 'vm-running');
    assert.match(row(composed)?.description ?? '', /slipway-test\/busybox:1/);
    await screenshot('grouped-by-compose-project');
  });

  it('stops a container from its context menu, and its icon changes', async function () {
    const { page, screenshot } = wb();
    const pane = await expandView(page, 'Containers');
    const item = treeItem(pane, composed);
    await contextMenu(page, item, 'Stop', () => screenshot('context-menu'));
    // The engine's "die"/"stop" events refresh the view; the row keeps its label.
    await item.locator('.custom-view-tree-node-item-icon.codicon-vm-outline').waitFor({ timeout: 60_000 });
    assert.equal(await treeItemIcon(item), 'vm-outline');
    const state = docker(editorEnv().dockerd.env, 'inspect', '-f', '{{.State.Running}}', composed);
    assert.equal(state, 'false');
    await screenshot('stopped-from-context-menu');
  });
});
