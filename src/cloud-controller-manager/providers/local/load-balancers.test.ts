// The local load balancer with real sockets on loopback: backends are HTTP/UDP servers standing
// in for NodePorts on 127.0.0.x addresses; hollow nodes' addresses refuse.

import assert from 'node:assert/strict';
import { createSocket, type Socket as UDPSocket } from 'node:dgram';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { realClock } from '../../../machinery/clock.ts';
import { cacheOf, loadBalancerService, node, quietLogger } from '../../testing.ts';
import type { EndpointSlice, Node, Service } from '../../types.ts';
import { AddressPool } from './address-pool.ts';
import { HealthChecker } from './health-checker.ts';
import { LocalLoadBalancers } from './load-balancers.ts';

function fetchText(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = get({ host, port, path: '/', agent: false, timeout: 3_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? String(err)));
  });
}

async function listen(server: Server, host: string, port = 0): Promise<number> {
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return (server.address() as AddressInfo).port;
}

describe('LocalLoadBalancers', () => {
  const servers: Server[] = [];
  let nodePort = 0;
  const nodes = [node('a', { ip: '127.0.0.11' }), node('b', { ip: '127.0.0.12' }), node('hollow', { ip: '127.0.0.13' })];
  const nodeCache = cacheOf<Node>(nodes);
  const sliceCache = cacheOf<EndpointSlice>([]);
  let lbs: LocalLoadBalancers;
  let health: HealthChecker;

  before(async () => {
    // The same free port on two addresses: node ports are the same number on every node.
    const first = createServer((_, res) => res.end('a'));
    nodePort = await listen(first, '127.0.0.11');
    const second = createServer((_, res) => res.end('b'));
    await listen(second, '127.0.0.12', nodePort);
    servers.push(first, second);
    const pool = new AddressPool(['127.200.1.0/29']);
    health = new HealthChecker({ clock: realClock, intervalMs: 60_000, timeoutMs: 500, targets: () => lbs.targets() });
    lbs = new LocalLoadBalancers({ pool, health, clock: realClock, log: quietLogger, nodes: () => nodeCache.lister, endpointSlices: () => sliceCache.lister });
  });
  after(async () => {
    await lbs.close();
    for (const s of servers) await new Promise((r) => s.close(r));
  });

  function service(name: string, extra: Partial<NonNullable<Service['spec']>> = {}): Service {
    const s = loadBalancerService(name);
    s.spec = { ...s.spec, ports: [{ name: 'http', protocol: 'TCP', port: 8080, nodePort }], ...extra };
    return s;
  }

  test('listens on a pool address and spreads connections over every healthy node, skipping refusing ones', async () => {
    const status = await lbs.ensureLoadBalancer('kubernetes', service('web'), nodes);
    assert.deepEqual(status, { ingress: [{ ip: '127.200.1.1', ipMode: 'Proxy' }] });
    const answers = new Set<string>();
    for (let i = 0; i < 6; i++) answers.add(await fetchText('127.200.1.1', 8080));
    assert.deepEqual([...answers].sort(), ['a', 'b'], 'the refusing hollow node is passed over');
    assert.equal(health.state({ ip: '127.0.0.13', port: nodePort }), 'down', 'a failed dial marks the backend down');
    await health.checkAll();
    assert.equal(health.state({ ip: '127.0.0.11', port: nodePort }), 'up');
    assert.equal(health.state({ ip: '127.0.0.13', port: nodePort }), 'down');
    assert.deepEqual((await lbs.getLoadBalancer('kubernetes', service('web'))).exists, true);
  });

  test('updateLoadBalancer changes the backends; a NotReady node gets no traffic', async () => {
    await lbs.updateLoadBalancer('kubernetes', service('web'), [nodes[0], nodes[1]]);
    nodeCache.indexer.update(node('b', { ip: '127.0.0.12', ready: 'False' }));
    for (let i = 0; i < 4; i++) assert.equal(await fetchText('127.200.1.1', 8080), 'a');
    nodeCache.indexer.update(nodes[1]);
  });

  test('externalTrafficPolicy Local sends traffic only to nodes with a ready local endpoint', async () => {
    const local = service('local', { externalTrafficPolicy: 'Local' });
    const status = await lbs.ensureLoadBalancer('kubernetes', local, nodes);
    const ip = status.ingress![0].ip!;
    assert.equal(ip, '127.200.1.2');
    sliceCache.indexer.add({
      metadata: { name: 'local-x', namespace: 'default', labels: { 'kubernetes.io/service-name': 'local' } },
      endpoints: [
        { addresses: ['10.0.0.1'], nodeName: 'b', conditions: { ready: true } },
        { addresses: ['10.0.0.2'], nodeName: 'a', conditions: { ready: false } },
      ],
    });
    for (let i = 0; i < 4; i++) assert.equal(await fetchText(ip, 8080), 'b');
    assert.equal(lbs.list().find((l) => l.service === 'default/local')!.ports[0].backends.filter((b) => b.eligible).length, 1);
  });

  test('loadBalancerSourceRanges are enforced', async () => {
    const status = await lbs.ensureLoadBalancer('kubernetes', service('ranged', { loadBalancerSourceRanges: ['10.0.0.0/8'] }), nodes);
    assert.equal(await fetchText(status.ingress![0].ip!, 8080), 'ECONNRESET');
    await lbs.ensureLoadBalancer('kubernetes', service('ranged', { loadBalancerSourceRanges: ['127.0.0.0/8'] }), nodes);
    assert.match(await fetchText(status.ingress![0].ip!, 8080), /^[ab]$/);
  });

  test('deleting frees the address and closes the listener; the address is handed out again', async () => {
    await lbs.ensureLoadBalancerDeleted('kubernetes', service('web'));
    assert.equal(await fetchText('127.200.1.1', 8080), 'ECONNREFUSED');
    assert.equal((await lbs.getLoadBalancer('kubernetes', service('web'))).exists, false);
    const again = await lbs.ensureLoadBalancer('kubernetes', service('next'), nodes);
    assert.equal(again.ingress![0].ip, '127.200.1.1');
  });

  test('a previously held address is kept; a requested loadBalancerIP must be free and in the pool', async () => {
    const held = service('held');
    held.status = { loadBalancer: { ingress: [{ ip: '127.200.1.5' }] } };
    assert.equal((await lbs.ensureLoadBalancer('kubernetes', held, nodes)).ingress![0].ip, '127.200.1.5');
    await assert.rejects(lbs.ensureLoadBalancer('kubernetes', service('greedy', { loadBalancerIP: '127.200.1.5' }), nodes), /not a free address/);
    await assert.rejects(lbs.ensureLoadBalancer('kubernetes', service('outside', { loadBalancerIP: '127.201.0.1' }), nodes), /not a free address/);
    assert.equal((await lbs.ensureLoadBalancer('kubernetes', service('chosen', { loadBalancerIP: '127.200.1.6' }), nodes)).ingress![0].ip, '127.200.1.6');
  });

  test('ports without a nodePort, or SCTP, are refused', async () => {
    await assert.rejects(lbs.ensureLoadBalancer('kubernetes', service('nonp', { ports: [{ port: 80, protocol: 'TCP' }] }), nodes), /has no nodePort/);
    await assert.rejects(lbs.ensureLoadBalancer('kubernetes', service('sctp', { ports: [{ port: 80, protocol: 'SCTP', nodePort: 30000 }] }), nodes), /SCTP/);
  });
});

