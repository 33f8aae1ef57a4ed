// The status bar item and the `slipway.engine.state` context key that the
// welcome views use. Both follow the connection's single state.

import * as vscode from 'vscode';
import type { ConnectionState, EngineConnection } from '../engine/connection';
import type { ViewNode } from '../models/nodes';

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

export function registerEngineStatus(conn: EngineConnection, views: vscode.TreeView<unknown>[], onOffline?: () => void): vscode.Disposable {
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
    // The offline action items depend on the state too.
    onOffline?.();
  };
  apply(conn.state);
  item.show();
  const sub = conn.onState(apply);
  return vscode.Disposable.from(item, { dispose: () => sub.dispose() });
}

/** What the resource views show while no engine answers, under the reason (the view's message). */
export function offlineActions(conn: EngineConnection): () => ViewNode[] {
  return () => {
    if (conn.state.kind !== 'unreachable') return [];
    const action = (id: string, label: string, icon: string, command: string, tooltip: string): ViewNode => ({
      id,
      label,
      tooltip,
      icon: { id: icon },
      contextValue: 'action',
      command: { command, title: label },
    });
    return [
      action('retry', 'Retry', 'refresh', 'slipway.engine.retry', 'Try to connect again now'),
      action('choose', 'Choose Engine…', 'plug', 'slipway.engine.choose', 'Pick DOCKER_HOST, a docker context, a machine or an address'),
      action('machine', 'Start Machine', 'vm', 'slipway.machines.start', 'Boot a Slipway machine (a small Linux VM with the Docker engine) and use it'),
    ];
  };
}
