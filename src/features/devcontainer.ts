// Warnings in devcontainer.json for bind mounts a Slipway machine does not
// share: when the engine is a machine, a host folder outside its shared
// folders is an empty directory in the container (the classic "my files are
// not there" question). The analysis is src/devcontainer/mounts.ts; this file
// only keeps the Problems panel in step with the documents, the engine and the
// machines.

import * as vscode from 'vscode';
import { devcontainerBindsOutsideShares } from '../devcontainer/mounts';
import type { MachineSharesInfo } from '../build/inMachine';

export interface DevcontainerWarningDeps {
  /** The Docker host the extension is connected to, if any. */
  engineHost(): string | undefined;
  /** The machine serving that host and its shares, when the engine is a Slipway machine. */
  machineShares(engineHost: string): MachineSharesInfo | undefined;
  /** Fires when the engine or the machines change. */
  onDidChange: vscode.Event<unknown>;
}

/** devcontainer.json, .devcontainer.json and .devcontainer/<name>/devcontainer.json. */
export function isDevcontainerConfig(uri: vscode.Uri): boolean {
  return uri.scheme === 'file' && /(^|[\\/])(\.devcontainer[\\/]([^\\/]+[\\/])?devcontainer\.json|\.devcontainer\.json)$/.test(uri.fsPath);
}

export function registerDevcontainerMountWarnings(deps: DevcontainerWarningDeps): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('slipway-devcontainer');

  const check = (doc: vscode.TextDocument) => {
    if (!isDevcontainerConfig(doc.uri)) return;
    const host = deps.engineHost();
    const m = host ? deps.machineShares(host) : undefined;
    if (!m) {
      collection.delete(doc.uri);
      return;
    }
    const outside = devcontainerBindsOutsideShares(doc.getText(), { configFile: doc.uri.fsPath, os: m.os, env: process.env }, m.shares);
    const where = m.shares.map((s) => s.hostPath).join(', ') || 'no shared folders';
    collection.set(
      doc.uri,
      outside.map((b) => {
        const range = new vscode.Range(doc.positionAt(b.offset), doc.positionAt(b.offset + b.length));
        const d = new vscode.Diagnostic(
          range,
          `"${b.source}" (${b.what}) is not in a folder shared with machine "${m.machine}" (${where}): in the container it would be an empty directory. ` +
            "Add a share in the machine's configuration (Slipway: Edit Machine Configuration), or move the files into a shared folder.",
          vscode.DiagnosticSeverity.Warning,
        );
        d.source = 'slipway';
        d.code = 'bind-outside-shares';
        return d;
      }),
    );
  };
  const checkAll = () => vscode.workspace.textDocuments.forEach(check);

  checkAll();
  return vscode.Disposable.from(
    collection,
    vscode.workspace.onDidOpenTextDocument(check),
    vscode.workspace.onDidChangeTextDocument((e) => check(e.document)),
    vscode.workspace.onDidCloseTextDocument((doc) => collection.delete(doc.uri)),
    deps.onDidChange(checkAll),
  );
}
