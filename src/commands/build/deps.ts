// Build, run and compose commands need the task feature on top of the common
// command dependencies (CommandDeps gains `tasks` in extension.ts).

import type { CommandDeps, Handler } from '../deps';
import type { SlipwayTasks } from '../../tasks/tasks';

export type TaskCommandDeps = CommandDeps & { tasks: SlipwayTasks };
export type TaskCommandFactory = (deps: TaskCommandDeps) => Handler;
