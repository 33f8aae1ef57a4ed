import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { backoffDelay } from '../../../src/base/backoff';
import { EventStream, parseEventLine, type EngineEvent, type StreamState } from '../../../src/engine/events';
import { apiMessage, describeConnectError } from '../../../src/engine/errors';

describe('engine events', () => {
  it('parses the events we use and ignores others and junk', () => {
    const line = JSON.stringify({ Type: 'container', Action: 'start', Actor: { ID: 'abc', Attributes: { name: 'web' } }, timeNano: 5 });
    assert.deepEqual(parseEventLine(line), { type: 'container', action: 'start', id: 'abc', attributes: { name: 'web' }, timeNano: 5 });
    assert.equal(parseEventLine(JSON.stringify({ Type: 'daemon', Action: 'reload' })), undefined);
    assert.equal(parseEventLine('{not json'), undefined);
  });

  it('backs off exponentially with jitter, capped', () => {
    const o = { minMs: 100, maxMs: 1000 };
    assert.deepEqual([0, 1, 2, 3, 10].map((n) => backoffDelay(n, o, () => 0.5)), [100, 200, 400, 800, 1000]);
    assert.equal(backoffDelay(0, o, () => 0), 80);
    assert.equal(backoffDelay(0, o, () => 1), 120);
  });

  it('splits events across chunk boundaries and reconnects after the stream ends', async () => {
    const streams: PassThrough[] = [];
    const es = new EventStream(async () => {
      const s = new PassThrough();
      streams.push(s);
      return s;
    }, { minMs: 1, maxMs: 2 });
    const events: EngineEvent[] = [];
    const states: StreamState['kind'][] = [];
    const reconnected: boolean[] = [];
    es.onEvent((e) => events.push(e));
    es.onState((s) => {
      states.push(s.kind);
      if (s.kind === 'connected') reconnected.push(s.reconnected);
    });
    es.start();
    await new Promise((r) => setImmediate(r));
    const a = JSON.stringify({ Type: 'volume', Action: 'create', Actor: { ID: 'v1' } });
    streams[0].write(a.slice(0, 10));
    streams[0].write(a.slice(10) + '\n' + JSON.stringify({ Type: 'network', Action: 'destroy', Actor: { ID: 'n1' } }) + '\n');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(events.map((e) => `${e.type}:${e.action}:${e.id}`), ['volume:create:v1', 'network:destroy:n1']);
    streams[0].end();
    for (let i = 0; i < 100 && streams.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(streams.length, 2);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(reconnected, [false, true]);
    assert.ok(states.includes('disconnected'));
    es.dispose();
  });

  it('keeps retrying while the engine cannot be opened', async () => {
    let attempts = 0;
    const es = new EventStream(async () => {
      attempts++;
      throw Object.assign(new Error('connect ENOENT'), { code: 'ENOENT' });
    }, { minMs: 1, maxMs: 2 });
    es.start();
    for (let i = 0; i < 100 && attempts < 3; i++) await new Promise((r) => setTimeout(r, 5));
    es.dispose();
    assert.ok(attempts >= 3);
  });
});

describe('engine errors in plain words', () => {
  const cases: [string, RegExp][] = [
    ['ENOENT', /No Docker engine is running at unix:\/\/\/x\.sock \(the socket does not exist\)/],
    ['EACCES', /Permission denied on unix:\/\/\/x\.sock/],
    ['ECONNREFUSED', /Nothing is listening at/],
    ['ETIMEDOUT', /did not answer in time/],
  ];
  for (const [code, re] of cases) {
    it(code, () => {
      const p = describeConnectError(Object.assign(new Error('x'), { code }), 'unix:///x.sock');
      assert.match(p.reason, re);
      assert.ok(p.fix.length > 10);
    });
  }

  const err = (code: string) => Object.assign(new Error('x'), { code });

  it('names the setting or variable the address came from', () => {
    assert.match(describeConnectError(err('ECONNREFUSED'), { host: 'tcp://h:2375', source: 'setting' }).fix, /^Fix `slipway\.engine\.host`, or start the engine/);
    assert.match(describeConnectError(err('ENOENT'), { host: 'unix:///nope.sock', source: 'env' }).fix, /^Fix `DOCKER_HOST` \(or unset it\)/);
    assert.match(describeConnectError(err('ENOTFOUND'), { host: 'tcp://nohost:2375', source: 'context', name: "context 'remote'" }).fix, /docker context 'remote'/);
  });

  it('does not tell a machine user to join the docker group', () => {
    const t = { host: 'unix:///home/u/.slipway/machines/default/run/docker.sock', source: 'machine' as const, name: "machine 'default'" };
    const denied = describeConnectError(err('EACCES'), t);
    assert.match(denied.reason, /socket of machine "default"/);
    assert.doesNotMatch(denied.fix, /docker' group/);
    const missing = describeConnectError(err('ENOENT'), t);
    assert.match(missing.reason, /Machine "default" is not serving its Docker engine/);
    assert.match(missing.fix, /slipway machine start default/);
    // The default socket keeps the usual advice.
    assert.match(describeConnectError(err('EACCES'), { host: 'unix:///var/run/docker.sock', source: 'default' }).fix, /'docker' group/);
  });

  it('strips dockerode\'s prefix from API messages', () => {
    assert.equal(apiMessage(new Error('(HTTP code 404) no such container - No such container: abc ')), 'No such container: abc');
    assert.equal(apiMessage({ json: { message: 'conflict' }, message: 'x' }), 'conflict');
  });
});
