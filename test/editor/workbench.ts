// Per-file Chromium window on the tier's code-server (see setup.ts), with a
// screenshot of whatever the window shows when a test fails.

import type { Context } from 'mocha';
import { openWorkbench, type Workbench } from '../harness/browser';
import { editorEnv } from './setup';

/** Registers before/after hooks in the calling suite; the returned function gives the open window. */
export function useWorkbench(name: string): () => Workbench {
  let wb: Workbench | undefined;
  before(async function (this: Context) {
    this.timeout(120_000);
    wb = await openWorkbench(editorEnv().codeServer.url, name);
  });
  afterEach(async function (this: Context) {
    if (wb && this.currentTest?.state === 'failed') {
      const file = await wb.screenshot(`FAILED-${this.currentTest.title}`).catch(() => undefined);
      if (file) console.log(`      screenshot of the failure: ${file}`);
    }
  });
  after(async () => {
    await wb?.close();
    wb = undefined;
  });
  return () => {
    if (!wb) throw new Error('the workbench did not open (see the before hook)');
    return wb;
  };
}
