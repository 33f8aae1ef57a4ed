// "Pull Image…" and "Push": per-layer progress in a cancellable notification
// (layers done/total and bytes), errors stated plainly.

import * as vscode from 'vscode';
import { loadRegistryAuth } from '../../build/registryAuth';
import { describeProgress, pullImage, pushImage, registryOf, type TransferSummary } from '../../build/transfer';
import type { CommandDeps, CommandFactory } from '../deps';
import { imageTargets } from '../images/pick';

function percent(s: TransferSummary): number {
  if (s.bytesTotal) return (100 * s.bytesCurrent) / s.bytesTotal;
  if (s.layersTotal) return (100 * s.layersDone) / s.layersTotal;
  return 0;
}

async function withTransferProgress(title: string, run: (onProgress: (s: TransferSummary) => void, signal: AbortSignal) => Promise<TransferSummary>): Promise<TransferSummary | undefined> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    let shown = 0;
    try {
      return await run((s) => {
        const pct = percent(s);
        progress.report({ message: describeProgress(s), increment: pct > shown ? pct - shown : undefined });
        shown = Math.max(shown, pct);
      }, abort.signal);
    } catch (err) {
      if (abort.signal.aborted) return undefined;
      throw err;
    } finally {
      sub.dispose();
    }
  });
}

export async function pullWithProgress(deps: CommandDeps, ref: string): Promise<TransferSummary | undefined> {
  const docker = deps.conn.requireClient().docker;
  const s = await withTransferProgress(`Pulling ${ref}`, async (onProgress, signal) => {
    const auth = await loadRegistryAuth(registryOf(ref), process.env, { signal });
    return pullImage(docker, ref, { onProgress, signal, auth });
  });
  if (s) void vscode.window.showInformationMessage(`Pulled ${ref}${s.digest ? ` (${s.digest.slice(0, 19)}…)` : ''}.`);
  return s;
}

export const pullImageCommand: CommandFactory = (deps) => async (clicked?: unknown) => {
  let ref = typeof clicked === 'string' ? clicked : undefined;
  if (!ref && clicked) ref = (await imageTargets(deps, clicked, undefined, 'Image to pull again'))[0]?.ref;
  ref ??= await vscode.window.showInputBox({
    title: 'Pull Image',
    prompt: 'Image reference, e.g. debian:bookworm or ghcr.io/owner/name:tag',
    validateInput: (v) => (v.trim() && !/\s/.test(v.trim()) ? undefined : 'Enter an image reference without spaces.'),
  });
  if (!ref) return;
  await pullWithProgress(deps, ref.trim());
};

export const pushImageCommand: CommandFactory = (deps) => async (clicked?: unknown) => {
  const [node] = await imageTargets(deps, clicked, undefined, 'Image to push');
  if (!node) return;
  if (/^sha256:/.test(node.ref)) throw new Error(`Image ${node.ref.slice(7, 19)} has no tag to push. Tag it with a registry name first (Tag…).`);
  const docker = deps.conn.requireClient().docker;
  const s = await withTransferProgress(`Pushing ${node.ref}`, async (onProgress, signal) => {
    const auth = await loadRegistryAuth(registryOf(node.ref), process.env, { signal });
    return pushImage(docker, node.ref, { onProgress, signal, auth });
  });
  if (s) void vscode.window.showInformationMessage(`Pushed ${node.ref}${s.digest ? ` (${s.digest.slice(0, 19)}…)` : ''}.`);
};
