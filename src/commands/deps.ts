// What every command is built from (style.md 6: `(deps) => handler`).

import type * as vscode from 'vscode';
import type { EngineConnection } from '../engine/connection';
import type { Stores } from '../engine/stores';
import type { Machines } from '../machine/machine';
import type { AgentCommand } from '../machine/agent';
import type { MachineList } from '../machine/watch';
import type { SlipwayTasks } from '../tasks/tasks';
import type { Settings } from '../settings';
import type { InspectDocuments } from '../documents/inspect';

export type { Stores };

export interface CommandDeps {
  conn: EngineConnection;
  stores: Stores;
  settings: Settings;
  log: vscode.LogOutputChannel;
  inspect: InspectDocuments;
  /** What is selected in each view (keybindings pass no arguments). */
  selection: Record<keyof Stores | 'machines', () => readonly unknown[]>;
  /** Build/run/compose task types; loaded on first use (a getter). */
  readonly tasks: SlipwayTasks;
  /** The machine layer, loaded on first use. */
  machine: () => MachineDeps;
  /** Re-render views whose model depends on a setting. */
  rerender: () => void;
}

export type Handler = (...args: any[]) => unknown;
export type CommandFactory = (deps: CommandDeps) => Handler;

export interface MachineDeps {
  machines: Machines;
  list: MachineList;
  /** How to run the machine agent (the bundled CLI) for `name`. */
  agentCommand(name: string): AgentCommand;
  /** How to run the bundled CLI with `args` (for terminals). */
  cliCommand(args: string[]): AgentCommand;
}
