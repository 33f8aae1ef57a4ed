// Build, run and compose tasks in a real VS Code: Build Image… and Compose Up from
// the command palette, compose actions on a project group, and task detection.
// Run alone: npx mocha --require out/test/editor/setup.js out/test/editor/tasks.test.js --timeout 300000
import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { contextMenu, contextMenuEntries, expandView, openActivity, runCommand, treeItem, waitForProblems } from '../harness/browser';
import { BUSYBOX_IMAGE, docker } from '../harness/images';
import { waitUntil } from '../harness/wait';
import { editorEnv } from './setup';
import { useWorkbench } from './workbench';

/** Opens `file` with Quick Open and waits until its editor is the active one (its breadcrumbs show `folder`). */
async function openByQuickOpen(page: Page, file: string, folder: string): Promise<void> {
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget input').fill(file);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: folder }).first().click({ timeout: 15_000 });
  await page.locator('.monaco-breadcrumbs', { hasText: folder }).first().waitFor({ timeout: 15_000 });
}

/**
 * Runs a command that acts on the active editor's file (Build Image…, Compose Up) and waits
 * until `done`. The extension host learns which editor is active asynchronously; until it has,
 * the command asks which file instead: that picker is answered with the same `file`.
 */
async function runOnActiveFile(page: Page, command: string, file: string, what: string, done: () => boolean | Promise<boolean>): Promise<void> {
  await runCommand(page, command);
  const pick = page.locator('.quick-input-widget .monaco-list-row', { hasText: file }).first();
  await waitUntil(
    what,
    async () => {
      if (await done()) return true;
      if (await pick.isVisible().catch(() => false)) await pick.click({ timeout: 5_000 }).catch(() => undefined);
      return false;
    },
    { timeoutMs: 120_000, everyMs: 250 },
  );
}

describe('editor: build, run and compose tasks', function () {
  const wb = useWorkbench('tasks');
  before(() => {
    const dir = path.join(editorEnv().workspace, 'broken');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'Dockerfile'), `FROM ${BUSYBOX_IMAGE}\nRUN echo building\nRUN exit 7\n`);
    const c = path.join(editorEnv().workspace, 'stack');
    mkdirSync(c, { recursive: true });
    writeFileSync(path.join(c, 'compose.yaml'), `name: smoke\nservices:\n  a:\n    image: ${BUSYBOX_IMAGE}\n    command: ["sleep", "300"]\n    init: true\n`);
  });

  it('Build Image… on a failing Dockerfile puts the failing RUN in the Problems panel', async function () {
    this.timeout(180_000);
    const { page, screenshot } = wb();
    await openByQuickOpen(page, 'broken/Dockerfile', 'broken');
    const tagPrompt = page.locator('.quick-input-widget', { hasText: 'Build broken/Dockerfile' });
    await runOnActiveFile(page, 'Slipway: Build Image…', 'broken/Dockerfile', 'the tag prompt for broken/Dockerfile', () => tagPrompt.isVisible());
    await screenshot('tag-prompt');
    await page.keyboard.press('Enter');
    const failed = (rows: string[]) => rows.some((p) => /RUN failed with exit code 7/.test(p));
    const problems = await waitForProblems(page, failed, 120_000);
    await screenshot('problems');
    assert.ok(problems.some((p) => /RUN failed with exit code 7/.test(p) && /3/.test(p)), JSON.stringify(problems));
  });

  it('Compose Up on a compose file starts the project', async function () {
    this.timeout(180_000);
    const { page, screenshot } = wb();
    await openByQuickOpen(page, 'stack/compose.yaml', 'stack');
    const running = () => docker(editorEnv().dockerd.env, 'ps', '--filter', 'label=com.docker.compose.project=smoke', '--format', '{{.Names}}');
    await runOnActiveFile(page, 'Slipway: Compose Up', 'stack/compose.yaml', 'a running container of project "smoke"', () => running() !== '');
    const out = running();
    await screenshot('compose-up');
    assert.match(out, /smoke-a-1/);
  });

  it('the Containers view project group offers compose actions, and Compose Down… removes the project', async function () {
    this.timeout(180_000);
    const { page, screenshot } = wb();
    await openActivity(page, 'Slipway');
    const pane = await expandView(page, 'Containers');
    const group = treeItem(pane, 'smoke');
    await group.waitFor({ timeout: 30_000 });
    const entries = await contextMenuEntries(page, group);
    console.log(entries);
    for (const e of ['Compose Up', 'Compose Restart', 'Compose Logs', 'Compose Down…']) assert.ok(entries.includes(e), JSON.stringify(entries));
    await contextMenu(page, group, 'Compose Down…');
    const button = page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Down$/ });
    await button.waitFor({ timeout: 15_000 });
    await screenshot('down-dialog');
    await button.click();
    const left = () => docker(editorEnv().dockerd.env, 'ps', '-a', '--filter', 'label=com.docker.compose.project=smoke', '--format', '{{.Names}}');
    await waitUntil('project "smoke" to have no containers left', () => left() === '', { timeoutMs: 120_000, everyMs: 250 });
    await screenshot('after-down');
    assert.equal(left(), '');
  });

  it('auto-detects build and compose tasks without provider errors', async function () {
    this.timeout(180_000);
    const { page, screenshot } = wb();
    /** Opens Tasks: Run Task, picks the task type, and checks each expected task by filtering for it. */
    const expectDetected = async (type: string, labels: string[]) => {
      // The picker lists task types once the providers answered; retry if it closed early.
      for (let attempt = 1; ; attempt++) {
        await runCommand(page, 'Tasks: Run Task');
        const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: type }).first();
        try {
          await row.waitFor({ timeout: 20_000 });
          await row.click({ timeout: 10_000 });
          break;
        } catch (err) {
          await page.keyboard.press('Escape');
          if (attempt === 3) throw err;
        }
      }
      const input = page.locator('.quick-input-widget input');
      for (const label of labels) {
        await input.fill(label);
        await page.locator('.quick-input-widget .monaco-list-row', { hasText: `slipway: ${label}` }).first().waitFor({ timeout: 20_000 });
      }
      await screenshot(`detected-${type}`);
      await page.keyboard.press('Escape');
    };
    await expectDetected('slipway-build', ['build Dockerfile', 'build broken/Dockerfile']);
    await expectDetected('slipway-compose', ['compose up compose.yaml', 'compose down compose.yaml', 'compose up stack/compose.yaml', 'compose down stack/compose.yaml']);
    assert.equal(await page.locator('.notifications-toasts', { hasText: 'There are task errors' }).count(), 0);
  });
});
