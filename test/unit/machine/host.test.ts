// What a user without QEMU is told to install: per host OS, and on Linux per
// emulated architecture (an aarch64 machine needs qemu-system-arm on Debian).

import * as assert from 'node:assert/strict';
import { installHint } from '../../../src/machine/host';

describe('installHint', () => {
  const cases: [Parameters<typeof installHint>, RegExp][] = [
    [['linux', 'x86_64'], /"sudo apt-get install qemu-system-x86 qemu-utils".*"sudo dnf install qemu-kvm qemu-img"/],
    [['linux', 'aarch64'], /"sudo apt-get install qemu-system-arm qemu-utils".*"sudo dnf install qemu-system-aarch64 qemu-img"/],
    [['linux'], /qemu-system-x86 /],
    [['darwin', 'aarch64'], /^Install QEMU with "brew install qemu"\.$/],
    [['win32', 'x86_64'], /qemu\.org\/download\/#windows/],
  ];
  for (const [args, want] of cases) it(`${args.join(' ')}`, () => assert.match(installHint(...args), want));
});
