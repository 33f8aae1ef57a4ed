// Conversions between plain data (our rule engine's diagnostics, and the LSP
// types rcjsuen's language service returns) and VS Code's classes.
//
// No `vscode` import here: every function takes the few constructors it needs
// as a structural `Vs` argument. The extension passes the real `vscode`
// module; unit tests pass small fake classes and check the results as plain
// objects.

import type { Diagnostic as LintDiagnostic, Severity } from '../../dockerfile/rule';
import { parse } from '../../dockerfile/parser';
import type { Position as PlainPosition, Range as PlainRange } from '../../dockerfile/text';

type Ctor<T = any> = new (...args: any[]) => T;

/** The subset of the `vscode` module the conversions use. */
export interface Vs {
  Position: Ctor;
  Range: Ctor;
  Diagnostic: Ctor;
  TextEdit: Ctor;
  WorkspaceEdit: Ctor;
  CodeAction: Ctor;
  CodeActionKind: { QuickFix: any };
  CompletionItem: Ctor;
  SnippetString: Ctor;
  MarkdownString: Ctor;
  Hover: Ctor;
  Location: Ctor;
  Uri: { parse(value: string): any };
  DocumentHighlight: Ctor;
  SymbolInformation: Ctor;
  FoldingRange: Ctor;
  DocumentLink: Ctor;
  SignatureHelp: Ctor;
  SignatureInformation: Ctor;
  ParameterInformation: Ctor;
}

/** vscode.DiagnosticSeverity values (Error 0 … Hint 3). */
export function severityValue(s: Severity): number {
  return s === 'error' ? 0 : s === 'warning' ? 1 : s === 'info' ? 2 : 3;
}

export function toPosition(vs: Vs, p: PlainPosition): any {
  return new vs.Position(p.line, p.character);
}

export function toRange(vs: Vs, r: PlainRange): any {
  return new vs.Range(toPosition(vs, r.start), toPosition(vs, r.end));
}

/** A plain position from a vscode.Position (or anything with line/character). */
export function fromPosition(p: { line: number; character: number }): PlainPosition {
  return { line: p.line, character: p.character };
}

export function fromRange(r: { start: { line: number; character: number }; end: { line: number; character: number } }): PlainRange {
  return { start: fromPosition(r.start), end: fromPosition(r.end) };
}

export function toDiagnostic(vs: Vs, d: LintDiagnostic): any {
  const out = new vs.Diagnostic(toRange(vs, d.range), d.message, severityValue(d.severity));
  out.source = 'slipway';
  out.code = d.rule;
  return out;
}

function before(a: PlainPosition, b: PlainPosition): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

/** Whether two ranges overlap or touch (a cursor at a diagnostic's edge counts). */
export function touches(a: PlainRange, b: PlainRange): boolean {
  return !before(a.end, b.start) && !before(b.end, a.start);
}

/**
 * The `# slipway-ignore <rule>` line to put above the instruction holding the
 * diagnostic, indented like it; undefined when the diagnostic is outside any
 * instruction (e.g. an empty file).
 */
export function ignoreCommentEdit(text: string, d: LintDiagnostic): { at: PlainPosition; newText: string } | undefined {
  const file = parse(text);
  const line = d.range.start.line;
  const ins = file.instructions.find((i) => i.line <= line && line <= i.endLine);
  if (!ins) return undefined;
  const lineStart = file.lines.starts[ins.line];
  const indent = text.slice(lineStart, ins.start);
  return { at: { line: ins.line, character: 0 }, newText: `${/^[ \t]*$/.test(indent) ? indent : ''}# slipway-ignore ${d.rule}\n` };
}

/** Quick fixes (and an "ignore" action) for our diagnostics touching `range`. */
export function toCodeActions(vs: Vs, uri: any, text: string, diags: LintDiagnostic[], range: PlainRange): any[] {
  const actions: any[] = [];
  for (const d of diags) {
    if (!touches(d.range, range)) continue;
    const diagnostic = toDiagnostic(vs, d);
    for (const fix of d.fixes) {
      const action = new vs.CodeAction(fix.title, vs.CodeActionKind.QuickFix);
      action.edit = new vs.WorkspaceEdit();
      for (const e of fix.edits) action.edit.replace(uri, toRange(vs, e.range), e.newText);
      action.diagnostics = [diagnostic];
      action.isPreferred = d.fixes.length === 1;
      actions.push(action);
    }
    const ignore = ignoreCommentEdit(text, d);
    if (ignore) {
      const action = new vs.CodeAction(`Ignore ${d.rule} for this instruction`, vs.CodeActionKind.QuickFix);
      action.edit = new vs.WorkspaceEdit();
      action.edit.insert(uri, toPosition(vs, ignore.at), ignore.newText);
      action.diagnostics = [diagnostic];
      actions.push(action);
    }
  }
  return actions;
}

// ---- LSP (plain) → vscode. LSP enums are 1-based where VS Code's are 0-based.

