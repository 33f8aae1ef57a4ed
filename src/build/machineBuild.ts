// Runs a build in the machine next to its shared files and returns the same BuildResult as build.ts.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { RunInMachine } from '../machine/exec';
import type { BuildResult, BuildSpec } from './build';
import { locateBuildKitFailure } from './buildkitFailure';
import { BuildKitOutput } from './buildkitOutput';
import { inMachineBuildArgv, type BuildRoute } from './inMachine';
import { dockerfileInstructions } from './steps';

export async function buildInMachine(run: RunInMachine, route: Extract<BuildRoute, { kind: 'machine' }>, spec: BuildSpec, dockerfile: string, write: (text: string) => void, signal?: AbortSignal): Promise<BuildResult> {
  let text: string;
  try {
    text = readFileSync(dockerfile, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read the Dockerfile "${dockerfile}": ${(err as Error).message}. Check the task's "dockerfile" and "context".`, { cause: err });
  }
  const out = new BuildKitOutput();
  let tail = '';
  const r = await run(route.machine, inMachineBuildArgv(spec, route.guestContext, route.guestDockerfile), {
    signal,
    write: (t) => {
      out.feed(t);
      tail = (tail + t).slice(-2000);
      write(t);
    },
  });
  out.end();
  if (r.cancelled || signal?.aborted) return { ok: false, dockerfile, problems: [], error: 'The build was cancelled.' };
  const failure = out.failure;
  if (r.code === 0 && !failure) return { ok: true, imageId: out.imageId, dockerfile, problems: [] };
  if (!failure) return { ok: false, dockerfile, problems: [], error: `docker build in machine "${route.machine}" failed (exit code ${r.code}): ${tail.trim().split('\n').slice(-3).join(' ')}` };
  const located = locateBuildKitFailure(text, dockerfileInstructions(text), failure);
  const where = located ? ` (${path.basename(dockerfile)} line ${located.range.line + 1})` : '';
  return { ok: false, dockerfile, problems: located ? [located] : [], error: `The build failed${where}: ${located?.message ?? failure.message}` };
}
