// The workspace file a build or compose command acts on: the one clicked in the
// explorer or editor title, the active editor's, or one picked from the workspace.

import * as path from 'node:path';
import * as vscode from 'vscode';

export async function fileTarget(clicked: unknown, accept: (name: string) => boolean, glob: string, placeHolder: string): Promise<vscode.Uri | undefined> {
  if (clicked instanceof vscode.Uri) return clicked;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file' && accept(path.basename(active.fsPath))) return active;
  const found = (await vscode.workspace.findFiles(glob, '**/{node_modules,.git}/**', 200)).filter((u) => accept(path.basename(u.fsPath)));
  if (!found.length) {
    void vscode.window.showInformationMessage(`Slipway: no ${placeHolder.toLowerCase()} found in the workspace.`);
    return undefined;
  }
  if (found.length === 1) return found[0];
  const picked = await vscode.window.showQuickPick(
    found.sort((a, b) => a.fsPath.localeCompare(b.fsPath)).map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
    { placeHolder },
  );
  return picked?.uri;
}
