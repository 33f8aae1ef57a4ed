import assert from 'node:assert/strict';
import { formatBytes, timeAgo } from '../../../src/models/format';
import { buildImageTree, splitRef } from '../../../src/models/images';
import { type ImageSummary } from '../../../src/engine/resources';
import { buildNetworkList, buildVolumeList, isAnonymousVolume } from '../../../src/models/volumesNetworks';

describe('images model', () => {
  const refs: [string, string, string][] = [
    ['nginx:1.27', 'nginx', '1.27'],
    ['nginx', 'nginx', 'latest'],
    ['registry.local:5000/team/app:dev', 'registry.local:5000/team/app', 'dev'],
    ['registry.local:5000/team/app', 'registry.local:5000/team/app', 'latest'],
  ];
  for (const [ref, repo, tag] of refs) it(`splits ${ref}`, () => assert.deepEqual(splitRef(ref), { repository: repo, tag }));

  const now = 1_700_000_000_000;
  const img = (over: Partial<ImageSummary>): ImageSummary => ({ Id: 'sha256:' + 'a'.repeat(64), Created: now / 1000 - 3600, Size: 12_345_678, ...over });

  it('groups tags by repository, one item per tag, dangling hidden unless asked', () => {
    const list = [
      img({ Id: 'sha256:1', RepoTags: ['app:1', 'app:2', 'other:x'], Containers: 1 }),
      img({ Id: 'sha256:2', RepoTags: ['<none>:<none>'], RepoDigests: ['app@sha256:beef'] }),
      img({ Id: 'sha256:3', RepoTags: null }),
    ];
    const hidden = buildImageTree(list, { showDangling: false, now });
    assert.deepEqual(hidden.map((g) => [g.label, g.children.map((c) => c.ref)]), [
      ['app', ['app:1', 'app:2']],
      ['other', ['other:x']],
    ]);
    assert.equal(hidden[0].children[0].description, '1 hour ago · 12 MB');
    assert.equal(hidden[0].children[0].contextValue, 'image tagged inUse');
    assert.match(hidden[0].children[0].tooltip, /Also tagged: app:2, other:x/);
    const shown = buildImageTree(list, { showDangling: true, now });
    assert.equal(shown.at(-1)!.label, 'Dangling images');
    assert.deepEqual(shown.at(-1)!.children.map((c) => c.ref), ['sha256:2', 'sha256:3']);
    assert.match(shown.at(-1)!.children[0].description, /^app · /);
  });
});

describe('volumes and networks models', () => {
  it('marks anonymous volumes and lists named ones first', () => {
    const anon = 'f'.repeat(64);
    assert.ok(isAnonymousVolume(anon));
    assert.ok(!isAnonymousVolume('data'));
    const list = buildVolumeList([
      { Name: anon, Driver: 'local', Mountpoint: '/x' },
      { Name: 'zeta', Driver: 'local', Mountpoint: '/z', Labels: { 'com.docker.compose.project': 'shop' } },
      { Name: 'alpha', Driver: 'local', Mountpoint: '/a' },
    ]);
    assert.deepEqual(list.map((v) => v.label), ['alpha', 'zeta', 'ffffffffffff']);
    assert.equal(list[1].description, 'local · compose: shop');
    assert.equal(list[2].contextValue, 'volume anonymous');
  });

  it('marks built-in networks, which come first and cannot be removed', () => {
    const list = buildNetworkList([
      { Id: '1', Name: 'mynet', Driver: 'bridge', Scope: 'local', IPAM: { Config: [{ Subnet: '172.20.0.0/16' }] } },
      { Id: '2', Name: 'host', Driver: 'host', Scope: 'local' },
      { Id: '3', Name: 'bridge', Driver: 'bridge', Scope: 'local' },
    ]);
    assert.deepEqual(list.map((n) => [n.label, n.contextValue]), [
      ['bridge', 'network builtin'],
      ['host', 'network builtin'],
      ['mynet', 'network'],
    ]);
    assert.match(list[2].tooltip, /Subnet: 172\.20\.0\.0\/16/);
    assert.equal(list[0].description, 'bridge · built-in');
    // The "none" network's driver is called "null": not worth showing.
    assert.equal(buildNetworkList([{ Id: '4', Name: 'none', Driver: 'null', Scope: 'local' }])[0].description, 'built-in');
  });
});

describe('human units', () => {
  const bytes: [number, string][] = [[0, '0 B'], [999, '999 B'], [1000, '1.0 kB'], [12_345_678, '12 MB'], [5.5e9, '5.5 GB'], [-1, '?']];
  for (const [n, s] of bytes) it(`${n} bytes → ${s}`, () => assert.equal(formatBytes(n), s));
  const ago: [number, string][] = [[0, 'just now'], [30, '30 seconds ago'], [60, '1 minute ago'], [7200, '2 hours ago'], [86400 * 3, '3 days ago']];
  for (const [s, text] of ago) it(`${s} s → ${text}`, () => assert.equal(timeAgo(1000 - s, 1000 * 1000), text));
});
