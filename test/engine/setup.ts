// Root hooks for the engine tier: start one private dockerd and import the
// busybox image. When a dockerd cannot run here, say so loudly and skip (fail under CI).

import { cannotRun } from '../harness/ci';
import { dockerdUnavailable, startDockerd } from '../harness/dockerd';
import { importBusybox } from '../harness/images';
import { fixture } from './fixture';

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(120_000);
    const why = dockerdUnavailable();
    if (why) cannotRun(this, 'the engine tier', why);
    fixture.dockerd = await startDockerd();
    fixture.image = importBusybox(fixture.dockerd.env);
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await fixture.dockerd?.stop();
  },
};
