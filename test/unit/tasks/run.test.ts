import assert from 'node:assert/strict';
import { containerOptions, parseEnvFile, parsePort, parseVolume } from '../../../src/build/run';

describe('run spec', () => {
  const ports: [string, ReturnType<typeof parsePort> | RegExp][] = [
    ['8080:80', { containerPort: '80/tcp', hostIp: '', hostPort: '8080' }],
    ['80', { containerPort: '80/tcp', hostIp: '', hostPort: '' }],
    ['127.0.0.1:8080:80/udp', { containerPort: '80/udp', hostIp: '127.0.0.1', hostPort: '8080' }],
    ['127.0.0.1::80', { containerPort: '80/tcp', hostIp: '127.0.0.1', hostPort: '' }],
    ['[::1]:9000:90', { containerPort: '90/tcp', hostIp: '::1', hostPort: '9000' }],
    ['http', /not in the form/],
    ['80:80:80:80', /not in the form/],
  ];
  for (const [input, want] of ports) {
    it(`port ${input}`, () => {
      if (want instanceof RegExp) assert.throws(() => parsePort(input), want);
      else assert.deepEqual(parsePort(input), want);
    });
  }

  const volumes: [string, ReturnType<typeof parseVolume> | RegExp][] = [
    ['/src:/app', { source: '/src', target: '/app', readOnly: false, kind: 'bind' }],
    ['./data:/data:ro', { source: '/work/data', target: '/data', readOnly: true, kind: 'bind' }],
    ['cache:/cache', { source: 'cache', target: '/cache', readOnly: false, kind: 'volume' }],
    ['/anon', { target: '/anon', readOnly: false, kind: 'anonymous' }],
    ['C:\\src:/app', { source: 'C:\\src', target: '/app', readOnly: false, kind: 'bind' }],
    ['a:b', /not in the form/],
  ];
  for (const [input, want] of volumes) {
    it(`volume ${input}`, () => {
      if (want instanceof RegExp) assert.throws(() => parseVolume(input, '/work'), want);
      else if (want.source?.startsWith('C:')) assert.deepEqual({ ...parseVolume(input, '/work'), source: want.source }, want);
      else assert.deepEqual(parseVolume(input, '/work'), want);
    });
  }

  it('reads env files: comments, blanks, "=" in values, bare names from the environment', () => {
    assert.deepEqual(parseEnvFile('# c\n\nA=1\nB=x=y\nHOME\nMISSING\n', { HOME: '/root' }), { A: '1', B: 'x=y', HOME: '/root' });
  });

  it('builds create options: env files then env, ports, binds, named and anonymous volumes', () => {
    const o = containerOptions(
      { image: 'img', name: 'n', command: 'sh -c true', env: { A: 'task' }, ports: ['8080:80', '127.0.0.1:8081:80'], volumes: ['/h:/c:ro', 'v:/v', '/anon'], remove: true, network: 'net', cwd: '/w' },
      ['A=file\nB=file\n'],
    );
    assert.deepEqual(o.Cmd, ['sh', '-c', 'true']);
    assert.deepEqual(o.Env, ['A=task', 'B=file']);
    assert.deepEqual(o.ExposedPorts, { '80/tcp': {} });
    assert.deepEqual(o.HostConfig?.PortBindings, { '80/tcp': [{ HostIp: '', HostPort: '8080' }, { HostIp: '127.0.0.1', HostPort: '8081' }] });
    assert.deepEqual(o.HostConfig?.Binds, ['/h:/c:ro', 'v:/v']);
    assert.deepEqual(o.Volumes, { '/anon': {} });
    assert.equal(o.HostConfig?.AutoRemove, true);
    assert.equal(o.HostConfig?.NetworkMode, 'net');
    assert.equal(o.Tty, false);
  });

  it('an interactive run gets a TTY and stdin', () => {
    const o = containerOptions({ image: 'img', detached: false });
    assert.equal(o.Tty, true);
    assert.equal(o.OpenStdin, true);
  });
});
