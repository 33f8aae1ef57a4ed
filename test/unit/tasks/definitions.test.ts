import assert from 'node:assert/strict';
import { tagProblem } from '../../../src/build/tag';
import { projectFromLabels } from '../../../src/compose/labels';
import {
  buildSpecOf,
  composeOf,
  defaultTag,
  isDockerfileName,
  runSpecOf,
  substitute,
  validateDefinition,
  type Vars,
} from '../../../src/tasks/definitions';

const vars: Vars = { workspaceFolder: '/ws/shop', env: { USER: 'ann' } };

describe('task definitions', () => {
  it('substitutes workspace and env variables, leaves unknown ones', () => {
    assert.equal(substitute('${workspaceFolder}/a ${workspaceFolderBasename} ${env:USER} ${env:NOPE}. ${config:x}', vars), '/ws/shop/a shop ann . ${config:x}');
  });

  it('a build task: paths relative to the folder, context defaults to the Dockerfile folder, one or many tags', () => {
    assert.deepEqual(buildSpecOf({ type: 'slipway-build', dockerfile: 'api/Dockerfile', tag: 'api:${env:USER}', buildArgs: { A: '${workspaceFolderBasename}' } }, vars), {
      context: '/ws/shop/api',
      dockerfile: '/ws/shop/api/Dockerfile',
      tags: ['api:ann'],
      buildArgs: { A: 'shop' },
      target: undefined,
      labels: undefined,
      platform: undefined,
      pull: undefined,
      noCache: undefined,
    });
    const s = buildSpecOf({ type: 'slipway-build', context: '.', tag: ['a', 'b'], noCache: true, target: 'dev' }, vars);
    assert.deepEqual([s.context, s.dockerfile, s.tags, s.noCache, s.target], ['/ws/shop', undefined, ['a', 'b'], true, 'dev']);
  });

  it('a run task keeps its ports and resolves against the folder', () => {
    const s = runSpecOf({ type: 'slipway-run', image: 'shop:latest', ports: ['8080:80'], volumes: ['${workspaceFolder}/data:/data'], envFiles: ['.env'] }, vars);
    assert.deepEqual([s.image, s.ports, s.volumes, s.envFiles, s.cwd], ['shop:latest', ['8080:80'], ['/ws/shop/data:/data'], ['.env'], '/ws/shop']);
  });

  it('a compose task becomes a project and an action', () => {
    const { project, action } = composeOf({ type: 'slipway-compose', action: 'down', files: ['compose.yaml'], envFile: '.env.dev', volumes: true, images: 'local' }, vars);
    assert.deepEqual(project, { files: ['/ws/shop/compose.yaml'], projectName: undefined, envFile: '/ws/shop/.env.dev', profiles: undefined });
    assert.deepEqual(action, { verb: 'down', volumes: true, images: 'local' });
    assert.deepEqual(composeOf({ type: 'slipway-compose', action: 'up', projectName: 'p', build: true, services: ['web'] }, vars).action, {
      verb: 'up',
      detached: undefined,
      build: true,
      services: ['web'],
    });
  });

  const invalid: [object, string[]][] = [
    [{ type: 'slipway-run' }, ['"image" is required']],
    [{ type: 'slipway-run', image: 'x', ports: '80', remove: 'yes' }, ['"ports" must be a list of strings', '"remove" must be true or false']],
    [{ type: 'slipway-build', tag: 3, buildArgs: { A: 1 } }, ['"tag" must be a list of strings', '"buildArgs" must be an object of string values']],
    [{ type: 'slipway-compose', action: 'explode' }, ['"action" must be one of up, down, logs, restart', '"files" or "projectName" is required']],
    [{ type: 'other' }, ['unknown task type "other"']],
  ];
  for (const [def, problems] of invalid) {
    it(`reports every problem of ${JSON.stringify(def)}`, () => assert.deepEqual(validateDefinition(def as never), problems));
  }
  it('accepts valid definitions', () => {
    assert.deepEqual(validateDefinition({ type: 'slipway-build', tag: ['a'], pull: true }), []);
    assert.deepEqual(validateDefinition({ type: 'slipway-compose', action: 'logs', projectName: 'p', follow: true }), []);
  });

  const tags: [string, string][] = [
    ['/ws/My App/Dockerfile', 'my-app:latest'],
    ['/ws/api/api.Dockerfile', 'api-api:latest'],
    ['/ws/svc/Dockerfile.dev', 'svc-dev:latest'],
    ['/ws/__/Dockerfile', 'image:latest'],
  ];
  for (const [file, tag] of tags) it(`default tag of ${file} is ${tag}`, () => assert.equal(defaultTag(file), tag));

  const names: [string, boolean][] = [
    ['Dockerfile', true],
    ['Dockerfile.dev', true],
    ['web.Dockerfile', true],
    ['Containerfile', true],
    ['dockerfile-notes.md', false],
    ['README', false],
  ];
  for (const [n, yes] of names) it(`${n} ${yes ? 'is' : 'is not'} a Dockerfile`, () => assert.equal(isDockerfileName(n), yes));
});

describe('image tags', () => {
  const cases: [string, boolean][] = [
    ['myapp', true],
    ['myapp:1.0', true],
    ['127.0.0.1:5000/team/app:v2', true],
    ['ghcr.io/o/x', true],
    ['MyApp', false],
    ['app:', false],
    ['', false],
    ['a b', false],
  ];
  for (const [tag, ok] of cases) it(`"${tag}" is ${ok ? 'valid' : 'rejected'}`, () => assert.equal(tagProblem(tag) === undefined, ok));
});

describe('compose project labels', () => {
  it('reads the files and folder compose recorded', () => {
    const containers: { Labels: Record<string, string> | null }[] = [
      { Labels: null },
      { Labels: { 'com.docker.compose.project': 'other', 'com.docker.compose.project.config_files': '/o.yaml' } },
      {
        Labels: {
          'com.docker.compose.project': 'shop',
          'com.docker.compose.project.config_files': '/ws/shop/compose.yaml,/ws/shop/compose.override.yaml',
          'com.docker.compose.project.working_dir': '/ws/shop',
        },
      },
    ];
    assert.deepEqual(projectFromLabels('shop', containers), { files: ['/ws/shop/compose.yaml', '/ws/shop/compose.override.yaml'], workingDir: '/ws/shop' });
    assert.deepEqual(projectFromLabels('gone', containers), { files: [], workingDir: undefined });
  });
});
