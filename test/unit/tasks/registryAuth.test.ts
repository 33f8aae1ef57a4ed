import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { authFromConfig, DOCKER_HUB_AUTH_KEY, loadRegistryAuth, type HelperRunner } from '../../../src/build/registryAuth';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const noHelper: HelperRunner = () => undefined;

describe('registry credentials', () => {
  it('reads a base64 auth entry, with or without a scheme in the key', () => {
    const config = { auths: { 'https://ghcr.io': { auth: b64('ann:pa:ss') }, [DOCKER_HUB_AUTH_KEY]: { auth: b64('bob:x') } } };
    assert.deepEqual(authFromConfig(config, 'ghcr.io', noHelper), { serveraddress: 'ghcr.io', username: 'ann', password: 'pa:ss' });
    assert.deepEqual(authFromConfig(config, 'Docker Hub', noHelper), { serveraddress: DOCKER_HUB_AUTH_KEY, username: 'bob', password: 'x' });
    assert.equal(authFromConfig(config, 'quay.io', noHelper), undefined);
  });

  it('prefers a per-registry helper, then the store, and maps <token> to an identity token', () => {
    const calls: string[] = [];
    const run: HelperRunner = (helper, server) => {
      calls.push(`${helper} ${server}`);
      return helper === 'gh' ? { Username: '<token>', Secret: 'T' } : { Username: 'u', Secret: 's' };
    };
    const config = { credsStore: 'desktop', credHelpers: { 'ghcr.io': 'gh' }, auths: { 'ghcr.io': { auth: b64('old:old') } } };
    assert.deepEqual(authFromConfig(config, 'ghcr.io', run), { serveraddress: 'ghcr.io', identitytoken: 'T' });
    assert.deepEqual(authFromConfig(config, 'Docker Hub', run), { serveraddress: DOCKER_HUB_AUTH_KEY, username: 'u', password: 's' });
    assert.deepEqual(calls, ['gh ghcr.io', `desktop ${DOCKER_HUB_AUTH_KEY}`]);
  });

  it('runs a real credential helper found on PATH with the server on stdin', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'slipway-auth-'));
    try {
      writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ credsStore: 'fake' }));
      const helper = path.join(dir, 'docker-credential-fake');
      writeFileSync(helper, '#!/bin/sh\nread server\nprintf \'{"ServerURL":"%s","Username":"helper-user","Secret":"s3"}\' "$server"\n');
      chmodSync(helper, 0o755);
      const env = { ...process.env, DOCKER_CONFIG: dir, PATH: `${dir}:${process.env.PATH}` };
      assert.deepEqual(loadRegistryAuth('127.0.0.1:5000', env), { serveraddress: '127.0.0.1:5000', username: 'helper-user', password: 's3' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is anonymous without a config file', () => {
    assert.equal(loadRegistryAuth('ghcr.io', { HOME: '/nonexistent', DOCKER_CONFIG: '/nonexistent' }), undefined);
  });
});
