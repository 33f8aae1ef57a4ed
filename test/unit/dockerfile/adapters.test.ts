// The VS Code adapters' conversions, with fake constructors standing in for
// the `vscode` module (no VS Code needed): results are checked as plain objects.

import * as assert from 'node:assert/strict';
import { DockerfileLanguageServiceFactory } from 'dockerfile-language-service';
import * as convert from '../../../src/features/dockerfile/convert';
import { createGuard } from '../../../src/features/dockerfile/guard';
import { imageTagAt } from '../../../src/features/dockerfile/imageTag';
import { lint } from '../../../src/dockerfile/lint';
import { applyEdits } from './helpers';

/** A fake class recording its constructor arguments under the given names. */
function fake(name: string, ...fields: string[]) {
  return class {
    [k: string]: unknown;
    constructor(...args: unknown[]) {
      this.type = name;
      fields.forEach((f, i) => (this[f] = args[i]));
    }
  };
}

class FakeWorkspaceEdit {
  edits: Array<{ uri: unknown; range?: unknown; at?: unknown; newText: string }> = [];
  replace(uri: unknown, range: unknown, newText: string) {
    this.edits.push({ uri, range, newText });
  }
  insert(uri: unknown, at: unknown, newText: string) {
    this.edits.push({ uri, at, newText });
  }
}

const vs: convert.Vs = {
  Position: fake('Position', 'line', 'character'),
  Range: fake('Range', 'start', 'end'),
  Diagnostic: fake('Diagnostic', 'range', 'message', 'severity'),
  TextEdit: fake('TextEdit', 'range', 'newText'),
  WorkspaceEdit: FakeWorkspaceEdit,
  CodeAction: fake('CodeAction', 'title', 'kind'),
  CodeActionKind: { QuickFix: 'quickfix' },
  CompletionItem: fake('CompletionItem', 'label', 'kind'),
  SnippetString: fake('SnippetString', 'value'),
  MarkdownString: fake('MarkdownString', 'value'),
  Hover: fake('Hover', 'contents', 'range'),
  Location: fake('Location', 'uri', 'range'),
  Uri: { parse: (v: string) => ({ uri: v }) },
  DocumentHighlight: fake('DocumentHighlight', 'range', 'kind'),
  SymbolInformation: fake('SymbolInformation', 'name', 'kind', 'containerName', 'location'),
  FoldingRange: fake('FoldingRange', 'start', 'end', 'kind'),
  DocumentLink: fake('DocumentLink', 'range', 'target'),
  SignatureHelp: fake('SignatureHelp'),
  SignatureInformation: fake('SignatureInformation', 'label', 'documentation'),
  ParameterInformation: fake('ParameterInformation', 'label', 'documentation'),
};

const pos = (line: number, character: number) => ({ line, character });
const rng = (a: number, b: number, c: number, d: number) => ({ start: pos(a, b), end: pos(c, d) });

