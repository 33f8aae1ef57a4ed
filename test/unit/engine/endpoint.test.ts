import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listContexts, nodeContextFiles, readCurrentContext } from '../../../src/engine/dockerContext';
import { parseHost, resolveEndpoints, type DialTarget } from '../../../src/engine/endpoint';

const homes: string[] = [];
function tempHome(): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-home-'));
  homes.push(home);
  return home;
}
after(() => homes.splice(0).forEach((h) => fs.rmSync(h, { recursive: true, force: true })));

function writeContext(home: string, name: string, host: string, withTls = false): void {
  const id = createHash('sha256').update(name).digest('hex');
  const dir = path.join(home, '.docker', 'contexts', 'meta', id);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }));
  if (withTls) {
    const tls = path.join(home, '.docker', 'contexts', 'tls', id, 'docker');
    fs.mkdirSync(tls, { recursive: true });
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) fs.writeFileSync(path.join(tls, f), 'x');
  }
}

function useContext(home: string, name: string): void {
  fs.mkdirSync(path.join(home, '.docker'), { recursive: true });
  fs.writeFileSync(path.join(home, '.docker', 'config.json'), JSON.stringify({ auths: {}, currentContext: name }));
}

describe('endpoint resolution', () => {
  const base = { platform: 'linux' as NodeJS.Platform, files: nodeContextFiles };

  it('an explicit setting is the only endpoint tried', () => {
    const home = tempHome();
    const eps = resolveEndpoints({ ...base, setting: ' unix:///tmp/x.sock ', env: { DOCKER_HOST: 'tcp://h:2375' }, homeDir: home });
    assert.deepEqual(eps.map((e) => [e.source, e.host]), [['setting', 'unix:///tmp/x.sock']]);
  });

  it('DOCKER_HOST comes before the default socket and wins over the context', () => {
    const home = tempHome();
    writeContext(home, 'colima', 'unix:///colima.sock');
    useContext(home, 'colima');
    const eps = resolveEndpoints({ ...base, env: { DOCKER_HOST: 'tcp://h:2375' }, homeDir: home });
    assert.deepEqual(eps.map((e) => e.source), ['env', 'default']);
  });

  it('follows the current docker context, with its TLS files', () => {
    const home = tempHome();
    writeContext(home, 'remote', 'tcp://build.example:2376', true);
    useContext(home, 'remote');
    const [ctx, def] = resolveEndpoints({ ...base, env: {}, homeDir: home });
    assert.equal(ctx.name, "context 'remote'");
    assert.equal(ctx.host, 'tcp://build.example:2376');
    assert.equal(ctx.tls?.verify, true);
    assert.ok(ctx.tls?.ca?.endsWith(path.join('docker', 'ca.pem')));
    assert.equal(def.host, 'unix:///var/run/docker.sock');
  });

  it('DOCKER_CONTEXT overrides config.json, and "default" means the default socket', () => {
    const home = tempHome();
    writeContext(home, 'a', 'unix:///a.sock');
    writeContext(home, 'b', 'unix:///b.sock');
    useContext(home, 'a');
    assert.equal(resolveEndpoints({ ...base, env: { DOCKER_CONTEXT: 'b' }, homeDir: home })[0].host, 'unix:///b.sock');
    assert.deepEqual(resolveEndpoints({ ...base, env: { DOCKER_CONTEXT: 'default' }, homeDir: home }).map((e) => e.source), ['default']);
  });

  it('DOCKER_CONFIG moves the config directory', () => {
    const home = tempHome();
    const cfg = path.join(home, 'elsewhere');
    writeContext(path.dirname(cfg), 'x', 'unix:///x.sock'); // writes under <home>/.docker, not DOCKER_CONFIG
    fs.mkdirSync(cfg, { recursive: true });
    fs.writeFileSync(path.join(cfg, 'config.json'), '{"currentContext":"x"}');
    const ctx = readCurrentContext(nodeContextFiles, { DOCKER_CONFIG: cfg }, home);
    assert.equal(ctx?.host, undefined);
    assert.match(ctx?.problem ?? '', /context "x" has no .*meta\.json/);
  });

  it('a broken config.json or meta.json is reported, and resolution still offers the default', () => {
    const home = tempHome();
    fs.mkdirSync(path.join(home, '.docker'), { recursive: true });
    fs.writeFileSync(path.join(home, '.docker', 'config.json'), '{ "currentContext": ');
    const ctx = readCurrentContext(nodeContextFiles, {}, home);
    assert.match(ctx?.problem ?? '', /config\.json is not valid JSON/);
    assert.deepEqual(resolveEndpoints({ ...base, env: {}, homeDir: home }).map((e) => e.source), ['default']);

    const id = createHash('sha256').update('bad').digest('hex');
    fs.mkdirSync(path.join(home, '.docker', 'contexts', 'meta', id), { recursive: true });
    fs.writeFileSync(path.join(home, '.docker', 'contexts', 'meta', id, 'meta.json'), 'not json');
    useContext(home, 'bad');
    assert.match(readCurrentContext(nodeContextFiles, {}, home)?.problem ?? '', /meta\.json is not valid JSON/);
  });

  it('lists every context, sorted, broken ones with their problem', () => {
    const home = tempHome();
    writeContext(home, 'zed', 'unix:///z.sock');
    writeContext(home, 'alpha', 'ssh://me@alpha');
    const bad = path.join(home, '.docker', 'contexts', 'meta', 'f'.repeat(64));
    fs.mkdirSync(bad, { recursive: true });
    fs.writeFileSync(path.join(bad, 'meta.json'), '{');
    const list = listContexts(nodeContextFiles, {}, home);
    assert.deepEqual(list.map((c) => [c.name, c.host ?? c.problem?.replace(/^.*(not valid JSON)$/, '$1')]), [
      ['alpha', 'ssh://me@alpha'],
      ['ffffffffffff', 'not valid JSON'],
      ['zed', 'unix:///z.sock'],
    ]);
    assert.deepEqual(listContexts(nodeContextFiles, {}, tempHome()), []);
  });

  it('tries running Slipway machines after DOCKER_HOST and before the default socket', () => {
    const eps = resolveEndpoints({ ...base, env: { DOCKER_HOST: 'tcp://h:2375' }, homeDir: tempHome(), machines: [{ name: 'default', dockerHost: 'unix:///m/docker.sock' }] });
    assert.deepEqual(eps.map((e) => [e.source, e.name]), [['env', 'DOCKER_HOST'], ['machine', "machine 'default'"], ['default', 'default socket']]);
  });

  it('uses the named pipe on Windows', () => {
    const eps = resolveEndpoints({ ...base, platform: 'win32', env: {}, homeDir: tempHome() });
    assert.equal(eps[0].host, 'npipe:////./pipe/docker_engine');
  });

  it('DOCKER_CERT_PATH and DOCKER_TLS_VERIFY give TLS material', () => {
    const [ep] = resolveEndpoints({ ...base, env: { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' }, homeDir: tempHome() });
    assert.deepEqual(ep.tls, { ca: '/certs/ca.pem', cert: '/certs/cert.pem', key: '/certs/key.pem', verify: true });
  });
});

describe('parseHost', () => {
  const cases: [string, DialTarget][] = [
    ['unix:///var/run/docker.sock', { kind: 'socket', socketPath: '/var/run/docker.sock' }],
    ['unix:///tmp/with space/d.sock', { kind: 'socket', socketPath: '/tmp/with space/d.sock' }],
    ['npipe:////./pipe/docker_engine', { kind: 'socket', socketPath: '\\\\.\\pipe\\docker_engine' }],
    ['tcp://10.1.2.3:2375', { kind: 'tcp', host: '10.1.2.3', port: 2375, tls: false }],
    ['tcp://h', { kind: 'tcp', host: 'h', port: 2375, tls: false }],
    ['https://h', { kind: 'tcp', host: 'h', port: 2376, tls: true }],
    ['ssh://me@box:2222', { kind: 'ssh', host: 'box', port: 2222, username: 'me' }],
    ['ssh://box', { kind: 'ssh', host: 'box', port: 22, username: undefined }],
  ];
  for (const [input, want] of cases) it(`parses ${input}`, () => assert.deepEqual(parseHost(input), want));

  const bad: [string, RegExp][] = [
    ['unix://relative.sock', /must be absolute/],
    ['ftp://h', /scheme "ftp:" is not supported/],
    ['not a url', /not a URL/],
    ['npipe://pipe', /npipe:\/\/\/\/\.\/pipe\/name/],
  ];
  for (const [input, re] of bad) {
    it(`rejects ${JSON.stringify(input)} with a clear message`, () => {
      assert.throws(() => parseHost(input), (e: Error) => re.test(e.message) && e.message.includes(`"${input}"`) && /Use unix:/.test(e.message));
    });
  }
});
