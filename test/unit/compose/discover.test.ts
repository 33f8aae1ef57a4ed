import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultComposeFiles, formatProblem, isComposeFileName, parseComposeText, readComposeProject } from '../../../src/compose/discover';
import { debianMirror } from '../../harness/ensureCompose';

describe('compose discovery', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'slipway-compose-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const touch = (...names: string[]) => names.forEach((n) => writeFileSync(path.join(dir, n), 'services: {}\n'));
  const base = (files: string[]) => files.map((f) => path.basename(f));

  it('prefers compose.yaml and pairs it with its override', () => {
    touch('docker-compose.yml', 'compose.yaml', 'compose.override.yaml', 'docker-compose.override.yml');
    assert.deepEqual(base(defaultComposeFiles(dir)), ['compose.yaml', 'compose.override.yaml']);
  });

  it('falls back to docker-compose.yml and its override', () => {
    touch('docker-compose.yml', 'docker-compose.override.yml');
    assert.deepEqual(base(defaultComposeFiles(dir)), ['docker-compose.yml', 'docker-compose.override.yml']);
  });

  it('finds nothing in a folder without compose files', () => {
    touch('compose.override.yaml');
    assert.deepEqual(defaultComposeFiles(dir), []);
  });

  const names: [string, boolean][] = [
    ['compose.yaml', true],
    ['docker-compose.prod.yml', true],
    ['compose.override.yaml', true],
    ['my-compose.yaml', false],
    ['compose.json', false],
  ];
  for (const [n, yes] of names) it(`${n} ${yes ? 'is' : 'is not'} a compose file name`, () => assert.equal(isComposeFileName(n), yes));

  it('reads services, profiles and the project name', () => {
    const info = parseComposeText('c.yaml', 'name: shop\nservices:\n  web:\n    image: nginx\n  db:\n    build: .\n    profiles: [db, all]\n');
    assert.equal(info.name, 'shop');
    assert.deepEqual(info.services, [
      { name: 'web', profiles: [], image: 'nginx', hasBuild: false, bindSources: [] },
      { name: 'db', profiles: ['db', 'all'], image: undefined, hasBuild: true, bindSources: [] },
    ]);
    assert.deepEqual(info.problems, []);
  });

  it('reports a YAML error as file:line: message', () => {
    const info = parseComposeText('/p/compose.yaml', 'services:\n  web:\n    image: nginx\n   ports: [80\n');
    assert.ok(info.problems.length >= 1);
    assert.match(formatProblem(info.problems[0]), /^\/p\/compose\.yaml:4: /);
  });

  it('reports services that are not a mapping on their line', () => {
    const info = parseComposeText('c.yaml', 'version: "3"\nservices:\n  - web\n');
    assert.deepEqual(info.problems.map(formatProblem), ['c.yaml:3: "services" must be a mapping of service names']);
  });

  it('a project takes its name from the last file that sets one, else the folder', () => {
    writeFileSync(path.join(dir, 'a.yaml'), 'services:\n  a: {image: x}\n');
    writeFileSync(path.join(dir, 'b.yaml'), 'name: Named\nservices:\n  b: {image: x}\n');
    const files = [path.join(dir, 'a.yaml'), path.join(dir, 'b.yaml')];
    assert.equal(readComposeProject(files, {}).name, 'named');
    assert.deepEqual(readComposeProject(files, {}).services, ['a', 'b']);
    assert.equal(readComposeProject(files.slice(0, 1), {}).name, path.basename(dir).toLowerCase().replace(/[^a-z0-9_-]/g, ''));
    assert.equal(readComposeProject(files, { COMPOSE_PROJECT_NAME: 'fromenv' }).name, 'fromenv');
  });

  it('collects bind-mount sources (short and long syntax) as absolute paths, skipping named volumes', () => {
    writeFileSync(
      path.join(dir, 'binds.yaml'),
      [
        'services:',
        '  web:',
        '    image: x',
        '    volumes: ["./src:/src:ro", "data:/data", "/anon", "~/cache:/cache", "/opt/abs:/abs"]',
        '  db:',
        '    image: x',
        '    volumes:',
        '      - {type: bind, source: ../shared, target: /s}',
        '      - {type: volume, source: db, target: /var/lib/db}',
        'volumes: {data: {}, db: {}}',
        '',
      ].join('\n'),
    );
    assert.deepEqual(readComposeProject([path.join(dir, 'binds.yaml')], { HOME: '/home/ann' }).bindSources, [
      path.join(dir, 'src'),
      '/home/ann/cache',
      '/opt/abs',
      path.resolve(dir, '../shared'),
    ]);
  });
});

describe('Debian mirror from apt sources', () => {
  it('reads deb822 sources and skips security', () => {
    const text = 'Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\n\nTypes: deb\nURIs: http://mirror.example/debian/\nSuites: bookworm\n';
    assert.equal(debianMirror([text]), 'http://mirror.example/debian');
  });
  it('reads one-line sources.list entries', () => {
    assert.equal(debianMirror(['# x\ndeb [arch=amd64] http://m.example/debian bookworm main\n']), 'http://m.example/debian');
  });
  it('finds nothing in empty sources', () => assert.equal(debianMirror(['']), undefined));
});
