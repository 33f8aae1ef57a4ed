// Typed access to Slipway's settings: the only module that calls
// `getConfiguration`. Each getter checks the value at runtime and falls back
// to the documented default, so a hand-edited settings.json never breaks a view.

import * as vscode from 'vscode';
import type { ContainerGrouping, ContainerSort } from './models/containers';

const SECTION = 'slipway';

function get<T>(key: string, fallback: T, valid: (v: unknown) => boolean): T {
  const v = vscode.workspace.getConfiguration(SECTION).get<unknown>(key);
  return v !== undefined && valid(v) ? (v as T) : fallback;
}

const isString = (v: unknown) => typeof v === 'string';
const isBool = (v: unknown) => typeof v === 'boolean';
const oneOf = (...xs: string[]) => (v: unknown) => typeof v === 'string' && xs.includes(v);

export const settings = {
  /** `slipway.engine.host`: an explicit engine address; empty = automatic. */
  engineHost: () => get('engine.host', '', isString).trim(),
  containersGroupBy: () => get<ContainerGrouping>('containers.groupBy', 'composeProject', oneOf('composeProject', 'none')),
  containersSortBy: () => get<ContainerSort>('containers.sortBy', 'name', oneOf('name', 'created', 'status')),
  imagesShowDangling: () => get('images.showDangling', false, isBool),
  /** Lines of history shown when opening logs; -1 = all. */
  logsTail: () => get('logs.tail', 1000, (v) => Number.isInteger(v) && (v as number) >= -1),
  logsTimestamps: () => get('logs.timestamps', false, isBool),
  /** Shell started by "Attach Shell"; empty = bash when present, else sh. */
  containersShell: () => get('containers.shell', '', isString).trim(),
  /** `slipway.dockerfile.rules`: rule id or BuildKit name → severity or "off" (validated by src/dockerfile/config.ts). */
  dockerfileRules: () => get<Record<string, string>>('dockerfile.rules', {}, (v) => typeof v === 'object' && v !== null && !Array.isArray(v)),
  dockerfileImageTagCompletion: () => get('dockerfile.imageTagCompletion', false, isBool),

  async setEngineHost(host: string): Promise<void> {
    await vscode.workspace.getConfiguration(SECTION).update('engine.host', host, vscode.ConfigurationTarget.Global);
  },
  async setImagesShowDangling(show: boolean): Promise<void> {
    await vscode.workspace.getConfiguration(SECTION).update('images.showDangling', show, vscode.ConfigurationTarget.Global);
  },

  /** Fires when any `slipway.<key>` named in `keys` changes. */
  onDidChange(keys: string[], listener: () => void): vscode.Disposable {
    return vscode.workspace.onDidChangeConfiguration((e) => {
      if (keys.some((k) => e.affectsConfiguration(`${SECTION}.${k}`))) listener();
    });
  },
};

export type Settings = typeof settings;
