// The Slipway task types in VS Code: a TaskProvider with auto-detected tasks
// for every Dockerfile and compose file in the workspace, and the task
// factories the commands use. Tasks only run in trusted workspaces: a
// Dockerfile or compose file can run anything and mount any host path.

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Duplex } from 'node:stream';
import { COMPOSE_FILE_NAMES, defaultComposeFiles, isComposeFileName } from '../compose/discover';
import type { EngineConnection } from '../engine/connection';
import { interactivePty } from '../terminals/streamPty';
import {
  BUILD_TASK,
  COMPOSE_TASK,
  RUN_TASK,
  buildSpecOf,
  composeOf,
  defaultTag,
  isDockerfileName,
  runSpecOf,
  validateDefinition,
  type BuildTaskDefinition,
  type ComposeTaskDefinition,
  type RunTaskDefinition,
  type TaskDefinition,
  type Vars,
} from './definitions';
import { TaskDiagnostics } from './diagnostics';
import { taskPty, type TaskWork } from './pty';
import { buildWork, composeWork, interactiveOptions, runWork, type WorkDeps } from './work';

const SOURCE = 'slipway';
const DOCKERFILE_GLOB = '**/{Dockerfile,Dockerfile.*,*.Dockerfile,*.dockerfile,Containerfile}';
const COMPOSE_GLOB = '**/{compose,docker-compose}*.{yaml,yml}';
const EXCLUDE = '**/{node_modules,.git}/**';

export interface TasksDeps {
  conn: EngineConnection;
  /** The shared folders of the Slipway machine serving an engine address, when it is one (bind-mount warnings). */
  machineShares?: WorkDeps['machineShares'];
  /** Runs a command in a machine (builds next to shared files, compose when the host has none). */
  runInMachine?: WorkDeps['runInMachine'];
}

export class SlipwayTasks implements vscode.Disposable {
  readonly diagnostics = new TaskDiagnostics();
  private readonly subs: vscode.Disposable[] = [];

  constructor(private readonly deps: TasksDeps) {
    // One provider per type: VS Code rejects a provider's tasks of another type.
    // Run tasks are never auto-detected; they only come from tasks.json.
    for (const type of [BUILD_TASK, RUN_TASK, COMPOSE_TASK]) {
      this.subs.push(
        vscode.tasks.registerTaskProvider(type, {
          provideTasks: (token) => (type === BUILD_TASK ? this.detectBuilds(token) : type === COMPOSE_TASK ? this.detectCompose(token) : []),
          resolveTask: (task) => this.resolve(task),
        }),
      );
    }
  }

  // ---- tasks from definitions -------------------------------------------

