// Pull and push progress: the engine's per-layer JSON messages folded into
// one summary (bytes, layers done/total) for a progress notification, and
// registry errors stated plainly. Pure except for `pullImage`/`pushImage`.

import type Docker from 'dockerode';
import type { Readable } from 'node:stream';
import { apiMessage } from '../engine/errors';
import { readProgress, type ProgressMessage } from './progressStream';
import type { RegistryAuth } from './registryAuth';

interface Layer {
  status: string;
  current: number;
  total: number;
  done: boolean;
}

export interface TransferSummary {
  layersDone: number;
  layersTotal: number;
  /** Bytes downloaded (pull) or uploaded (push) so far, over layers whose size is known. */
  bytesCurrent: number;
  bytesTotal: number;
  /** The last status line that is not about one layer, e.g. "Digest: sha256:…". */
  status?: string;
  digest?: string;
  error?: string;
}

const LAYER_DONE = /^(Pull complete|Already exists|Pushed|Layer already exists|Mounted from)/;
const LAYER_STATUS = /^(Pulling fs layer|Waiting|Downloading|Verifying Checksum|Download complete|Extracting|Pull complete|Already exists|Preparing|Pushing|Pushed|Layer already exists|Mounted from|Retrying)/;
const BYTES_STATUS = /^(Downloading|Pushing)/;

export class TransferProgress {
  private readonly layers = new Map<string, Layer>();
  private status: string | undefined;
  private digest: string | undefined;
  private error: string | undefined;

  feed(m: ProgressMessage): void {
    if (m.error || m.errorDetail) {
      this.error = (m.errorDetail?.message ?? m.error ?? 'the transfer failed').trim();
      return;
    }
    if (m.aux?.Digest) this.digest = m.aux.Digest;
    const status = m.status;
    if (!status) return;
    if (m.id && LAYER_STATUS.test(status)) {
      const l = this.layers.get(m.id) ?? { status, current: 0, total: 0, done: false };
      l.status = status;
      if (BYTES_STATUS.test(status) && m.progressDetail) {
        if (m.progressDetail.total) l.total = m.progressDetail.total;
        if (m.progressDetail.current !== undefined) l.current = m.progressDetail.current;
      }
      if (/^(Download complete|Pushed)/.test(status) && l.total) l.current = l.total;
      if (LAYER_DONE.test(status)) {
        l.done = true;
        if (l.total) l.current = l.total;
      }
      this.layers.set(m.id, l);
      return;
    }
    this.status = m.id && !status.includes(m.id) ? `${m.id}: ${status}` : status;
    const d = /digest: (sha256:[0-9a-f]{64})/i.exec(status);
    if (d) this.digest = d[1];
  }

  summary(): TransferSummary {
    let done = 0;
    let cur = 0;
    let tot = 0;
    for (const l of this.layers.values()) {
      if (l.done) done++;
      cur += Math.min(l.current, l.total || l.current);
      tot += l.total;
    }
    return {
      layersDone: done,
      layersTotal: this.layers.size,
      bytesCurrent: cur,
      bytesTotal: tot,
      status: this.status,
      digest: this.digest,
      error: this.error,
    };
  }
}

export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1000 * 1000) return `${(n / 1000).toFixed(1)} kB`;
  if (n < 1000 * 1000 * 1000) return `${(n / 1000 / 1000).toFixed(1)} MB`;
  return `${(n / 1000 / 1000 / 1000).toFixed(2)} GB`;
}

/** One line for a progress notification, e.g. "3/5 layers, 12.0 MB of 40.1 MB". */
export function describeProgress(s: TransferSummary): string {
  const parts: string[] = [];
  if (s.layersTotal) parts.push(`${s.layersDone}/${s.layersTotal} layers`);
  if (s.bytesTotal) parts.push(`${formatBytes(s.bytesCurrent)} of ${formatBytes(s.bytesTotal)}`);
  return parts.join(', ') || s.status || 'starting…';
}

export type TransferErrorKind = 'auth' | 'notFound' | 'network' | 'insecure' | 'other';

