// Root hooks of the machine tier: the machine shared by several test files (fixture.ts)
// is removed once, after the last of them.
import { disposeSharedMachine } from './fixture';

export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(120_000);
    await disposeSharedMachine();
  },
};
