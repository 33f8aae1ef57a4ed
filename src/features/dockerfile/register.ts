// Dockerfile editing in VS Code: our rule engine's diagnostics and quick
// fixes, plus rcjsuen's dockerfile-language-service in-process for the
// features it does well (completion, hover, signature help, symbols,
// folding, formatting, highlight, definition, rename, links, semantic tokens).
//
// Contracts:
// - Every library call goes through `guard`: an exception (including the
//   stack overflow computeSemanticTokens hits on `FROM x\nENV C a\\\\\nENV D b\n`)
//   yields an empty answer and one log line, never a failed provider.
// - The library's own validator is not used: our rules (src/dockerfile)
//   cover what it reports, ~10x faster, with ids the user can configure.
// - Docker Hub tag lookups (FROM image:<tag> completion) happen only when
//   `imageTagCompletion` is on, with a short timeout and a per-image cache.

import * as vscode from 'vscode';
import type { DockerfileLanguageService } from 'dockerfile-language-service';
import type { DockerfileLintConfig } from '../../dockerfile/config';
import { readDockerignore } from '../../dockerfile/dockerignore';
import { lint } from '../../dockerfile/lint';
import type { Diagnostic as LintDiagnostic } from '../../dockerfile/rule';
import * as convert from './convert';
import { createGuard } from './guard';
import { imageTagAt } from './imageTag';

export interface DockerfileEditorOptions {
  /** Complete FROM image tags from Docker Hub (network). Default off. */
  imageTagCompletion?: boolean;
}

export interface DockerfileFeaturesConfig {
  get(): DockerfileLintConfig & DockerfileEditorOptions;
  onDidChange: vscode.Event<void>;
}

const SELECTOR: vscode.DocumentSelector = [
  { language: 'dockerfile', scheme: 'file' },
  { language: 'dockerfile', scheme: 'untitled' },
];
const LINT_DELAY_MS = 200;
const TAG_LOOKUP_TIMEOUT_MS = 3000;
const TAG_CACHE_MS = 10 * 60_000;

