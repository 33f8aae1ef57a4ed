import assert from 'node:assert/strict';
import { classifyTransferError, describeProgress, registryOf, TransferProgress, transferErrorMessage } from '../../../src/build/transfer';

describe('pull/push progress', () => {
  it('aggregates layers and bytes from a pull stream', () => {
    const p = new TransferProgress();
    const feed = (...ms: object[]) => ms.forEach((m) => p.feed(m));
    feed(
      { status: 'Pulling from slipway/busybox', id: '1' },
      { status: 'Already exists', id: 'aaa' },
      { status: 'Pulling fs layer', id: 'bbb' },
      { status: 'Pulling fs layer', id: 'ccc' },
      { status: 'Downloading', id: 'bbb', progressDetail: { current: 100, total: 1000 } },
      { status: 'Downloading', id: 'ccc', progressDetail: { current: 50, total: 500 } },
    );
    assert.deepEqual(
      { ...p.summary(), status: undefined },
      { layersDone: 1, layersTotal: 3, bytesCurrent: 150, bytesTotal: 1500, status: undefined, digest: undefined, error: undefined },
    );
    assert.equal(describeProgress(p.summary()), '1/3 layers, 150 B of 1.5 kB');
    feed(
      { status: 'Download complete', id: 'bbb' },
      { status: 'Extracting', id: 'bbb', progressDetail: { current: 10, total: 4000 } },
      { status: 'Pull complete', id: 'bbb' },
      { status: 'Pull complete', id: 'ccc' },
      { status: 'Digest: sha256:' + 'a'.repeat(64) },
      { status: 'Status: Downloaded newer image for x' },
    );
    const s = p.summary();
    assert.deepEqual([s.layersDone, s.layersTotal, s.bytesCurrent, s.bytesTotal], [3, 3, 1500, 1500]);
    assert.equal(s.digest, 'sha256:' + 'a'.repeat(64));
    assert.equal(s.status, 'Status: Downloaded newer image for x');
  });

  it('aggregates a push stream and keeps the error', () => {
    const p = new TransferProgress();
    p.feed({ status: 'The push refers to repository [r/x]' });
    p.feed({ status: 'Preparing', id: 'l1' });
    p.feed({ status: 'Pushing', id: 'l1', progressDetail: { current: 10, total: 20 } });
    p.feed({ errorDetail: { message: 'unauthorized: authentication required' }, error: 'unauthorized: authentication required' });
    const s = p.summary();
    assert.deepEqual([s.layersDone, s.layersTotal, s.bytesCurrent, s.bytesTotal], [0, 1, 10, 20]);
    assert.equal(s.error, 'unauthorized: authentication required');
  });

  const errors: [string, ReturnType<typeof classifyTransferError>][] = [
    ['unauthorized: authentication required', 'auth'],
    ['pull access denied for x, repository does not exist or may require \'docker login\'', 'auth'],
    ['manifest for 127.0.0.1:5000/x:nope not found: manifest unknown: manifest unknown', 'notFound'],
    ['Get "https://127.0.0.1:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused', 'network'],
    ['Get "https://registry.example/v2/": dial tcp: lookup registry.example: no such host', 'network'],
    ['Get "https://r:5000/v2/": http: server gave HTTP response to HTTPS client', 'insecure'],
    ['something else', 'other'],
  ];
  for (const [msg, kind] of errors) it(`classifies "${msg.slice(0, 40)}…" as ${kind}`, () => assert.equal(classifyTransferError(msg), kind));

  it('states errors plainly with the registry', () => {
    assert.match(transferErrorMessage('pull', 'ghcr.io/a/b:1', 'unauthorized'), /ghcr.io refused access. Log in to ghcr.io/);
    assert.match(transferErrorMessage('pull', 'alpine:3', 'manifest unknown'), /Docker Hub has no such image or tag/);
  });

  const registries: [string, string][] = [
    ['alpine', 'Docker Hub'],
    ['library/alpine:3', 'Docker Hub'],
    ['localhost/x', 'localhost'],
    ['127.0.0.1:5000/x:1', '127.0.0.1:5000'],
    ['ghcr.io/o/x', 'ghcr.io'],
  ];
  for (const [ref, reg] of registries) it(`registry of ${ref} is ${reg}`, () => assert.equal(registryOf(ref), reg));
});
