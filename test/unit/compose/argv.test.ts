import assert from 'node:assert/strict';
import { composeArgs, normalizeProjectName, type ComposeAction, type ComposeProject } from '../../../src/compose/argv';

describe('compose argv', () => {
  const project: ComposeProject = { files: ['/p/compose.yaml', '/p/compose.override.yaml'], projectName: 'demo', envFile: '/p/.env.dev', profiles: ['debug', 'tools'] };
  const head = ['--ansi', 'never', '-f', '/p/compose.yaml', '-f', '/p/compose.override.yaml', '-p', 'demo', '--env-file', '/p/.env.dev', '--profile', 'debug', '--profile', 'tools'];
  const cases: [string, ComposeAction, string[]][] = [
    ['up detached by default', { verb: 'up' }, ['up', '--detach']],
    ['up attached with build and services', { verb: 'up', detached: false, build: true, services: ['web', '--weird'] }, ['up', '--build', '--', 'web', '--weird']],
    ['down', { verb: 'down' }, ['down']],
    ['down with volumes and images', { verb: 'down', volumes: true, images: 'local', removeOrphans: true }, ['down', '--volumes', '--rmi', 'local', '--remove-orphans']],
    ['logs', { verb: 'logs', follow: true, tail: 100, services: ['web'] }, ['logs', '--follow', '--tail', '100', '--', 'web']],
    ['logs all history', { verb: 'logs', tail: -1 }, ['logs']],
    ['restart', { verb: 'restart' }, ['restart']],
    ['ps as json', { verb: 'ps', all: true, json: true }, ['ps', '--all', '--format', 'json']],
  ];
  for (const [name, action, tail] of cases) {
    it(name, () => assert.deepEqual(composeArgs(project, action), [...head, ...tail]));
  }

  it('a project given by name only has no -f', () => {
    assert.deepEqual(composeArgs({ files: [], projectName: 'x' }, { verb: 'down' }), ['--ansi', 'never', '-p', 'x', 'down']);
  });

  const names: [string, string][] = [
    ['My App', 'myapp'],
    ['_hidden-Dir', 'hidden-dir'],
    ['app.v2', 'appv2'],
    ['Ünïcode', 'ncode'],
  ];
  for (const [dir, name] of names) it(`project name of "${dir}" is "${name}"`, () => assert.equal(normalizeProjectName(dir), name));
});