export function registerDockerfileFeatures(context: vscode.ExtensionContext, config: DockerfileFeaturesConfig, log: (message: string) => void = () => {}): void {
  const vs = vscode as unknown as convert.Vs;
  // The language service (a separate ~650 KB bundle) loads on the first editor request, not at activation.
  let loaded: DockerfileLanguageService | undefined;
  const service = (): DockerfileLanguageService => (loaded ??= createService(log));
  const guard = createGuard(log);
  const lsp = (p: vscode.Position) => convert.fromPosition(p);
  const ident = (doc: vscode.TextDocument) => ({ uri: doc.uri.toString() });

  // ---- diagnostics and quick fixes from our rule engine
  const collection = vscode.languages.createDiagnosticCollection('slipway-dockerfile');
  const latest = new Map<string, { version: number; diags: LintDiagnostic[] }>();
  const timers = new Map<string, NodeJS.Timeout>();

  const lintNow = (doc: vscode.TextDocument) => {
    // Only real and new files: not git/diff views of the same file, which would duplicate problems.
    if (doc.languageId !== 'dockerfile' || (doc.uri.scheme !== 'file' && doc.uri.scheme !== 'untitled')) return;
    const diags = guard('lint', [] as LintDiagnostic[], () =>
      lint(doc.getText(), {
        config: config.get(),
        isIgnored: doc.uri.scheme === 'file' ? readDockerignore(doc.uri.fsPath) : undefined,
        onRuleError: (rule, err) => log(`Dockerfile rule ${rule.id} failed: ${String(err)}`),
      }),
    );
    latest.set(doc.uri.toString(), { version: doc.version, diags });
    collection.set(doc.uri, diags.map((d) => convert.toDiagnostic(vs, d)));
  };
  const schedule = (doc: vscode.TextDocument) => {
    const key = doc.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(key, setTimeout(() => (timers.delete(key), lintNow(doc)), LINT_DELAY_MS));
  };
  const forget = (doc: vscode.TextDocument) => {
    const key = doc.uri.toString();
    clearTimeout(timers.get(key));
    timers.delete(key);
    latest.delete(key);
    collection.delete(doc.uri);
  };

  context.subscriptions.push(
    collection,
    { dispose: () => timers.forEach((t) => clearTimeout(t)) },
    vscode.workspace.onDidOpenTextDocument(lintNow),
    vscode.workspace.onDidChangeTextDocument((e) => schedule(e.document)),
    vscode.workspace.onDidCloseTextDocument(forget),
    config.onDidChange(() => vscode.workspace.textDocuments.forEach(lintNow)),
    vscode.languages.registerCodeActionsProvider(
      SELECTOR,
      {
        provideCodeActions(doc, range) {
          const entry = latest.get(doc.uri.toString());
          if (!entry || entry.version !== doc.version) return [];
          return guard('code actions', [], () => convert.toCodeActions(vs, doc.uri, doc.getText(), entry.diags, convert.fromRange(range)));
        },
      },
      { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
    ),
  );
  vscode.workspace.textDocuments.forEach(lintNow);

  // ---- rcjsuen's language service
  const tagCache = new Map<string, { at: number; items: vscode.CompletionItem[] }>();
  const withTimeout = <T>(p: PromiseLike<T>, ms: number, fallback: T) =>
    Promise.race([Promise.resolve(p), new Promise<T>((resolve) => setTimeout(() => resolve(fallback), ms))]).catch(() => fallback);

  context.subscriptions.push(
    vscode.languages.registerCompletionItemProvider(
      SELECTOR,
      {
        async provideCompletionItems(doc, pos) {
          const text = doc.getText();
          const image = guard('completion', undefined, () => imageTagAt(text, lsp(pos)));
          if (image !== undefined) {
            // The library would ask Docker Hub here.
            if (!config.get().imageTagCompletion) return [];
            const hit = tagCache.get(image);
            if (hit && Date.now() - hit.at < TAG_CACHE_MS) return hit.items;
          }
          const raw = await withTimeout(
            guard('completion', Promise.resolve([]) as PromiseLike<unknown[]>, () => service().computeCompletionItems(text, lsp(pos)) as PromiseLike<unknown[]>),
            TAG_LOOKUP_TIMEOUT_MS,
            [],
          );
          const items = guard('completion', [], () => convert.toCompletionItems(vs, raw as unknown[]));
          if (image !== undefined) tagCache.set(image, { at: Date.now(), items });
          return items;
        },
      },
      '=', ' ', '$', '{', '-', ':', '/', '@',
    ),
    vscode.languages.registerHoverProvider(SELECTOR, {
      provideHover: (doc, pos) => guard('hover', undefined, () => convert.toHover(vs, service().computeHover(doc.getText(), lsp(pos)))),
    }),
    vscode.languages.registerSignatureHelpProvider(
      SELECTOR,
      { provideSignatureHelp: (doc, pos) => guard('signature help', undefined, () => convert.toSignatureHelp(vs, service().computeSignatureHelp(doc.getText(), lsp(pos)))) },
      ' ', '=', '-',
    ),
    vscode.languages.registerDocumentSymbolProvider(SELECTOR, {
      provideDocumentSymbols: (doc) => guard('symbols', [], () => convert.toSymbols(vs, doc.uri, service().computeSymbols(ident(doc), doc.getText()))),
    }),
    vscode.languages.registerFoldingRangeProvider(SELECTOR, {
      provideFoldingRanges: (doc) => guard('folding', [], () => convert.toFoldingRanges(vs, service().computeFoldingRanges(doc.getText()))),
    }),
    vscode.languages.registerDocumentFormattingEditProvider(SELECTOR, {
      provideDocumentFormattingEdits: (doc, options) => guard('formatting', [], () => convert.toTextEdits(vs, service().format(doc.getText(), formatting(options)))),
    }),
    vscode.languages.registerDocumentRangeFormattingEditProvider(SELECTOR, {
      provideDocumentRangeFormattingEdits: (doc, range, options) =>
        guard('formatting', [], () => convert.toTextEdits(vs, service().formatRange(doc.getText(), convert.fromRange(range), formatting(options)))),
    }),
    vscode.languages.registerOnTypeFormattingEditProvider(
      SELECTOR,
      {
        provideOnTypeFormattingEdits: (doc, pos, ch, options) =>
          guard('formatting', [], () => convert.toTextEdits(vs, service().formatOnType(doc.getText(), lsp(pos), ch, formatting(options)))),
      },
      '\\',
      '`',
    ),
    vscode.languages.registerDocumentHighlightProvider(SELECTOR, {
      provideDocumentHighlights: (doc, pos) => guard('highlight', [], () => convert.toHighlights(vs, service().computeHighlightRanges(doc.getText(), lsp(pos)))),
    }),
    vscode.languages.registerDefinitionProvider(SELECTOR, {
      provideDefinition: (doc, pos) => guard('definition', undefined, () => convert.toLocation(vs, doc.uri, service().computeDefinition(ident(doc), doc.getText(), lsp(pos)))),
    }),
    vscode.languages.registerRenameProvider(SELECTOR, {
      prepareRename(doc, pos) {
        const r = guard('rename', null, () => service().prepareRename(doc.getText(), lsp(pos)));
        if (!r) throw new Error('Only ARG and ENV variables and stage names can be renamed here.');
        return convert.toRange(vs, r);
      },
      provideRenameEdits(doc, pos, newName) {
        const edits = guard('rename', [], () => service().computeRename(ident(doc), doc.getText(), lsp(pos), newName));
        const out = new vscode.WorkspaceEdit();
        for (const e of edits) out.replace(doc.uri, convert.toRange(vs, e.range), e.newText);
        return out;
      },
    }),
    vscode.languages.registerDocumentLinkProvider(SELECTOR, {
      provideDocumentLinks: (doc) => guard('links', [], () => convert.toLinks(vs, service().computeLinks(doc.getText()))),
      resolveDocumentLink(link: vscode.DocumentLink & { data?: unknown }) {
        const resolved = guard('links', undefined, () => service().resolveLink(link.data as Parameters<DockerfileLanguageService['resolveLink']>[0]));
        if (resolved?.target) link.target = vscode.Uri.parse(resolved.target);
        return link;
      },
    }),
    vscode.languages.registerDocumentSemanticTokensProvider(
      SELECTOR,
      {
        provideDocumentSemanticTokens: (doc) =>
          guard('semantic tokens', undefined, () => new vscode.SemanticTokens(new Uint32Array(service().computeSemanticTokens(doc.getText()).data))),
      },
      new vscode.SemanticTokensLegend(convert.SEMANTIC_LEGEND.tokenTypes, convert.SEMANTIC_LEGEND.tokenModifiers),
    ),
  );
}

function createService(log: (message: string) => void): DockerfileLanguageService {
  const { DockerfileLanguageServiceFactory } = require('dockerfile-language-service') as typeof import('dockerfile-language-service');
  const service = DockerfileLanguageServiceFactory.createLanguageService();
  service.setCapabilities({
    completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'], deprecatedSupport: true } },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    foldingRange: { lineFoldingOnly: true },
  });
  service.setLogger({ log: (m) => log(`dockerfile-language-service: ${m}`) });
  return service;
}

function formatting(options: vscode.FormattingOptions) {
  return { tabSize: options.tabSize, insertSpaces: options.insertSpaces, ignoreMultilineInstructions: false };
}
