// Problems found by build and compose tasks, shown in the Problems panel on
// the Dockerfile / compose file line. One collection for the extension's
// lifetime; each task replaces the entries of the files it ran on.

import * as vscode from 'vscode';
import type { LocatedProblem } from '../build/failure';
import type { ComposeProblem } from '../compose/discover';

export class TaskDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('slipway');

  clear(file: string): void {
    this.collection.delete(vscode.Uri.file(file));
  }

  setBuildProblems(dockerfile: string, problems: readonly LocatedProblem[]): void {
    this.collection.set(
      vscode.Uri.file(dockerfile),
      problems.map((p) => {
        const d = new vscode.Diagnostic(
          new vscode.Range(p.range.line, p.range.column, p.range.endLine, p.range.endColumn),
          p.message,
          vscode.DiagnosticSeverity.Error,
        );
        d.source = 'slipway build';
        d.code = p.kind === 'run' ? 'run-failed' : p.kind === 'context' ? 'missing-context-file' : 'build-failed';
        return d;
      }),
    );
  }

  setComposeProblems(files: readonly string[], problems: readonly ComposeProblem[]): void {
    for (const f of files) {
      const mine = problems.filter((p) => p.file === f);
      this.collection.set(
        vscode.Uri.file(f),
        mine.map((p) => {
          const line = Math.max(0, p.line - 1);
          const d = new vscode.Diagnostic(new vscode.Range(line, Math.max(0, p.column - 1), line, Number.MAX_SAFE_INTEGER), p.message, vscode.DiagnosticSeverity.Error);
          d.source = 'slipway compose';
          return d;
        }),
      );
    }
  }

  dispose(): void {
    this.collection.dispose();
  }
}