interface LspRange {
  start: PlainPosition;
  end: PlainPosition;
}
interface LspTextEdit {
  range: LspRange;
  newText: string;
}
type LspMarkup = string | { kind?: string; value: string } | Array<string | { language: string; value: string }>;

export function toTextEdits(vs: Vs, edits: LspTextEdit[] | null | undefined): any[] {
  return (edits ?? []).map((e) => new vs.TextEdit(toRange(vs, e.range), e.newText));
}

function toMarkdown(vs: Vs, m: LspMarkup | undefined): any {
  if (m === undefined) return undefined;
  if (typeof m === 'string') return new vs.MarkdownString(m);
  if (Array.isArray(m)) return new vs.MarkdownString(m.map((x) => (typeof x === 'string' ? x : '```' + x.language + '\n' + x.value + '\n```')).join('\n\n'));
  return new vs.MarkdownString(m.value);
}

export function toCompletionItems(vs: Vs, items: any[]): any[] {
  return (items ?? []).map((it) => {
    const label = it.label;
    const out = new vs.CompletionItem(label, typeof it.kind === 'number' ? it.kind - 1 : undefined);
    const text = it.textEdit?.newText ?? it.insertText;
    if (text !== undefined) out.insertText = it.insertTextFormat === 2 ? new vs.SnippetString(text) : text;
    if (it.textEdit?.range) out.range = toRange(vs, it.textEdit.range);
    if (it.detail) out.detail = it.detail;
    if (it.documentation) out.documentation = toMarkdown(vs, it.documentation);
    if (it.filterText) out.filterText = it.filterText;
    if (it.sortText) out.sortText = it.sortText;
    if (it.deprecated || it.tags?.includes(1)) out.tags = [1];
    if (it.command) out.command = { title: it.command.title, command: it.command.command, arguments: it.command.arguments };
    return out;
  });
}

export function toHover(vs: Vs, h: { contents: LspMarkup; range?: LspRange } | null | undefined): any {
  if (!h) return undefined;
  return new vs.Hover(toMarkdown(vs, h.contents), h.range ? toRange(vs, h.range) : undefined);
}

export function toHighlights(vs: Vs, hs: Array<{ range: LspRange; kind?: number }> | null | undefined): any[] {
  return (hs ?? []).map((h) => new vs.DocumentHighlight(toRange(vs, h.range), typeof h.kind === 'number' ? h.kind - 1 : undefined));
}

/** LSP symbols carry a URI string; the document's own `uri` object is used instead. */
export function toSymbols(vs: Vs, uri: any, symbols: Array<{ name: string; kind: number; containerName?: string; location: { range: LspRange } }>): any[] {
  return (symbols ?? []).map((s) => new vs.SymbolInformation(s.name, s.kind - 1, s.containerName ?? '', new vs.Location(uri, toRange(vs, s.location.range))));
}

const FOLDING_KIND: Record<string, number> = { comment: 1, imports: 2, region: 3 };

export function toFoldingRanges(vs: Vs, ranges: Array<{ startLine: number; endLine: number; kind?: string }> | null | undefined): any[] {
  return (ranges ?? []).map((r) => new vs.FoldingRange(r.startLine, r.endLine, r.kind ? FOLDING_KIND[r.kind] : undefined));
}

export function toLocation(vs: Vs, uri: any, loc: { uri: string; range: LspRange } | null | undefined): any {
  return loc ? new vs.Location(uri, toRange(vs, loc.range)) : undefined;
}

export function toLinks(vs: Vs, links: Array<{ range: LspRange; target?: string; tooltip?: string; data?: unknown }>): any[] {
  return (links ?? []).map((l) => {
    const out = new vs.DocumentLink(toRange(vs, l.range), l.target ? vs.Uri.parse(l.target) : undefined);
    if (l.tooltip) out.tooltip = l.tooltip;
    out.data = l;
    return out;
  });
}

export function toSignatureHelp(vs: Vs, h: any): any {
  if (!h || !h.signatures?.length) return undefined;
  const out = new vs.SignatureHelp();
  out.signatures = h.signatures.map((s: any) => {
    const sig = new vs.SignatureInformation(s.label, toMarkdown(vs, s.documentation));
    sig.parameters = (s.parameters ?? []).map((p: any) => new vs.ParameterInformation(p.label, toMarkdown(vs, p.documentation)));
    return sig;
  });
  out.activeSignature = h.activeSignature ?? 0;
  out.activeParameter = h.activeParameter ?? 0;
  return out;
}

/** Token types and modifiers of dockerfile-language-service's semantic tokens, in its legend order. */
export const SEMANTIC_LEGEND = {
  tokenTypes: ['keyword', 'comment', 'parameter', 'property', 'namespace', 'class', 'macro', 'string', 'variable', 'operator', 'modifier'],
  tokenModifiers: ['declaration', 'definition', 'deprecated'],
};
