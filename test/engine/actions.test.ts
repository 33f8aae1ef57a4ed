// Every view action against a real dockerd: what the engine does, and what
// the view model shows afterwards.

import assert from 'node:assert/strict';
import { EngineClient } from '../../src/engine/client';
import { buildContainerTree, containerNode, type ContainerGroupNode } from '../../src/models/containers';
import { type ContainerSummary } from '../../src/engine/resources';
import { buildImageTree } from '../../src/models/images';
import { buildNetworkList, buildVolumeList } from '../../src/models/volumesNetworks';
import { docker } from '../harness/images';
import { daemon, fixture, unique, waitFor } from './fixture';

describe('actions (real dockerd)', function () {
  let client: EngineClient;
  const cleanup: (() => void)[] = [];

  before(() => {
    client = new EngineClient({ name: 'test', source: 'setting', host: daemon().host });
  });
  after(() => cleanup.reverse().forEach((f) => {
    try {
      f();
    } catch {
      /* already gone */
    }
  }));

  async function containerByName(name: string): Promise<ContainerSummary | undefined> {
    return (await client.listContainers()).find((c) => c.Names.includes(`/${name}`));
  }

  describe('containers', () => {
    let name: string;
    let id: string;
    before(() => {
      name = unique('life');
      id = docker(daemon().env, 'run', '-d', '--name', name, '-p', '127.0.0.1::80', '-v', 'slipway-test-vol:/data', fixture.image!, 'httpd', '-f', '-p', '80', '-h', '/var/www');
      cleanup.push(() => docker(daemon().env, 'rm', '-f', name), () => docker(daemon().env, 'volume', 'rm', '-f', 'slipway-test-vol'));
    });

    it('describes a running container with its image, status and published port', async () => {
      const node = containerNode((await containerByName(name))!);
      assert.equal(node.state, 'running');
      assert.equal(node.icon.id, 'vm-running');
      assert.match(node.description, new RegExp(`^${fixture.image!.replace(/[/.]/g, '\\$&')} · Up .* · 127\\.0\\.0\\.1:\\d+→80$`));
      assert.match(node.contextValue, /^container running .*ports/);
      assert.match(node.tooltip, /Mounts:\n {2}slipway-test-vol → \/data/);
      // The published port really serves the container's httpd.
      const port = node.ports[0];
      const body = await waitFor('httpd answer', async () => {
        try {
          return await (await fetch(`http://127.0.0.1:${port.hostPort}/`)).text();
        } catch {
          return '';
        }
      });
      assert.equal(body, 'hello from slipway test image\n');
    });

    it('pauses and unpauses', async () => {
      await client.containerAction(id, 'pause', name);
      let node = containerNode((await containerByName(name))!);
      assert.equal(node.state, 'paused');
      assert.equal(node.icon.id, 'debug-pause');
      assert.match(node.contextValue, /^container paused/);
      await client.containerAction(id, 'unpause', name);
      node = containerNode((await containerByName(name))!);
      assert.equal(node.state, 'running');
    });

    it('stops, starts and restarts', async () => {
      await client.containerAction(id, 'stop', name);
      let node = containerNode((await containerByName(name))!);
      assert.equal(node.state, 'exited');
      assert.equal(node.icon.id, 'vm-outline');
      assert.match(node.contextValue, /^container stopped/);
      assert.deepEqual(node.ports, []);
      // Stopping again is not an error (the engine answers 304).
      await client.containerAction(id, 'stop', name);
      await client.containerAction(id, 'start', name);
      const startedAt = (await client.inspectContainer(id)).State.StartedAt;
      await client.containerAction(id, 'restart', name);
      assert.notEqual((await client.inspectContainer(id)).State.StartedAt, startedAt);
      assert.equal(containerNode((await containerByName(name))!).state, 'running');
    });

    it('inspects', async () => {
      const info = await client.inspectContainer(id, name);
      assert.equal(info.Name, `/${name}`);
      assert.equal(info.Config.Image, fixture.image);
    });

    it('refuses to remove a running container without force, removes it with force', async () => {
      const other = unique('rm');
      const otherId = docker(daemon().env, 'run', '-d', '--name', other, fixture.image!, 'sleep', '1000');
      await assert.rejects(client.removeContainer(otherId, { force: false }, other), /Could not remove container ".*": .*(running|stop)/i);
      await client.removeContainer(otherId, { force: true }, other);
      assert.equal(await containerByName(other), undefined);
    });

    it('says a container no longer exists when its menu outlived it', async () => {
      const gone = unique('gone');
      const goneId = docker(daemon().env, 'create', '--name', gone, fixture.image!, 'true');
      docker(daemon().env, 'rm', gone);
      for (const verb of ['start', 'stop', 'restart', 'pause', 'unpause'] as const) {
        await assert.rejects(client.containerAction(goneId, verb, gone), { message: `Could not ${verb} container "${gone}": it no longer exists.` });
      }
      await assert.rejects(client.removeContainer(goneId, { force: true }, gone), /it no longer exists/);
      await assert.rejects(client.containerLogs(goneId, { follow: false }, gone), /it no longer exists/);
    });

    it('groups compose containers by project and the rest as individual', async () => {
      const a = unique('compose-a');
      docker(daemon().env, 'create', '--name', a, '--label', 'com.docker.compose.project=shop', '--label', 'com.docker.compose.service=db', fixture.image!, 'true');
      cleanup.push(() => docker(daemon().env, 'rm', '-f', a));
      const tree = buildContainerTree(await client.listContainers(), { groupBy: 'composeProject', sortBy: 'name' }) as ContainerGroupNode[];
      const shop = tree.find((g) => g.project === 'shop')!;
      assert.ok(shop.children.some((c) => c.name === a));
      assert.equal(tree.at(-1)!.label, 'Individual containers');
      assert.ok(tree.at(-1)!.children.some((c) => c.name === name));
    });
  });

  describe('logs', () => {
    it('follows a log as it is written, stdout and stderr together', async () => {
      const name = unique('logs');
      const id = docker(daemon().env, 'run', '-d', '--name', name, fixture.image!, 'sh', '-c', 'echo out-1; echo err-1 >&2; sleep 1; echo out-2; sleep 1000');
      cleanup.push(() => docker(daemon().env, 'rm', '-f', name));
      const stream = await client.containerLogs(id, { follow: true, tail: -1 }, name);
      let text = '';
      stream.on('data', (d) => (text += d));
      await waitFor('the line written after following started', () => text.includes('out-2'), 15_000);
      stream.destroy();
      const lines = text.trim().split('\n');
      // stdout and stderr are separate pipes: their relative order within a moment is not kept.
      assert.deepEqual(lines.slice(0, 2).sort(), ['err-1', 'out-1']);
      assert.equal(lines[2], 'out-2');
    });

    it('reads the tail of a 50 MB log without loading all of it, and all of it when asked', async function () {
      this.timeout(120_000);
      const name = unique('biglog');
      // 50 MB of stdout: 1,000,000 lines of 50 bytes ("0000001" + 42 dots + newline).
      const sep = `${'.'.repeat(42)}\n`;
      docker(daemon().env, 'run', '--name', name, '-e', `SEP=${sep}`, fixture.image!, 'sh', '-c', 'seq -w -s "$SEP" 1 1000000');
      cleanup.push(() => docker(daemon().env, 'rm', '-f', name));
      const containerId = docker(daemon().env, 'inspect', '-f', '{{.Id}}', name);
      const tail = await client.containerLogs(containerId, { follow: false, tail: 1000 }, name);
      let tailText = '';
      for await (const chunk of tail) tailText += chunk;
      const lines = tailText.trim().split('\n');
      assert.equal(lines.length, 1000);
      assert.equal(lines.at(-1), '1000000');
      assert.equal(lines[0], `0999001${'.'.repeat(42)}`);

      const all = await client.containerLogs(containerId, { follow: false, tail: -1 }, name);
      let bytes = 0;
      let last = '';
      for await (const chunk of all) {
        bytes += Buffer.byteLength(chunk);
        last = String(chunk);
      }
      assert.equal(bytes, 999_999 * 50 + 8);
      assert.ok(last.endsWith('.\n1000000\n'));
    });
  });

  describe('images', () => {
    it('groups tags by repository, tags, shows history, and removes a tag', async () => {
      const repo = unique('slipway-test/tagged').toLowerCase();
      await client.tagImage(fixture.image!, repo, 'v1');
      let groups = buildImageTree(await client.listImages(), { showDangling: false, now: Date.now() });
      const g = groups.find((x) => x.label === repo)!;
      assert.deepEqual(g.children.map((c) => c.label), ['v1']);
      assert.equal(g.children[0].ref, `${repo}:v1`);
      const history = await client.imageHistory(`${repo}:v1`);
      assert.ok(history.length >= 1);
      const inspect = await client.inspectImage(`${repo}:v1`);
      assert.ok(inspect.RepoTags.includes(`${repo}:v1`));
      await client.removeImage(`${repo}:v1`, { force: false });
      groups = buildImageTree(await client.listImages(), { showDangling: false, now: Date.now() });
      assert.equal(groups.find((x) => x.label === repo), undefined);
      // The original tag is untouched.
      assert.ok(groups.some((x) => x.label === 'slipway-test/busybox'));
    });

    it('rejects a bad tag with the engine\'s reason', async () => {
      await assert.rejects(client.tagImage(fixture.image!, 'Bad Name', 'x', fixture.image), /Could not tag image "slipway-test\/busybox:1": .*(invalid|format)/i);
    });

    it('shows dangling images only when asked, and prune reports the space reclaimed', async () => {
      // A dangling image: build on top of the base, then take its tag away.
      const tag = unique('slipway-test/dangling').toLowerCase();
      const cid = docker(daemon().env, 'run', '-d', fixture.image!, 'sh', '-c', 'dd if=/dev/zero of=/blob bs=1024 count=2048 2>/dev/null; sleep 1000');
      await waitFor('file written', () => docker(daemon().env, 'exec', cid, 'stat', '-c', '%s', '/blob') === '2097152');
      docker(daemon().env, 'commit', cid, `${tag}:1`);
      docker(daemon().env, 'rm', '-f', cid);
      const imageId = docker(daemon().env, 'image', 'inspect', '-f', '{{.Id}}', `${tag}:1`);
      docker(daemon().env, 'tag', fixture.image!, `${tag}:1`); // steals the tag: the committed image dangles
      cleanup.push(() => docker(daemon().env, 'rmi', `${tag}:1`));
      const hidden = buildImageTree(await client.listImages(), { showDangling: false, now: Date.now() });
      assert.ok(!hidden.some((g) => g.children.some((c) => c.id === imageId)));
      const shown = buildImageTree(await client.listImages(), { showDangling: true, now: Date.now() });
      const dangling = shown.at(-1)!;
      assert.equal(dangling.label, 'Dangling images');
      assert.ok(dangling.children.some((c) => c.id === imageId && c.contextValue.startsWith('image dangling')));
      const r = await client.pruneImages(false);
      assert.ok(r.deleted.some((d) => d === imageId), `deleted: ${r.deleted.join(', ')}`);
      assert.ok(r.spaceReclaimed >= 2_097_152, `reclaimed ${r.spaceReclaimed}`);
    });
  });

  describe('volumes', () => {
    it('creates, inspects, lists and removes a volume; labels keep quotes and unicode', async () => {
      const name = unique('vol');
      const v = await client.createVolume(name, { note: `it's "quoted" — ünïcode` });
      assert.equal(v.Name, name);
      assert.equal((await client.inspectVolume(name)).Labels?.note, `it's "quoted" — ünïcode`);
      const list = buildVolumeList(await client.listVolumes());
      assert.ok(list.some((n) => n.label === name && n.contextValue === 'volume'));
      await client.removeVolume(name);
      assert.ok(!buildVolumeList(await client.listVolumes()).some((n) => n.label === name));
    });

    it('gives the engine\'s reason for a name with spaces, and keeps a volume in use', async () => {
      await assert.rejects(client.createVolume('has space'), /Could not create volume "has space": .*(invalid|includes invalid characters)/i);
      const name = unique('inuse');
      const c = unique('user');
      docker(daemon().env, 'create', '--name', c, '-v', `${name}:/d`, fixture.image!, 'true');
      cleanup.push(() => docker(daemon().env, 'rm', '-f', c), () => docker(daemon().env, 'volume', 'rm', '-f', name));
      await assert.rejects(client.removeVolume(name), /Could not remove volume ".*": .*in use/i);
    });

    it('prunes unused anonymous volumes', async () => {
      const c = unique('anon');
      docker(daemon().env, 'create', '--name', c, '-v', '/anon', fixture.image!, 'true');
      const anon = JSON.parse(docker(daemon().env, 'inspect', c))[0].Mounts[0].Name as string;
      assert.ok(buildVolumeList(await client.listVolumes()).some((n) => n.id === anon && n.contextValue === 'volume anonymous'));
      docker(daemon().env, 'rm', c);
      const r = await client.pruneVolumes(false);
      assert.ok(r.deleted.includes(anon), `deleted: ${r.deleted.join(', ')}`);
    });
  });

  describe('networks', () => {
    it('marks built-in networks, creates, inspects, removes and prunes', async () => {
      let list = buildNetworkList(await client.listNetworks());
      for (const b of ['bridge', 'host', 'none']) assert.equal(list.find((n) => n.name === b)?.contextValue, 'network builtin');
      const name = unique('net');
      const id = await client.createNetwork(name);
      assert.equal((await client.inspectNetwork(id, name)).Name, name);
      list = buildNetworkList(await client.listNetworks());
      assert.equal(list.find((n) => n.name === name)?.contextValue, 'network');
      await client.removeNetwork(id, name);
      const extra = unique('unused');
      await client.createNetwork(extra);
      const r = await client.pruneNetworks();
      assert.ok(r.deleted.includes(extra));
      await assert.rejects(client.removeNetwork('bridge', 'bridge'), /Could not remove network "bridge": .*pre-defined/i);
    });
  });
});
