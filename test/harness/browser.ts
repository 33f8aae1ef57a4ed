// Drives a code-server workbench in Debian's Chromium with playwright-core,
// the way a person would: click the activity bar, right-click tree items,
// read the Problems panel, hover, use the command palette. Screenshots go to
// test-artifacts/editor/<test>/<step>.png (gitignored).
//
// Selectors are VS Code 1.100's workbench DOM; they are kept here, in one
// place, so a VS Code upgrade means changing this file only.

import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export interface Workbench {
  page: Page;
  context: BrowserContext;
  /** Saves test-artifacts/editor/<test>/<step>.png and returns its path. */
  screenshot(step: string): Promise<string>;
  close(): Promise<void>;
}

/** Why Chromium cannot be driven here, or undefined when it can (Debian's chromium, from scripts/host-packages.cjs). */
export function browserUnavailable(): string | undefined {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing; \`node scripts/deps.mjs editor\` installs Debian's chromium`;
  return undefined;
}

export function artifactDir(test: string): string {
  const dir = path.join(process.cwd(), 'test-artifacts', 'editor', safeName(test));
  mkdirSync(dir, { recursive: true });
  return dir;
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'unnamed';
}

/**
 * Launches Chromium with a fresh profile, opens `url` and waits for the
 * workbench. `test` names the screenshot folder.
 */
