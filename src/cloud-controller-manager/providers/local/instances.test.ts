import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { realClock } from '../../../machinery/clock.ts';
import { quietLogger, node } from '../../testing.ts';
import type { Node } from '../../types.ts';
import { AddressPool } from './address-pool.ts';
import { createCloudAPI } from './cloud-api.ts';
import { HealthChecker } from './health-checker.ts';
import { LocalInstances } from './instances.ts';
import { LocalLoadBalancers } from './load-balancers.ts';

const instancesOf = () => new LocalInstances({ clock: realClock, instanceType: 'k8ts.local', zone: 'local-a', region: 'local', probeTimeoutMs: 500 });

function withKubelet(n: Node, port: number): Node {
  return { ...n, status: { ...n.status, daemonEndpoints: { kubeletEndpoint: { Port: port } } } };
}

test('a registered node is a running instance with its reported addresses, zone, region and type', async () => {
  const instances = instancesOf();
  const n = node('n1', { ip: '127.0.0.5' });
  assert.equal(await instances.instanceExists(n), true);
  assert.deepEqual(await instances.instanceMetadata(n), {
    providerID: 'local://n1',
    instanceType: 'k8ts.local',
    nodeAddresses: n.status!.addresses,
    zone: 'local-a',
    region: 'local',
  });
  assert.equal(await instances.instanceShutdown(n), false, 'no kubelet endpoint: taken as up');
});

test('liveness: an instance whose kubelet endpoint refuses is shut down; a stopped one too; a removed one does not exist', async () => {
  const kubelet = createServer();
  await new Promise<void>((r) => kubelet.listen(0, '127.0.0.31', r));
  const port = (kubelet.address() as AddressInfo).port;
  const instances = instancesOf();
  const n = withKubelet(node('n1', { ip: '127.0.0.31' }), port);
  assert.equal(await instances.instanceShutdown(n), false);
  await new Promise((r) => kubelet.close(r));
  assert.equal(await instances.instanceShutdown(n), true, 'the kubelet endpoint refuses');

  const m = node('m');
  instances.observe(m);
  assert.equal(instances.setState('m', 'stopped'), true);
  assert.equal(await instances.instanceShutdown(m), true);
  assert.equal(instances.setState('m', 'terminated'), true);
  assert.equal(await instances.instanceExists(m), false);
  assert.equal(await instances.instanceShutdown(m), false);
  await assert.rejects(instances.instanceMetadata(m), /was removed/);
  assert.equal(instances.setState('m', 'running'), false, 'a removed instance cannot be started');
  assert.equal(await instances.instanceExists(node('m', { uid: 'a-new-uid' })), true, 'a node registering again with a new uid is a new machine');
});

function call(url: string, method: string, path: string): Promise<{ code: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('the cloud API lists, stops, starts and removes instances', async () => {
  const instances = instancesOf();
  instances.observe(node('n1'));
  instances.observe(node('n2'));
  const health = new HealthChecker({ clock: realClock, intervalMs: 60_000, timeoutMs: 100, targets: () => [] });
  const loadBalancers = new LocalLoadBalancers({ pool: new AddressPool(['127.200.3.0/30']), health, clock: realClock, log: quietLogger });
  const api = createCloudAPI({ address: '127.0.0.1', port: 0, instances, loadBalancers });
  await api.start();
  try {
    const list = await call(api.url, 'GET', '/instances');
    assert.deepEqual(list.body.items.map((i: { name: string; state: string }) => `${i.name}=${i.state}`), ['n1=running', 'n2=running']);
    assert.equal((await call(api.url, 'POST', '/instances/n1/stop')).body.state, 'stopped');
    assert.equal((await call(api.url, 'POST', '/instances/n1/start')).body.state, 'running');
    assert.equal((await call(api.url, 'DELETE', '/instances/n2')).body.state, 'terminated');
    assert.equal(await instances.instanceExists(node('n2')), false);
    assert.equal((await call(api.url, 'POST', '/instances/n2/start')).code, 409);
    assert.equal((await call(api.url, 'GET', '/instances/nope')).code, 404);
    assert.equal((await call(api.url, 'PUT', '/instances')).code, 405);
    assert.deepEqual((await call(api.url, 'GET', '/loadbalancers')).body, { items: [] });
  } finally {
    await api.close();
  }
});