test('UDP: datagrams go to a backend and replies come back from the load balancer address', async () => {
  const echo: UDPSocket = createSocket('udp4');
  await new Promise<void>((resolve) => echo.bind(0, '127.0.0.21', resolve));
  echo.on('message', (msg, rinfo) => echo.send(Buffer.concat([Buffer.from('echo:'), msg]), rinfo.port, rinfo.address));
  const port = echo.address().port;
  const health = new HealthChecker({ clock: realClock, intervalMs: 60_000, timeoutMs: 500, targets: () => [] });
  const lbs = new LocalLoadBalancers({ pool: new AddressPool(['127.200.2.1/32']), health, clock: realClock, log: quietLogger });
  const dns = loadBalancerService('dns');
  dns.spec!.ports = [{ name: 'dns', protocol: 'UDP', port: 5353, nodePort: port }];
  const status = await lbs.ensureLoadBalancer('kubernetes', dns, [node('a', { ip: '127.0.0.21' })]);
  const client = createSocket('udp4');
  try {
    const reply = new Promise<{ text: string; from: string }>((resolve) => client.once('message', (m, r) => resolve({ text: m.toString(), from: `${r.address}:${r.port}` })));
    client.send('hi', 5353, status.ingress![0].ip!);
    assert.deepEqual(await reply, { text: 'echo:hi', from: '127.200.2.1:5353' });
  } finally {
    client.close();
    await lbs.close();
    echo.close();
  }
});

test('an address whose port another program holds is passed over, unless it was asked for', async () => {
  const squatter = createServer();
  await listen(squatter, '127.200.4.1', 8080);
  const health = new HealthChecker({ clock: realClock, intervalMs: 60_000, timeoutMs: 500, targets: () => [] });
  const lbs = new LocalLoadBalancers({ pool: new AddressPool(['127.200.4.0/29']), health, clock: realClock, log: quietLogger });
  const web = loadBalancerService('web');
  web.spec!.ports = [{ name: 'http', protocol: 'TCP', port: 8080, nodePort: 30080 }];
  try {
    assert.equal((await lbs.ensureLoadBalancer('kubernetes', web, [])).ingress![0].ip, '127.200.4.2');
    const pinned = structuredClone(web);
    pinned.metadata.uid = 'pinned';
    pinned.spec!.loadBalancerIP = '127.200.4.1';
    await assert.rejects(lbs.ensureLoadBalancer('kubernetes', pinned, []), /127\.200\.4\.1:8080 is already in use/);
    assert.deepEqual(lbs.list().map((l) => l.address), ['127.200.4.2']);
  } finally {
    await lbs.close();
    await new Promise((r) => squatter.close(r));
  }
});
