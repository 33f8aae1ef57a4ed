// Runs inside a desktop VS Code's extension host (desktop.test.ts passes it as
// --extensionTestsPath): VS Code calls run() and exits 0 when it resolves, 1 when
// it rejects.

import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

export async function run(): Promise<void> {
  const ext = vscode.extensions.getExtension('slipway.slipway');
  assert.ok(ext, 'the extension under development is loaded');
  await ext.activate();
  const commands = await vscode.commands.getCommands(true);
  for (const id of ['slipway.containers.refresh', 'slipway.machines.create', 'slipway.images.build']) {
    assert.ok(commands.includes(id), `command ${id} is registered`);
  }
}
