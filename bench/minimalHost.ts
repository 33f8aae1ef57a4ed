// A minimal stand-in for the `vscode` module: just enough API surface for
// `activate()` to run in plain Node, so activation cost can be measured in a
// fresh process. Used only by the activation benchmark, never by tests of
// behaviour (the editor tier runs the real VS Code).

class Disposable {
  constructor(private readonly fn: () => void = () => undefined) {}
  static from(...ds: { dispose(): unknown }[]) {
    return new Disposable(() => ds.forEach((d) => d.dispose()));
  }
  dispose() {
    this.fn();
  }
}

class EventEmitter<T> {
  private ls = new Set<(v: T) => void>();
  event = (l: (v: T) => void) => {
    this.ls.add(l);
    return new Disposable(() => this.ls.delete(l));
  };
  fire(v: T) {
    this.ls.forEach((l) => l(v));
  }
  dispose() {
    this.ls.clear();
  }
}

const noopDisposable = () => new Disposable();

export function createMinimalHost(config: Record<string, unknown> = {}) {
  const registered: string[] = [];
  const vscode: any = {
    Disposable,
    EventEmitter,
    TreeItem: class {
      constructor(public label: string, public collapsibleState?: number) {}
    },
    ThemeIcon: class {
      constructor(public id: string, public color?: unknown) {}
    },
    ThemeColor: class {
      constructor(public id: string) {}
    },
    TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    ConfigurationTarget: { Global: 1, Workspace: 2 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    Uri: { parse: (s: string) => ({ toString: () => s }), from: (o: unknown) => o },
    window: {
      createOutputChannel: () => ({ info() {}, warn() {}, error() {}, appendLine() {}, dispose() {} }),
      createTreeView: () => ({ message: undefined, dispose() {} }),
      createStatusBarItem: () => ({ show() {}, hide() {}, dispose() {} }),
      registerTreeDataProvider: noopDisposable,
      showErrorMessage: async () => undefined,
    },
    commands: {
      registerCommand: (id: string) => {
        registered.push(id);
        return new Disposable();
      },
      executeCommand: async () => undefined,
    },
    workspace: {
      getConfiguration: () => ({ get: (k: string) => config[k], update: async () => undefined }),
      onDidChangeConfiguration: noopDisposable,
      registerTextDocumentContentProvider: noopDisposable,
      onDidOpenTextDocument: noopDisposable,
      onDidChangeTextDocument: noopDisposable,
      onDidCloseTextDocument: noopDisposable,
      textDocuments: [],
      isTrusted: true,
    },
    languages: new Proxy({}, { get: () => noopDisposable }),
    tasks: { registerTaskProvider: noopDisposable },
    env: { clipboard: { writeText: async () => undefined } },
  };
  return { vscode, registered };
}

/** Makes `require('vscode')` return `api` for the rest of this process. */
export function installVscode(api: unknown): void {
  const Module = require('node:module');
  const load = Module._load;
  Module._load = function (request: string, ...rest: unknown[]) {
    if (request === 'vscode') return api;
    return load.call(this, request, ...rest);
  };
}