export async function openWorkbench(url: string, test: string): Promise<Workbench> {
  const why = browserUnavailable();
  if (why) throw new Error(why);
  const profile = mkdtempSync(path.join(os.tmpdir(), 'slipway-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const shots = artifactDir(test);
  // Start the folder afresh so it holds exactly this run's steps.
  for (const f of readdirSync(shots)) if (f.endsWith('.png')) rmSync(path.join(shots, f), { force: true });
  let n = 0;
  const wb: Workbench = {
    page,
    context,
    async screenshot(step) {
      const file = path.join(shots, `${String(++n).padStart(2, '0')}-${safeName(step)}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
    },
  };
  try {
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await acceptTrustIfAsked(page);
    // The workbench is interactive once the activity bar has its items.
    await page.locator('.activitybar .action-item').first().waitFor({ timeout: 60_000 });
  } catch (err) {
    await wb.screenshot('open-failed').catch(() => undefined);
    await wb.close();
    throw new Error(`the workbench at ${url} did not open: ${(err as Error).message}`, { cause: err });
  }
  return wb;
}

/** Clicks "Yes, I trust the authors" when the workspace-trust dialog shows (settings normally turn it off). */
export async function acceptTrustIfAsked(page: Page): Promise<void> {
  const trust = page.getByRole('button', { name: /Yes, I trust the authors/ });
  if (await trust.isVisible().catch(() => false)) await trust.click();
}

/** Opens a view container from the activity bar by its title (e.g. "Slipway"), unless it is already open. */
export async function openActivity(page: Page, title: string): Promise<void> {
  const has = `:has(a.action-label[aria-label^="${cssString(title)}"])`;
  const item = page.locator(`.activitybar .action-item${has}`).first();
  await item.waitFor({ timeout: 30_000 });
  if (!((await item.getAttribute('class')) ?? '').split(' ').includes('checked')) await item.click();
  await page.locator(`.activitybar .action-item.checked${has}`).waitFor({ timeout: 30_000 });
  // Move the pointer off the activity bar so its tooltip does not cover the side bar.
  await page.mouse.move(800, 500);
}

/** The pane (header + body) of a view in the side bar, by its title (e.g. "Containers"). */
export function viewPane(page: Page, title: string): Locator {
  return page.locator('.sidebar .pane').filter({ has: page.locator(`.pane-header h3.title`, { hasText: new RegExp(`^${escapeRegExp(title)}$`, 'i') }) });
}

/** Expands a collapsed view pane so its tree is rendered. */
export async function expandView(page: Page, title: string): Promise<Locator> {
  const pane = viewPane(page, title);
  const header = pane.locator('.pane-header');
  await header.waitFor({ timeout: 30_000 });
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  return pane;
}

/** A tree row in `pane` whose label is exactly `label`. */
export function treeItem(pane: Locator, label: string): Locator {
  return pane.locator('.monaco-list-row').filter({ has: pane.page().locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) });
}

/** The codicon name of a tree row's icon, e.g. "vm-running", or undefined when it has none. */
export async function treeItemIcon(row: Locator): Promise<string | undefined> {
  const cls = (await row.locator('.custom-view-tree-node-item-icon').first().getAttribute('class')) ?? '';
  return /\bcodicon-([a-z0-9-]+)/.exec(cls)?.[1];
}

/** The text of the tree row's description (the grey text after the label). */
export async function treeItemDescription(row: Locator): Promise<string> {
  return ((await row.locator('.label-description').first().textContent()) ?? '').trim();
}

export interface TreeRow {
  label: string;
  description: string;
  /** 1 for top-level rows, 2 for their children, ... */
  level: number;
  /** Codicon name, e.g. "vm-running". */
  icon?: string;
  /** Label of the nearest row above with a lower level: the group or parent. */
  parent?: string;
}

/** The rows a tree pane renders, in order, with their nesting. */
export async function treeRows(pane: Locator): Promise<TreeRow[]> {
  const raw = await pane.locator('.monaco-list-row').evaluateAll((els) =>
    els.map((e) => ({
      label: (e.querySelector('.label-name')?.textContent ?? '').trim(),
      description: (e.querySelector('.label-description')?.textContent ?? '').trim(),
      level: Number(e.getAttribute('aria-level') ?? '1'),
      iconClass: e.querySelector('.custom-view-tree-node-item-icon')?.getAttribute('class') ?? '',
      top: parseFloat(/top:\s*([\d.]+)px/.exec(e.getAttribute('style') ?? '')?.[1] ?? '0'),
    })),
  );
  raw.sort((a, b) => a.top - b.top); // the list reuses row elements, so DOM order is not display order
  const rows: TreeRow[] = [];
  for (const r of raw) {
    const parent = [...rows].reverse().find((p) => p.level < r.level)?.label;
    rows.push({ label: r.label, description: r.description, level: r.level, icon: /\bcodicon-([a-z0-9-]+)/.exec(r.iconClass)?.[1], parent });
  }
  return rows;
}

/**
 * Right-clicks `target` and clicks the context-menu entry titled `entry`;
 * `whileOpen` runs with the menu showing (e.g. to take a screenshot).
 */
export async function contextMenu(page: Page, target: Locator, entry: string, whileOpen?: () => Promise<unknown>): Promise<void> {
  await target.click({ button: 'right' });
  const item = page.getByRole('menuitem', { name: new RegExp(`^${escapeRegExp(entry)}`) });
  await item.first().waitFor({ timeout: 15_000 });
  await item.first().hover();
  if (whileOpen) await whileOpen();
  await item.first().click();
}

/** The titles in the context menu that `target` opens (the menu is closed again with Escape). */
export async function contextMenuEntries(page: Page, target: Locator): Promise<string[]> {
  await target.click({ button: 'right' });
  const items = page.locator('.monaco-menu .action-item:not(.disabled) .action-label');
  await items.first().waitFor({ timeout: 15_000 });
  const labels = (await items.allTextContents()).map((s) => s.trim()).filter(Boolean);
  await page.keyboard.press('Escape');
  return labels;
}

/** Runs a command from the command palette by its title as shown there (e.g. "View: Focus Problems"). */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 15_000 });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ timeout: 15_000 });
  await row.click();
}

/** Opens the Problems panel and returns what it lists (each row's accessible label). */
export async function readProblems(page: Page): Promise<string[]> {
  await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)').catch(async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+Shift+M');
  });
  const panel = page.locator('.markers-panel');
  await panel.waitFor({ timeout: 15_000 });
  const rows = panel.locator('.monaco-list-row');
  return rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? e.textContent ?? ''));
}

/**
 * Opens the Problems panel and waits until its rows satisfy `done` (diagnostics
 * arrive after a file opens); returns the last rows seen either way. Opens it
 * again when something else took the panel area meanwhile (a task's terminal).
 */
export async function waitForProblems(page: Page, done: (rows: string[]) => boolean, timeoutMs = 60_000): Promise<string[]> {
  let rows = await readProblems(page);
  for (const deadline = Date.now() + timeoutMs; !done(rows) && Date.now() < deadline; ) {
    await page.waitForTimeout(500);
    if (!(await page.locator('.markers-panel').isVisible())) rows = await readProblems(page);
    else rows = await page.locator('.markers-panel .monaco-list-row').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? e.textContent ?? ''));
  }
  return rows;
}

/** Hovers `target` and returns the hover widget's text. */
export async function hoverText(page: Page, target: Locator): Promise<string> {
  await target.hover();
  const hover = page.locator('.monaco-hover:not(.hidden) .monaco-hover-content, .monaco-hover:not(.hidden) .hover-contents').first();
  await hover.waitFor({ timeout: 15_000 });
  return ((await hover.textContent()) ?? '').trim();
}

/**
 * Puts the cursor on `target` (a token, or a 1-based line and column) in the
 * active editor, opens the quick-fix menu (Ctrl+.) and applies
 * the entry whose title starts with `title`; returns the titles offered.
 */
export async function applyQuickFix(page: Page, target: Locator | Position, title: string, whileOpen?: () => Promise<unknown>): Promise<string[]> {
  if ('line' in target) await gotoPosition(page, target);
  else await target.click();
  const widget = page.locator('.action-widget');
  const rows = widget.locator('.monaco-list-row.action');
  // Language servers compute fixes after the cursor lands; until then VS Code says
  // "No code actions available". Ask again until the menu has entries (30 s at most).
  for (let attempt = 0; ; attempt++) {
    await page.keyboard.press('Control+.');
    const shown = await rows.first().waitFor({ timeout: 3_000 }).then(() => true, () => false);
    if (shown) break;
    if (attempt >= 10) throw new Error('the quick-fix menu did not open (VS Code says no code actions are available here)');
    await page.keyboard.press('Escape');
    await page.waitForTimeout(500);
  }
  const offered = (await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? e.textContent ?? ''))).map((t) => t.trim());
  if (!offered.some((t) => t.startsWith(title))) {
    await page.keyboard.press('Escape');
    throw new Error(`no quick fix "${title}" here; offered: ${offered.join(' | ') || 'none'}`);
  }
  // The widget blocks the pointer until the mouse moves; choose with the keyboard, as many people do.
  const focused = widget.locator('.monaco-list-row.action.focused');
  for (let i = 0; i <= offered.length && !((await focused.getAttribute('aria-label')) ?? '').startsWith(title); i++) {
    await page.keyboard.press('ArrowDown');
  }
  if (whileOpen) await whileOpen();
  await page.keyboard.press('Enter');
  await widget.waitFor({ state: 'hidden', timeout: 15_000 });
  return offered;
}

/** The text of the active editor's rendered lines (what the user sees, top to bottom). */
export async function editorText(page: Page): Promise<string> {
  const lines = await page.locator('.editor-group-container.active .monaco-editor .view-lines .view-line').evaluateAll((els) =>
    els
      .map((e) => ({ top: parseFloat(/top:\s*([\d.]+)px/.exec(e.getAttribute('style') ?? '')?.[1] ?? '0'), text: (e.textContent ?? '').replace(/\u00a0/g, ' ') }))
      .sort((a, b) => a.top - b.top)
      .map((l) => l.text),
  );
  return lines.join('\n');
}

/** 1-based, as the status bar shows it. */
export interface Position {
  line: number;
  column: number;
}

/** Moves the active editor's cursor with "Go to Line/Column" (Ctrl+G). */
export async function gotoPosition(page: Page, pos: Position): Promise<void> {
  await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 15_000 });
  await input.fill(`:${pos.line}:${pos.column}`);
  await page.keyboard.press('Enter');
  await page.locator('.statusbar-item', { hasText: `Ln ${pos.line}, Col ${pos.column}` }).waitFor({ timeout: 15_000 });
}

/**
 * A token in the active editor: the first rendered span whose text (spaces
 * trimmed) is `text`. Syntax colouring decides the spans, so prefer words the
 * grammar colours on their own (keywords, property names).
 */
export function editorToken(page: Page, text: string): Locator {
  return page
    .locator('.editor-group-container.active .monaco-editor .view-lines .view-line span span', { hasText: new RegExp(`^[\\s\u00a0]*${escapeRegExp(text)}[\\s\u00a0]*$`) })
    .first();
}

/**
 * Opens a file of the workspace with Quick Open (Ctrl+P), by name or by a
 * relative path such as "app/Dockerfile" (rows show the name, the folder apart).
 */
export async function openFile(page: Page, file: string): Promise<void> {
  const base = file.split('/').pop()!;
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 15_000 });
  await input.fill(file);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: base }).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter'); // the best match is first
  await page.locator(`.tabs-container .tab[aria-label^="${cssString(base)}"]`).first().waitFor({ timeout: 15_000 });
  await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().waitFor({ timeout: 15_000 });
}

/** The message a tree view shows above its content (TreeView.message), or '' when none. */
export async function viewMessage(pane: Locator): Promise<string> {
  const msg = pane.locator('.tree-explorer-viewlet-tree-view > .message:not(.hide)');
  if (!(await msg.count())) return '';
  return ((await msg.first().innerText()) ?? '').trim();
}

/** The welcome-view text (message and buttons) a view shows when it has no tree content. */
export async function welcomeText(pane: Locator): Promise<string> {
  const welcome = pane.locator('.welcome-view-content');
  await welcome.waitFor({ timeout: 30_000 });
  return ((await welcome.innerText()) ?? '').trim();
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function cssString(s: string): string {
  return s.replace(/["\\]/g, '\\$&');
}