/** What went wrong with a registry, from the engine's message. */
export function classifyTransferError(message: string): TransferErrorKind {
  const m = message.toLowerCase();
  if (/unauthorized|authentication required|denied|no basic auth credentials|incorrect username or password/.test(m)) return 'auth';
  if (/server gave http response to https client/.test(m)) return 'insecure';
  if (/manifest unknown|not found|does not exist|no such image|name unknown/.test(m)) return 'notFound';
  if (/dial tcp|no such host|connection refused|i\/o timeout|network is unreachable|tls handshake|temporary failure in name resolution|connection reset|eof/.test(m)) return 'network';
  return 'other';
}

/** One sentence for a failed pull or push of `ref`: what happened and what to do. */
export function transferErrorMessage(verb: 'pull' | 'push', ref: string, message: string): string {
  const registry = registryOf(ref);
  switch (classifyTransferError(message)) {
    case 'auth':
      return `Could not ${verb} "${ref}": ${registry} refused access. Log in to ${registry} (docker login ${registry}) or check the image name.`;
    case 'notFound':
      return `Could not ${verb} "${ref}": ${registry} has no such image or tag. Check the name and tag.`;
    case 'network':
      return `Could not ${verb} "${ref}": ${registry} cannot be reached from the engine (${message}). Check the network or the registry address.`;
    case 'insecure':
      return `Could not ${verb} "${ref}": ${registry} speaks plain HTTP. Add it to the engine's "insecure-registries" or serve it over HTTPS.`;
    default:
      return `Could not ${verb} "${ref}": ${message}`;
  }
}

/** The registry host of an image reference (Docker Hub when it has none). */
export function registryOf(ref: string): string {
  const first = ref.split('/')[0];
  if (ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) return first;
  return 'Docker Hub';
}

export interface TransferOptions {
  onProgress?: (s: TransferSummary) => void;
  signal?: AbortSignal;
  /** X-Registry-Auth content, when logged in (see registryAuth.ts). */
  auth?: RegistryAuth;
}

async function follow(stream: Readable, opts: TransferOptions): Promise<TransferSummary> {
  const p = new TransferProgress();
  const onAbort = () => stream.destroy();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await readProgress(stream, (m) => {
      p.feed(m);
      opts.onProgress?.(p.summary());
    });
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
  return p.summary();
}

function cancelled(verb: string, ref: string): Error {
  const e = new Error(`The ${verb} of "${ref}" was cancelled.`);
  e.name = 'CancelledError';
  return e;
}

/** Pulls `ref`; resolves with the final summary, throws one sentence on failure or cancel. */
export async function pullImage(docker: Docker, ref: string, opts: TransferOptions = {}): Promise<TransferSummary> {
  let stream: Readable;
  try {
    stream = (await docker.pull(ref, { authconfig: opts.auth, abortSignal: opts.signal } as object)) as unknown as Readable;
  } catch (err) {
    if (opts.signal?.aborted) throw cancelled('pull', ref);
    throw new Error(transferErrorMessage('pull', ref, apiMessage(err)), { cause: err });
  }
  const s = await follow(stream, opts);
  if (opts.signal?.aborted) throw cancelled('pull', ref);
  if (s.error) throw new Error(transferErrorMessage('pull', ref, s.error));
  return s;
}

/** Pushes `ref` (a local tag); resolves with the final summary, throws one sentence on failure or cancel. */
export async function pushImage(docker: Docker, ref: string, opts: TransferOptions = {}): Promise<TransferSummary> {
  let stream: Readable;
  try {
    stream = (await docker.getImage(ref).push({ authconfig: opts.auth ?? {}, abortSignal: opts.signal } as object)) as unknown as Readable;
  } catch (err) {
    if (opts.signal?.aborted) throw cancelled('push', ref);
    throw new Error(transferErrorMessage('push', ref, apiMessage(err)), { cause: err });
  }
  const s = await follow(stream, opts);
  if (opts.signal?.aborted) throw cancelled('push', ref);
  if (s.error) throw new Error(transferErrorMessage('push', ref, s.error));
  return s;
}
