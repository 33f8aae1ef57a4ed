import * as assert from 'node:assert/strict';
import {
  devcontainerBinds,
  devcontainerBindsOutsideShares,
  localWorkspaceFolder,
  mountSpecBindSource,
  substituteLocal,
  type DevcontainerContext,
} from '../../../src/devcontainer/mounts';

const ctx = (over: Partial<DevcontainerContext> = {}): DevcontainerContext => ({
  configFile: '/home/me/src/app/.devcontainer/devcontainer.json',
  os: 'linux',
  env: { HOME: '/home/me', DATA: '/srv/data' },
  ...over,
});

/** source and the JSON text it points at, for readable assertions. */
const binds = (text: string, c = ctx()) => devcontainerBinds(text, c).map((b) => [b.what, b.source, text.slice(b.offset, b.offset + b.length)]);

describe('devcontainer.json bind mounts', () => {
  describe('localWorkspaceFolder', () => {
    it('is the folder holding .devcontainer/, or the folder of a top-level .devcontainer.json', () => {
      assert.equal(localWorkspaceFolder('/w/app/.devcontainer/devcontainer.json', 'linux'), '/w/app');
      assert.equal(localWorkspaceFolder('/w/app/.devcontainer/python/devcontainer.json', 'linux'), '/w/app');
      assert.equal(localWorkspaceFolder('/w/app/.devcontainer.json', 'linux'), '/w/app');
      assert.equal(localWorkspaceFolder('C:\\Users\\me\\app\\.devcontainer\\devcontainer.json', 'win32'), 'C:\\Users\\me\\app');
    });
  });

  describe('substituteLocal', () => {
    it('substitutes the host-side variables, with localEnv defaults', () => {
      const c = ctx();
      assert.equal(substituteLocal('${localWorkspaceFolder}/x', c), '/home/me/src/app/x');
      assert.equal(substituteLocal('/w/${localWorkspaceFolderBasename}', c), '/w/app');
      assert.equal(substituteLocal('${localEnv:DATA}/a', c), '/srv/data/a');
      assert.equal(substituteLocal('${localEnv:NOPE:/fallback}/a', c), '/fallback/a');
      assert.equal(substituteLocal('${env:HOME}/.ssh', c), '/home/me/.ssh');
    });
    it('gives up on variables only the container knows', () => {
      assert.equal(substituteLocal('${containerWorkspaceFolder}/x', ctx()), undefined);
    });
  });

  describe('mountSpecBindSource', () => {
    it('reads source or src of a bind mount and ignores volumes', () => {
      assert.equal(mountSpecBindSource('type=bind,source=/a,target=/b,consistency=cached'), '/a');
      assert.equal(mountSpecBindSource('src=/a,dst=/b,type=bind'), '/a');
      assert.equal(mountSpecBindSource('source=cache,target=/root/.cache,type=volume'), undefined);
      assert.equal(mountSpecBindSource('source=/a,target=/b'), undefined, 'type defaults to volume');
    });
  });

  describe('devcontainerBinds', () => {
    it('counts the default workspace bind, pointing at the image property', () => {
      const text = '{\n  // comment\n  "name": "app",\n  "image": "node:22",\n}';
      assert.deepEqual(binds(text), [['the workspace folder', '/home/me/src/app', '"image"']]);
    });

    it('uses workspaceMount instead of the default, and reads mounts and runArgs', () => {
      const text = JSON.stringify(
        {
          build: { dockerfile: 'Dockerfile' },
          workspaceMount: 'source=${localWorkspaceFolder}/..,target=/w,type=bind',
          mounts: [
            'source=${localEnv:HOME}/.aws,target=/root/.aws,type=bind',
            { type: 'bind', source: '/opt/tools', target: '/tools' },
            { type: 'volume', source: 'node_modules', target: '/w/node_modules' },
            'source=cache,target=/cache,type=volume',
          ],
          runArgs: ['--init', '-v', '/var/run/docker.sock:/var/run/docker.sock', '--volume=named:/n', '--mount', 'type=bind,src=${localEnv:DATA},dst=/data', '-v./rel:/rel', '--volume', '~/cfg:/cfg'],
        },
        null,
        1,
      );
      assert.deepEqual(binds(text), [
        ['the workspace mount', '/home/me/src', '"source=${localWorkspaceFolder}/..,target=/w,type=bind"'],
        ['mounts[0]', '/home/me/.aws', '"source=${localEnv:HOME}/.aws,target=/root/.aws,type=bind"'],
        ['mounts[1]', '/opt/tools', '{\n   "type": "bind",\n   "source": "/opt/tools",\n   "target": "/tools"\n  }'],
        ['runArgs[2]', '/var/run/docker.sock', '"/var/run/docker.sock:/var/run/docker.sock"'],
        ['runArgs[5]', '/srv/data', '"type=bind,src=${localEnv:DATA},dst=/data"'],
        ['runArgs[6]', '/home/me/src/app/rel', '"-v./rel:/rel"'],
        ['runArgs[8]', '/home/me/cfg', '"~/cfg:/cfg"'],
      ]);
    });

    it('leaves compose-based configs to their compose files, and broken files alone', () => {
      assert.deepEqual(binds('{ "dockerComposeFile": "compose.yaml", "service": "app" }'), []);
      assert.deepEqual(binds('{ "image": '), [['the workspace folder', '/home/me/src/app', '{']], 'a half-typed file still has its workspace bind');
      assert.deepEqual(binds('[1, 2]'), []);
      assert.deepEqual(binds(''), []);
    });

    it('works with Windows paths', () => {
      const c = ctx({ configFile: 'C:\\Users\\me\\app\\.devcontainer.json', os: 'win32', env: { USERPROFILE: 'C:\\Users\\me' } });
      const text = '{ "image": "x", "mounts": ["source=D:\\\\data,target=/d,type=bind"], "runArgs": ["-v", "${localEnv:USERPROFILE}\\\\.ssh:/root/.ssh"] }';
      assert.deepEqual(
        devcontainerBinds(text, c).map((b) => [b.what, b.source]),
        [
          ['the workspace folder', 'C:\\Users\\me\\app'],
          ['mounts[0]', 'D:\\data'],
          ['runArgs[1]', 'C:\\Users\\me\\.ssh'],
        ],
      );
    });
  });

  describe('devcontainerBindsOutsideShares', () => {
    it('keeps only the binds no share covers (names with spaces, quotes and ü)', () => {
      const c = ctx({ configFile: '/home/me/my "app" ü/.devcontainer/devcontainer.json' });
      const text = '{ "image": "x", "mounts": ["source=/opt/tools,target=/t,type=bind", "source=/home/me/ü data,target=/d,type=bind"] }';
      assert.deepEqual(
        devcontainerBindsOutsideShares(text, c, [{ hostPath: '/home/me' }]).map((b) => b.source),
        ['/opt/tools'],
      );
      assert.deepEqual(
        devcontainerBindsOutsideShares(text, c, []).map((b) => b.source),
        ['/home/me/my "app" ü', '/opt/tools', '/home/me/ü data'],
      );
    });
  });
});
