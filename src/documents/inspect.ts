// Read-only JSON documents for `inspect` (and image history), served from a
// virtual scheme so they are never mistaken for files and cannot be saved.

import * as vscode from 'vscode';
import type { EngineConnection } from '../engine/connection';

export type InspectKind = 'container' | 'image' | 'volume' | 'network' | 'history';

export const INSPECT_SCHEME = 'slipway-inspect';

export class InspectDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration: vscode.Disposable;

  constructor(private readonly conn: EngineConnection) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(INSPECT_SCHEME, this);
  }

  static uri(kind: InspectKind, id: string, name: string): vscode.Uri {
    // The name is only for the tab title; the id goes in the query, encoded.
    const safeName = name.replace(/[\\/:*?"<>|]/g, '_') || 'unnamed';
    return vscode.Uri.from({ scheme: INSPECT_SCHEME, path: `/${kind}/${safeName}.json`, query: new URLSearchParams({ id }).toString() });
  }

  async open(kind: InspectKind, id: string, name: string): Promise<void> {
    const uri = InspectDocuments.uri(kind, id, name);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, 'json');
    await vscode.window.showTextDocument(doc, { preview: true });
    this.changed.fire(uri); // re-read when opened again
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const kind = uri.path.split('/')[1] as InspectKind;
    const id = new URLSearchParams(uri.query).get('id') ?? '';
    const name = uri.path.split('/')[2]?.replace(/\.json$/, '') ?? id;
    const client = this.conn.requireClient();
    let data: unknown;
    switch (kind) {
      case 'container':
        data = await client.inspectContainer(id, name);
        break;
      case 'image':
        data = await client.inspectImage(id, name);
        break;
      case 'volume':
        data = await client.inspectVolume(id);
        break;
      case 'network':
        data = await client.inspectNetwork(id, name);
        break;
      case 'history':
        data = await client.imageHistory(id, name);
        break;
      default:
        throw new Error(`Unknown inspect kind "${kind}".`);
    }
    return JSON.stringify(data, null, 2) + '\n';
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}
