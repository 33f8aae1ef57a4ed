import assert from 'node:assert/strict';
import { errorChain } from '../../../src/base/errorChain';

describe('errorChain', () => {
  it('shows the stack, then each cause indented, with codes', () => {
    const root = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2375'), { code: 'ECONNREFUSED' });
    const mid = new Error('Cannot reach the engine at tcp://127.0.0.1:2375', { cause: root });
    const top = new Error('Could not stop container "web"', { cause: mid });
    const text = errorChain(top);
    const lines = text.split('\n');
    assert.match(lines[0], /^Error: Could not stop container "web"/);
    assert.ok(lines.some((l) => /^\s+at /.test(l)), 'has stack frames');
    assert.match(text, /\n  caused by: Error: Cannot reach the engine/);
    assert.match(text, /\n    caused by: \[ECONNREFUSED\] Error: connect ECONNREFUSED/);
  });

  it('lists the errors of an AggregateError and survives cycles and non-errors', () => {
    const a: Error & { cause?: unknown } = new Error('a');
    a.cause = a;
    const text = errorChain(new AggregateError([a, 'plain string', { weird: 1 }], '3 cleanups failed'));
    assert.match(text, /error 1: Error: a/);
    assert.match(text, /caused by: \(the same error again\)/);
    assert.match(text, /error 2: plain string/);
    assert.match(text, /error 3: \{"weird":1\}/);
  });
});
