// Builds an image through the Engine API (POST /build with a tar of the
// context), streaming the output as text and locating a failure in the
// Dockerfile. No `vscode`: used by the task, the commands and the tests.

import type Docker from 'dockerode';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { apiMessage } from '../engine/errors';
import { BuildOutput } from './buildOutput';
import { packContext } from './context';
import { locateFailure, type LocatedProblem } from './failure';
import { readProgress } from './progressStream';
import { missingContextSources } from './sources';
import { dockerfileInstructions } from './steps';
import { formatBytes } from './transfer';

export interface BuildSpec {
  /** Absolute path of the context directory. */
  context: string;
  /** The Dockerfile: absolute, or relative to the context. Default `Dockerfile`. */
  dockerfile?: string;
  tags?: string[];
  buildArgs?: Record<string, string>;
  target?: string;
  labels?: Record<string, string>;
  platform?: string;
  pull?: boolean;
  noCache?: boolean;
}

export interface BuildResult {
  ok: boolean;
  /** The image id (`sha256:…`) when the build succeeded. */
  imageId?: string;
  /** Absolute path of the Dockerfile that was built. */
  dockerfile: string;
  /** Problems located in the Dockerfile: missing context files, the failing step. */
  problems: LocatedProblem[];
  /** One sentence when the build failed. */
  error?: string;
}

export function resolveDockerfile(spec: BuildSpec): string {
  return path.resolve(spec.context, spec.dockerfile ?? 'Dockerfile');
}

/** The `/build` query for a spec (pure, exported for tests). */
export function buildQuery(spec: BuildSpec, dockerfileName: string): Record<string, unknown> {
  const q: Record<string, unknown> = { dockerfile: dockerfileName, rm: true, forcerm: true };
  if (spec.tags?.length) q.t = spec.tags;
  if (spec.buildArgs && Object.keys(spec.buildArgs).length) q.buildargs = spec.buildArgs;
  if (spec.target) q.target = spec.target;
  if (spec.labels && Object.keys(spec.labels).length) q.labels = spec.labels;
  if (spec.platform) q.platform = spec.platform;
  if (spec.pull) q.pull = true;
  if (spec.noCache) q.nocache = true;
  return q;
}

/**
 * Runs one build. `write` receives the output as text (LF line ends). Never
 * throws for a failed build: the result says what failed and where. Throws
 * only when the context or Dockerfile cannot be read.
 */
export async function buildImage(docker: Docker, spec: BuildSpec, write: (text: string) => void, signal?: AbortSignal): Promise<BuildResult> {
  const dockerfile = resolveDockerfile(spec);
  let text: string;
  try {
    text = readFileSync(dockerfile, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read the Dockerfile "${dockerfile}": ${(err as Error).message}. Check the task's "dockerfile" and "context".`, { cause: err });
  }
  const packed = packContext(spec.context, dockerfile);
  const missing = missingContextSources(text, packed.files);
  write(`Sending the build context ${spec.context} (${packed.files.files} files, ${formatBytes(packed.files.bytes)}) to the engine.\n`);
  const out = new BuildOutput();
  let stream: Readable;
  try {
    stream = (await docker.buildImage(packed.stream as unknown as NodeJS.ReadableStream, {
      ...buildQuery(spec, packed.dockerfileName),
      abortSignal: signal,
    } as Docker.ImageBuildOptions)) as unknown as Readable;
  } catch (err) {
    packed.stream.destroy();
    const error = signal?.aborted ? 'The build was cancelled.' : `The engine refused the build: ${apiMessage(err)}`;
    write(`${error}\n`);
    return { ok: false, dockerfile, problems: missing, error };
  }
  const onAbort = () => stream.destroy();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await readProgress(stream, (m) => {
      const t = out.feed(m);
      if (t) write(t);
    });
  } catch (err) {
    if (!signal?.aborted) out.failure ??= { message: `The build stream broke: ${(err as Error).message}` };
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (signal?.aborted) return { ok: false, dockerfile, problems: missing, error: 'The build was cancelled.' };
  if (out.failure) {
    const located = locateFailure(text, dockerfileInstructions(text), out.failure);
    const problems = [...missing];
    if (located && !problems.some((p) => p.range.line === located.range.line && located.kind === 'context')) problems.push(located);
    const where = located ? ` (${path.basename(dockerfile)} line ${located.range.line + 1})` : '';
    return { ok: false, dockerfile, problems, error: `The build failed${where}: ${located?.message ?? out.failure.message}` };
  }
  return { ok: true, imageId: out.imageId, dockerfile, problems: [] };
}