describe('dockerfile adapters', () => {
  it('maps severities to vscode.DiagnosticSeverity values', () => {
    assert.deepEqual((['error', 'warning', 'info', 'hint'] as const).map(convert.severityValue), [0, 1, 2, 3]);
  });

  it('converts a diagnostic with its rule id as code', () => {
    const [d] = lint('FROM debian\n').filter((x) => x.rule === 'from-untagged');
    const v = convert.toDiagnostic(vs, d);
    assert.equal(v.code, 'from-untagged');
    assert.equal(v.source, 'slipway');
    assert.equal(v.severity, 1);
    assert.deepEqual([v.range.start.line, v.range.start.character, v.range.end.character], [0, 5, 11]);
  });

  it('offers the fix and an ignore comment for diagnostics at the cursor only', () => {
    const text = 'FROM a:1\n  RUN apt-get install -y x\nCMD ["x"]\n';
    const diags = lint(text).filter((d) => d.rule === 'apt-no-install-recommends');
    const none = convert.toCodeActions(vs, 'doc', text, diags, rng(2, 0, 2, 0));
    assert.deepEqual(none, []);
    const actions = convert.toCodeActions(vs, 'doc', text, diags, rng(1, 14, 1, 14));
    assert.deepEqual(actions.map((a) => [a.title, a.kind]), [
      ['Add --no-install-recommends', 'quickfix'],
      ['Ignore apt-no-install-recommends for this instruction', 'quickfix'],
    ]);
    const ignore = actions[1].edit.edits[0];
    assert.deepEqual([ignore.at.line, ignore.at.character, ignore.newText], [1, 0, '  # slipway-ignore apt-no-install-recommends\n']);
    const ignored = applyEdits(text, [{ range: { start: pos(1, 0), end: pos(1, 0) }, newText: ignore.newText }]);
    assert.deepEqual(lint(ignored).filter((d) => d.rule === 'apt-no-install-recommends'), []);
  });

  it('turns LSP 1-based kinds into VS Code 0-based ones', () => {
    const items = convert.toCompletionItems(vs, [{ label: 'FROM', kind: 14, insertText: 'FROM ${1:image}', insertTextFormat: 2, documentation: { kind: 'markdown', value: '**x**' } }]);
    assert.equal(items[0].kind, 13);
    assert.equal(items[0].insertText.type, 'SnippetString');
    assert.equal(items[0].documentation.value, '**x**');
    assert.equal(convert.toHighlights(vs, [{ range: rng(0, 0, 0, 1), kind: 3 }])[0].kind, 2);
    const [sym] = convert.toSymbols(vs, 'doc', [{ name: 'builder', kind: 5, location: { range: rng(0, 0, 0, 4) } }]);
    assert.deepEqual([sym.name, sym.kind, sym.location.uri], ['builder', 4, 'doc']);
    assert.deepEqual(convert.toFoldingRanges(vs, [{ startLine: 1, endLine: 3, kind: 'comment' }]).map((f) => [f.start, f.end, f.kind]), [[1, 3, 1]]);
  });

  it('converts what the real language service returns', async () => {
    const service = DockerfileLanguageServiceFactory.createLanguageService();
    const text = 'FROM node:20 AS build\nARG VERSION=1\nRUN echo $VERSION\nFROM build\n';
    const hover = convert.toHover(vs, service.computeHover(text, pos(1, 1)));
    assert.match(hover.contents.value, /ARG/);
    const syms = convert.toSymbols(vs, 'doc', service.computeSymbols({ uri: 'file:///Dockerfile' }, text));
    assert.ok(syms.some((s) => s.name === 'FROM'));
    const items = convert.toCompletionItems(vs, (await service.computeCompletionItems('FROM a:1\nWORK', pos(1, 4))) as unknown[]);
    assert.ok(items.some((i) => i.label === 'WORKDIR'));
    const edits = convert.toTextEdits(vs, service.format('FROM a:1\n   RUN x\n', { tabSize: 4, insertSpaces: true }));
    assert.equal(edits[0].newText, '');
  });

  it('knows when completion would look up Docker Hub tags', () => {
    assert.equal(imageTagAt('FROM node:20\n', pos(0, 11)), 'node');
    assert.equal(imageTagAt('FROM registry:5000/team/app:\n', pos(0, 28)), 'registry:5000/team/app');
    assert.equal(imageTagAt('FROM node:20\n', pos(0, 7)), undefined);
    assert.equal(imageTagAt('FROM registry:5000/app\n', pos(0, 20)), undefined);
    assert.equal(imageTagAt('RUN node:20\n', pos(0, 10)), undefined);
  });

  it('the guard turns the semantic tokens stack overflow into no answer and one log line', () => {
    const service = DockerfileLanguageServiceFactory.createLanguageService();
    const logged: string[] = [];
    const guard = createGuard((m) => logged.push(m));
    const crash = 'FROM x\nENV C a\\\\\nENV D b\n';
    assert.equal(guard('semantic tokens', undefined, () => service.computeSemanticTokens(crash)), undefined);
    assert.equal(guard('semantic tokens', undefined, () => service.computeSemanticTokens(crash)), undefined);
    assert.equal(logged.length, 1);
    assert.match(logged[0], /semantic tokens failed/);
    assert.ok(guard('semantic tokens', undefined, () => service.computeSemanticTokens('FROM x\n'))!.data.length > 0);
  });
});
