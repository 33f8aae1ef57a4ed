import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { authFromConfig, DOCKER_HUB_AUTH_KEY, loadRegistryAuth, runCredentialHelper, type HelperRunner } from '../../../src/build/registryAuth';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const noHelper: HelperRunner = async () => undefined;

describe('registry credentials', () => {
  it('reads a base64 auth entry, with or without a scheme in the key', async () => {
    const config = { auths: { 'https://ghcr.io': { auth: b64('ann:pa:ss') }, [DOCKER_HUB_AUTH_KEY]: { auth: b64('bob:x') } } };
    assert.deepEqual(await authFromConfig(config, 'ghcr.io', noHelper), { serveraddress: 'ghcr.io', username: 'ann', password: 'pa:ss' });
    assert.deepEqual(await authFromConfig(config, 'Docker Hub', noHelper), { serveraddress: DOCKER_HUB_AUTH_KEY, username: 'bob', password: 'x' });
    assert.equal(await authFromConfig(config, 'quay.io', noHelper), undefined);
  });

  it('prefers a per-registry helper, then the store, and maps <token> to an identity token', async () => {
    const calls: string[] = [];
    const run: HelperRunner = async (helper, server) => {
      calls.push(`${helper} ${server}`);
      return helper === 'gh' ? { Username: '<token>', Secret: 'T' } : { Username: 'u', Secret: 's' };
    };
    const config = { credsStore: 'desktop', credHelpers: { 'ghcr.io': 'gh' }, auths: { 'ghcr.io': { auth: b64('old:old') } } };
    assert.deepEqual(await authFromConfig(config, 'ghcr.io', run), { serveraddress: 'ghcr.io', identitytoken: 'T' });
    assert.deepEqual(await authFromConfig(config, 'Docker Hub', run), { serveraddress: DOCKER_HUB_AUTH_KEY, username: 'u', password: 's' });
    assert.deepEqual(calls, ['gh ghcr.io', `desktop ${DOCKER_HUB_AUTH_KEY}`]);
  });

  describe('credential helper processes (fake helpers on PATH)', () => {
    let dir: string;
    let env: NodeJS.ProcessEnv;
    const helper = (name: string, script: string) => {
      const file = path.join(dir, `docker-credential-${name}`);
      writeFileSync(file, `#!/bin/sh\n${script}\n`);
      chmodSync(file, 0o755);
    };
    beforeEach(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'slipway-auth-'));
      env = { ...process.env, DOCKER_CONFIG: dir, PATH: `${dir}${path.delimiter}${process.env.PATH}` };
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('runs a helper with the server on stdin', async () => {
      writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ credsStore: 'fake' }));
      helper('fake', 'read server\nprintf \'{"ServerURL":"%s","Username":"helper-user","Secret":"s3"}\' "$server"');
      assert.deepEqual(await loadRegistryAuth('127.0.0.1:5000', env), { serveraddress: '127.0.0.1:5000', username: 'helper-user', password: 's3' });
    });

    it('names the helper, the registry and a possible keychain prompt when a helper hangs past the timeout', async () => {
      // Not `exec sleep`: the orphaned sleep keeps the pipes open, and the timeout must not wait for it.
      helper('hang', 'read server\nsleep 10');
      const t0 = Date.now();
      await assert.rejects(runCredentialHelper('hang', 'registry.example', { env, timeoutMs: 300 }), (err: Error) => {
        assert.match(err.message, /"docker-credential-hang" did not answer for registry "registry\.example" within 300 ms/);
        assert.match(err.message, /keychain prompt/);
        return true;
      });
      assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
    });

    it('says a helper answered something else than its JSON, without echoing the output', async () => {
      helper('garbage', 'echo "hunter2 is not json"');
      await assert.rejects(runCredentialHelper('garbage', 'registry.example', { env }), (err: Error) => {
        assert.match(err.message, /"docker-credential-garbage" answered for registry "registry\.example" with something other than the credential helper JSON/);
        assert.doesNotMatch(err.message, /hunter2/);
        return true;
      });
      helper('nosecret', 'echo \'{"Username":"u"}\'');
      await assert.rejects(runCredentialHelper('nosecret', 'registry.example', { env }), /other than the credential helper JSON/);
    });

    it('treats "credentials not found" as anonymous and reports any other failure with its message', async () => {
      helper('empty', 'echo "credentials not found in native keychain"; exit 1');
      assert.equal(await runCredentialHelper('empty', 'registry.example', { env }), undefined);
      helper('locked', 'echo "The user name or passphrase you entered is not correct." >&2; exit 1');
      await assert.rejects(
        runCredentialHelper('locked', 'registry.example', { env }),
        /"docker-credential-locked" failed for registry "registry\.example" \(exit code 1\): The user name or passphrase you entered is not correct\./,
      );
    });

    it('says which helper is missing and where it is configured', async () => {
      writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ credHelpers: { 'ghcr.io': 'absent' } }));
      await assert.rejects(loadRegistryAuth('ghcr.io', env), (err: Error) => {
        assert.match(err.message, /"docker-credential-absent" \(configured in ".*config\.json"\) was not found on PATH for registry "ghcr\.io"/);
        return true;
      });
    });

    it('kills a helper when the caller cancels', async () => {
      helper('slow', 'exec sleep 10');
      const abort = new AbortController();
      const pending = runCredentialHelper('slow', 'registry.example', { env, signal: abort.signal });
      setTimeout(() => abort.abort(), 100);
      await assert.rejects(pending, { name: 'AbortError' });
    });
  });

  it('is anonymous without a config file', async () => {
    assert.equal(await loadRegistryAuth('ghcr.io', { HOME: '/nonexistent', DOCKER_CONFIG: '/nonexistent' }), undefined);
  });
});