  /** A task for `def` in `folder` (undefined: the first workspace folder or the file's folder). */
  task(def: TaskDefinition, name: string, folder?: vscode.WorkspaceFolder, group?: vscode.TaskGroup): vscode.Task {
    const scope = folder ?? vscode.TaskScope.Workspace;
    // An explicit empty matcher list: problems come from the diagnostics collection,
    // and VS Code does not ask the user to pick a problem matcher.
    const t = new vscode.Task(def, scope, name, SOURCE, this.execution(def, folder), []);
    if (group) t.group = group;
    t.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true };
    if (def.type === COMPOSE_TASK && def.action === 'logs' && def.follow) t.isBackground = true;
    return t;
  }

  execute(task: vscode.Task): Thenable<vscode.TaskExecution> {
    return vscode.tasks.executeTask(task);
  }

  private execution(def: TaskDefinition, folder: vscode.WorkspaceFolder | undefined): vscode.CustomExecution {
    return new vscode.CustomExecution(async () => {
      if (!vscode.workspace.isTrusted) {
        return taskPty(async (write) => {
          write('Slipway does not run build, run or compose tasks in an untrusted workspace: a Dockerfile or compose file can run any command and mount any folder. Trust the workspace to run it.\n');
          return 1;
        });
      }
      const problems = validateDefinition(def);
      if (problems.length) {
        return taskPty(async (write) => {
          write(`This ${def.type} task is not valid:\n${problems.map((p) => `  - ${p}\n`).join('')}`);
          return 1;
        });
      }
      const vars: Vars = { workspaceFolder: folder?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd(), env: process.env };
      if (def.type === RUN_TASK && def.detached === false) return this.interactive(runSpecOf(def, vars));
      return taskPty(this.work(def, vars));
    });
  }

  private work(def: TaskDefinition, vars: Vars): TaskWork {
    const deps: WorkDeps = { conn: this.deps.conn, diagnostics: this.diagnostics, machineShares: this.deps.machineShares, runInMachine: this.deps.runInMachine };
    switch (def.type) {
      case BUILD_TASK:
        return buildWork(deps, buildSpecOf(def, vars));
      case RUN_TASK:
        return runWork(deps, runSpecOf(def, vars));
      case COMPOSE_TASK: {
        const { project, action } = composeOf(def, vars);
        return composeWork(deps, project, action);
      }
    }
  }

  /** `docker run -it`: a container attached to the task's terminal. */
  private interactive(spec: ReturnType<typeof runSpecOf>): vscode.Pseudoterminal {
    return interactivePty(async (rows, cols) => {
      const docker = this.deps.conn.requireClient().docker;
      const opts = interactiveOptions(spec);
      opts.Env = [...(opts.Env ?? []), `COLUMNS=${cols}`, `LINES=${rows}`];
      const c = await docker.createContainer(opts);
      const stream = (await c.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as unknown as Duplex;
      await c.start();
      return {
        stream,
        resize: (h, w) => c.resize({ h, w }),
        exitCode: async () => {
          try {
            return (await c.wait()).StatusCode as number;
          } catch {
            return undefined;
          }
        },
      };
    });
  }

  // ---- the provider -----------------------------------------------------

  private resolve(task: vscode.Task): vscode.Task | undefined {
    const def = task.definition as TaskDefinition;
    if (![BUILD_TASK, RUN_TASK, COMPOSE_TASK].includes(def.type)) return undefined;
    const folder = typeof task.scope === 'object' ? task.scope : undefined;
    return this.task(def, task.name, folder, task.group);
  }

  private async detectBuilds(token: vscode.CancellationToken): Promise<vscode.Task[]> {
    const dockerfiles = await vscode.workspace.findFiles(DOCKERFILE_GLOB, EXCLUDE, 200, token);
    return dockerfiles
      .filter((uri) => isDockerfileName(path.basename(uri.fsPath)))
      .sort((a, b) => a.fsPath.localeCompare(b.fsPath))
      .map((uri) => this.dockerfileTask(uri, vscode.workspace.getWorkspaceFolder(uri)));
  }

  private async detectCompose(token: vscode.CancellationToken): Promise<vscode.Task[]> {
    const tasks: vscode.Task[] = [];
    const composeFiles = await vscode.workspace.findFiles(COMPOSE_GLOB, EXCLUDE, 200, token);
    const seen = new Set<string>();
    for (const uri of composeFiles.sort((a, b) => a.fsPath.localeCompare(b.fsPath))) {
      const name = path.basename(uri.fsPath);
      if (!isComposeFileName(name) || /\.override\./.test(name)) continue;
      const files = composeFilesFor(uri.fsPath);
      if (seen.has(files.join('\n'))) continue;
      seen.add(files.join('\n'));
      const folder = vscode.workspace.getWorkspaceFolder(uri);
      for (const action of ['up', 'down'] as const) tasks.push(this.composeFileTask(files, action, folder));
    }
    return tasks;
  }

  /** The auto-detected build task of a Dockerfile. */
  dockerfileTask(uri: vscode.Uri, folder: vscode.WorkspaceFolder | undefined, tag = defaultTag(uri.fsPath)): vscode.Task {
    const def: BuildTaskDefinition = {
      type: BUILD_TASK,
      dockerfile: relativeTo(folder, uri.fsPath),
      context: relativeTo(folder, path.dirname(uri.fsPath)),
      tag,
    };
    return this.task(def, `build ${relativeTo(folder, uri.fsPath)}`, folder, vscode.TaskGroup.Build);
  }

  /** An up/down task of a compose project made of `files`. */
  composeFileTask(files: string[], action: ComposeTaskDefinition['action'], folder: vscode.WorkspaceFolder | undefined, extra: Partial<ComposeTaskDefinition> = {}): vscode.Task {
    const def: ComposeTaskDefinition = { type: COMPOSE_TASK, action, files: files.map((f) => relativeTo(folder, f)), ...extra };
    return this.task(def, `compose ${action} ${relativeTo(folder, files[0])}`, folder);
  }

  /** A task on a running project known only by name (a Containers view group). */
  composeProjectTask(project: string, action: ComposeTaskDefinition['action'], files: string[], workingDir: string | undefined, extra: Partial<ComposeTaskDefinition> = {}): vscode.Task {
    const folder = workingDir ? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(workingDir)) : undefined;
    const def: ComposeTaskDefinition = { type: COMPOSE_TASK, action, projectName: project, files, ...extra };
    return this.task(def, `compose ${action} ${project}`, folder);
  }

  runTask(def: RunTaskDefinition, folder?: vscode.WorkspaceFolder): vscode.Task {
    return this.task(def, `run ${def.image}`, folder);
  }

  dispose(): void {
    this.subs.forEach((s) => s.dispose());
    this.diagnostics.dispose();
  }
}

/** A compose file with its override when it is a default base file, else alone. */
export function composeFilesFor(file: string): string[] {
  if (COMPOSE_FILE_NAMES.includes(path.basename(file))) {
    const defaults = defaultComposeFiles(path.dirname(file));
    if (defaults[0] === file) return defaults;
  }
  return [file];
}

function relativeTo(folder: vscode.WorkspaceFolder | undefined, file: string): string {
  if (!folder) return file;
  const rel = path.relative(folder.uri.fsPath, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return file;
  return rel === '' ? '.' : rel.split(path.sep).join('/');
}

/** Registers the task types; the returned object is what the build/compose commands use. */
export function registerTasks(context: vscode.ExtensionContext, deps: TasksDeps): SlipwayTasks {
  const tasks = new SlipwayTasks(deps);
  context.subscriptions.push(tasks);
  return tasks;
}
