import assert from 'node:assert/strict';
import { buildContainerTree, containerNode, containerState, formatPort, portUrl, publishedPorts, type ContainerGroupNode, type ContainerNode } from '../../../src/models/containers';
import { type ContainerSummary } from '../../../src/engine/resources';

function c(over: Partial<ContainerSummary> & { name: string }): ContainerSummary {
  return {
    Id: `${over.name}-id`.padEnd(64, '0'),
    Names: [`/${over.name}`],
    Image: 'nginx:1.27',
    Created: 1000,
    State: 'running',
    Status: 'Up 2 minutes',
    Ports: [],
    Labels: {},
    ...over,
  };
}

describe('containers model', () => {
  const states: [string, string, string, string][] = [
    ['running', 'Up 2 minutes', 'running', 'vm-running'],
    ['running', 'Up 2 minutes (healthy)', 'healthy', 'vm-running'],
    ['running', 'Up 5 seconds (health: starting)', 'starting', 'vm-running'],
    ['running', 'Up 9 minutes (unhealthy)', 'unhealthy', 'warning'],
    ['paused', 'Up 2 minutes (Paused)', 'paused', 'debug-pause'],
    ['restarting', 'Restarting (1) 3 seconds ago', 'restarting', 'sync'],
    ['exited', 'Exited (0) 1 hour ago', 'exited', 'vm-outline'],
    ['created', 'Created', 'created', 'vm-outline'],
    ['dead', 'Dead', 'dead', 'error'],
    ['weird-new-state', '', 'exited', 'vm-outline'],
  ];
  for (const [State, Status, want, icon] of states) {
    it(`state ${State} / "${Status}" → ${want} with icon ${icon}`, () => {
      const s = containerState({ State, Status });
      assert.equal(s, want);
      assert.equal(containerNode(c({ name: 'x', State, Status })).icon.id, icon);
    });
  }

  it('folds IPv4/IPv6 duplicates of a published port and sorts by host port', () => {
    const ports = publishedPorts({
      Ports: [
        { IP: '::', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
        { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
        { IP: '127.0.0.1', PrivatePort: 53, PublicPort: 5353, Type: 'udp' },
        { PrivatePort: 9000, Type: 'tcp' },
      ],
    });
    assert.deepEqual(ports.map(formatPort), ['127.0.0.1:5353→53/udp', '8080→80']);
    assert.equal(ports[0].hostIp, '127.0.0.1');
    assert.equal(ports[1].hostIp, '0.0.0.0');
    assert.equal(portUrl(ports[1]), 'http://localhost:8080/');
    assert.equal(formatPort({ hostIp: '127.0.0.1', hostPort: 1, containerPort: 2, protocol: 'tcp' }), '127.0.0.1:1→2');
    assert.equal(portUrl({ hostIp: '::1', hostPort: 8443, containerPort: 443, protocol: 'tcp' }), 'https://[::1]:8443/');
  });

  it('describes a container with image, status and ports, and a tooltip with ports and mounts', () => {
    const n = containerNode(
      c({
        name: 'web',
        Ports: [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }],
        Mounts: [
          { Type: 'bind', Source: '/home/me/src', Destination: '/src', RW: true },
          { Type: 'volume', Name: 'data', Source: '/var/lib/docker/volumes/data/_data', Destination: '/data', RW: false },
        ],
        Labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'web' },
      }),
    );
    assert.equal(n.label, 'web');
    assert.equal(n.description, 'nginx:1.27 · Up 2 minutes · 8080→80');
    assert.equal(n.contextValue, 'container running running ports compose');
    assert.match(n.tooltip, /Compose: shop \/ web/);
    assert.match(n.tooltip, /Ports:\n {2}0\.0\.0\.0:8080 → 80\/tcp/);
    assert.match(n.tooltip, /Mounts:\n {2}\/home\/me\/src → \/src\n {2}data → \/data \(read-only\)/);
  });

  it('shows an image given by id as a short id, and a container without a name by its short id', () => {
    const n = containerNode(c({ name: 'x', Image: 'sha256:0123456789abcdef0123', Names: [] }));
    assert.equal(n.name, 'x-id000000000'.slice(0, 12));
    assert.ok(n.description.startsWith('0123456789ab ·'));
  });

  it('groups by compose project (sorted), individual containers last', () => {
    const list = [
      c({ name: 'solo' }),
      c({ name: 'b-db', Labels: { 'com.docker.compose.project': 'zeta' }, State: 'exited', Status: 'Exited (0)' }),
      c({ name: 'a-web', Labels: { 'com.docker.compose.project': 'zeta' } }),
      c({ name: 'x', Labels: { 'com.docker.compose.project': 'alpha' } }),
      c({ name: 'naïve "quoted"', Labels: null }),
    ];
    const tree = buildContainerTree(list, { groupBy: 'composeProject', sortBy: 'name' }) as ContainerGroupNode[];
    assert.deepEqual(tree.map((g) => g.label), ['alpha', 'zeta', 'Individual containers']);
    assert.deepEqual(tree[1].children.map((x) => x.name), ['a-web', 'b-db']);
    assert.equal(tree[1].description, '1/2 running');
    assert.equal(tree[1].contextValue, 'composeProject running');
    assert.deepEqual(tree[2].children.map((x) => x.name), ['naïve "quoted"', 'solo']);
    assert.equal(tree[2].id, 'individual');
  });

  it('sorts by status (problems first) or by creation (newest first), or lists flat', () => {
    const list = [
      c({ name: 'a', State: 'exited', Status: 'Exited (1)', Created: 3 }),
      c({ name: 'b', Status: 'Up (unhealthy)', Created: 1 }),
      c({ name: 'c', Created: 2 }),
    ];
    const flat = (sortBy: 'status' | 'created') => (buildContainerTree(list, { groupBy: 'none', sortBy }) as ContainerNode[]).map((n) => n.name);
    assert.deepEqual(flat('status'), ['b', 'c', 'a']);
    assert.deepEqual(flat('created'), ['a', 'c', 'b']);
  });

  it('has no groups for an empty engine', () => {
    assert.deepEqual(buildContainerTree([], { groupBy: 'composeProject', sortBy: 'name' }), []);
  });
});
