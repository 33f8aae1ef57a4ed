// package.json's contributions and the code agree: every command has a
// handler, every handler is contributed, every menu entry names a real
// command, and every setting has a description and a default.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMAND_IDS } from '../../src/commands/ids';

const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8'));

/**
 * Every setting, sorted by what a value from an untrusted workspace could do with it. A setting
 * that runs a program, reaches the network or picks the engine must be restricted (VS Code then
 * ignores the workspace's value until the folder is trusted); a new setting must be put in one
 * of the two lists, so nobody adds one without deciding.
 */
const RUNS_OR_REACHES = ['slipway.engine.host', 'slipway.containers.shell', 'slipway.dockerfile.imageTagCompletion'];
const HARMLESS = [
  'slipway.containers.groupBy',
  'slipway.containers.sortBy',
  'slipway.images.showDangling',
  'slipway.logs.tail',
  'slipway.logs.timestamps',
  'slipway.dockerfile.rules',
];

describe('package.json contributions', () => {
  it('restricts in untrusted workspaces every setting that runs a program or reaches the network', () => {
    const settings = Object.keys(pkg.contributes.configuration.properties).sort();
    assert.deepEqual(settings, [...RUNS_OR_REACHES, ...HARMLESS].sort(), 'classify each new setting in RUNS_OR_REACHES or HARMLESS');
    assert.deepEqual([...pkg.capabilities.untrustedWorkspaces.restrictedConfigurations].sort(), [...RUNS_OR_REACHES].sort());
  });

  const contributed: string[] = pkg.contributes.commands.map((c: { command: string }) => c.command);

  it('contributes exactly the commands the extension registers (slipway.engine/containers/images/volumes/networks/machines)', () => {
    const ours = contributed.filter((id) => /^slipway\.(engine|containers|images|volumes|networks|machines|compose)\./.test(id));
    assert.deepEqual([...ours].sort(), [...COMMAND_IDS].sort());
  });

  it('menus only name contributed commands', () => {
    for (const [menu, entries] of Object.entries(pkg.contributes.menus) as [string, { command: string }[]][]) {
      for (const e of entries) assert.ok(contributed.includes(e.command), `${menu}: ${e.command}`);
    }
  });

  it('keybindings name contributed commands and are scoped to a focused view', () => {
    for (const k of pkg.contributes.keybindings ?? []) {
      assert.ok(contributed.includes(k.command), k.command);
      assert.match(k.when, /focusedView == slipway\./, `${k.command} must only fire in its view`);
    }
  });

  it('no menu lists the same command twice in one group', () => {
    for (const [menu, entries] of Object.entries(pkg.contributes.menus) as [string, { command: string; group?: string; when?: string }[]][]) {
      const seen = new Set<string>();
      for (const e of entries) {
        const key = `${e.command} ${e.group ?? ''} ${e.when ?? ''}`;
        assert.ok(!seen.has(key), `${menu}: ${key}`);
        seen.add(key);
      }
    }
  });

  it('when clauses use no double-quoted strings (VS Code does not parse them; the entry then shows everywhere)', () => {
    const clauses = Object.values(pkg.contributes.menus as Record<string, { when?: string }[]>)
      .flat()
      .concat(pkg.contributes.keybindings ?? [], pkg.contributes.viewsWelcome ?? [])
      .map((e) => e.when ?? '');
    for (const w of clauses) assert.ok(!w.includes('"'), w);
  });

  it('every command has a title and category', () => {
    for (const c of pkg.contributes.commands) assert.ok(c.title && c.category === 'Slipway', c.command);
  });

  it('every setting is documented and has a default', () => {
    for (const [key, spec] of Object.entries(pkg.contributes.configuration.properties) as [string, Record<string, unknown>][]) {
      assert.ok(spec.description || spec.markdownDescription, `${key} has no description`);
      assert.ok('default' in spec, `${key} has no default`);
    }
  });

  it('activates only on its views (and nothing at startup)', () => {
    assert.ok(!pkg.activationEvents.includes('*'));
    assert.ok(!pkg.activationEvents.includes('onStartupFinished'));
  });
});
