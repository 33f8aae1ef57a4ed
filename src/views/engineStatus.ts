// The status bar item and the `slipway.engine.state` context key that the
// welcome views use. Both follow the connection's single state.

import * as vscode from 'vscode';
import type { ConnectionState, EngineConnection } from '../engine/connection';

export function describeState(s: ConnectionState): { text: string; tooltip: string; context: string; reason?: string } {
  switch (s.kind) {
    case 'connected': {
      const id = s.identity;
      return {
        text: id.endpoint.source === 'machine' ? `$(vm-running) ${id.endpoint.name.replace(/^machine '(.*)'$/, '$1')} · Docker ${id.version}` : `$(vm-running) Docker ${id.version}`,
        tooltip: `Connected to ${id.product} ${id.version} (API ${id.apiVersion}, ${id.os}/${id.arch})\nvia ${id.endpoint.name}: ${id.endpoint.host}\nClick to choose another engine.`,
        context: 'connected',
      };
    }
    case 'unreachable': {
      const first = s.attempts[0];
      const reason = first ? `${first.problem.reason} ${first.problem.fix}` : 'No engine address to try.';
      const all = s.attempts.map((a) => `• ${a.endpoint.name}: ${a.problem.reason}`).join('\n');
      return {
        text: '$(warning) No Docker engine',
        tooltip: `${all}\n${first?.problem.fix ?? ''}\nRetrying in ${Math.round(s.retryInMs / 1000)} s. Click to choose an engine.`,
        context: 'unreachable',
        reason,
      };
    }
    case 'connecting':
      return { text: '$(sync~spin) Docker', tooltip: 'Connecting to the Docker engine…', context: 'connecting' };
    default:
      return { text: '$(vm-outline) Docker', tooltip: 'Not connected yet.', context: 'idle' };
  }
}

export function registerEngineStatus(conn: EngineConnection, views: vscode.TreeView<unknown>[]): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('slipway.engine', vscode.StatusBarAlignment.Left, 10);
  item.name = 'Slipway: Docker engine';
  item.command = 'slipway.engine.choose';
  const apply = (s: ConnectionState) => {
    const d = describeState(s);
    item.text = d.text;
    item.tooltip = d.tooltip;
    item.backgroundColor = s.kind === 'unreachable' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    void vscode.commands.executeCommand('setContext', 'slipway.engine.state', d.context);
    for (const v of views) v.message = d.reason;
  };
  apply(conn.state);
  item.show();
  const sub = conn.onState(apply);
  return vscode.Disposable.from(item, { dispose: () => sub.dispose() });
}
