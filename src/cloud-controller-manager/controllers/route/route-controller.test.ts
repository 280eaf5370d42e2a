import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../../machinery/fake-clock.ts';
import { cidrContains } from '../../cidr.ts';
import { FakeClient, FakeCloud, FakeRecorder, cacheOf, node, quietLogger } from '../../testing.ts';
import type { Node } from '../../types.ts';
import { RouteController } from './route-controller.ts';

test('one route per podCIDR: missing ones created, stale and blackholed ones deleted, NetworkUnavailable set', async () => {
  const fake = new FakeClient();
  const cloud = new FakeCloud();
  cloud.routeTable.push(
    { name: 'keep', targetNode: 'n1', destinationCIDR: '10.244.1.0/24' },
    { name: 'stale', targetNode: 'gone', destinationCIDR: '10.244.9.0/24' },
    { name: 'hole', targetNode: 'n2', destinationCIDR: '10.244.2.0/24', blackhole: true },
    { name: 'foreign', targetNode: 'other', destinationCIDR: '192.168.0.0/24' },
  );
  const nodes = cacheOf([node('n1', { podCIDRs: ['10.244.1.0/24'] }), node('n2', { podCIDRs: ['10.244.2.0/24'] }), node('n3')]);
  const c = new RouteController({ client: fake.client, nodes, routes: cloud.routeOps, clusterName: 'kubernetes', clusterCIDRs: ['10.244.0.0/16'], recorder: new FakeRecorder(), clock: new FakeClock(), log: quietLogger });
  await c.reconcileNodeRoutes();
  assert.deepEqual(cloud.routeTable.map((r) => `${r.targetNode} ${r.destinationCIDR}`).sort(), ['n1 10.244.1.0/24', 'n2 10.244.2.0/24', 'other 192.168.0.0/24']);
  const conditions = Object.fromEntries(fake.callsOf('update', 'nodes').map((u) => [u.ref.name, (u.body as Node).status!.conditions!.find((x) => x.type === 'NetworkUnavailable')]));
  assert.deepEqual(Object.keys(conditions).sort(), ['n1', 'n2']);
  assert.equal(conditions.n1!.status, 'False');
  assert.equal(conditions.n1!.reason, 'RouteCreated');
});

test('a route the cloud refuses: FailedToCreateRoute, NetworkUnavailable True, and a retry', async () => {
  const fake = new FakeClient();
  const cloud = new FakeCloud();
  cloud.routeOps.createRoute = async () => {
    throw new Error('route table full');
  };
  const recorder = new FakeRecorder();
  const c = new RouteController({ client: fake.client, nodes: cacheOf([node('n1', { podCIDRs: ['10.244.1.0/24'] })]), routes: cloud.routeOps, clusterName: 'kubernetes', recorder, clock: new FakeClock(), log: quietLogger });
  await assert.rejects(c.reconcileNodeRoutes(), /1 route operations failed/);
  assert.equal(recorder.events[0].reason, 'FailedToCreateRoute');
  const cond = (fake.callsOf('update', 'nodes')[0].body as Node).status!.conditions!.find((x) => x.type === 'NetworkUnavailable')!;
  assert.deepEqual([cond.status, cond.reason], ['True', 'NoRouteCreated']);
});

test('cidrContains for IPv4 and IPv6', () => {
  assert.equal(cidrContains('10.244.0.0/16', '10.244.3.0/24'), true);
  assert.equal(cidrContains('10.244.0.0/16', '10.245.0.0/24'), false);
  assert.equal(cidrContains('10.244.0.0/16', '10.0.0.0/8'), false);
  assert.equal(cidrContains('127.0.0.0/8', '127.0.0.1'), true);
  assert.equal(cidrContains('fd00::/8', 'fd00:1::/64'), true);
  assert.equal(cidrContains('fd00::/8', 'fe80::/64'), false);
  assert.equal(cidrContains('::ffff:0:0/96', '::ffff:10.0.0.1'), true);
  assert.equal(cidrContains('10.0.0.0/8', 'fd00::/64'), false);
  assert.equal(cidrContains('nonsense', '10.0.0.0/8'), false);
});
