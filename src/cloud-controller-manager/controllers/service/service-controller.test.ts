import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StatusError } from '../../../machinery/status.ts';
import { FakeClock } from '../../../machinery/fake-clock.ts';
import { FakeClient, FakeCloud, FakeRecorder, cacheOf, loadBalancerService, node, quietLogger } from '../../testing.ts';
import type { Node, Service } from '../../types.ts';
import { isLoadBalancerBackend, loadBalancerStatusEqual, needsUpdate } from './predicates.ts';
import { ServiceController } from './service-controller.ts';

const finalizer = 'service.kubernetes.io/load-balancer-cleanup';

function setup(services: Service[], nodes: Node[] = [node('n1'), node('n2')]) {
  const fake = new FakeClient();
  const cloud = new FakeCloud();
  const recorder = new FakeRecorder();
  const serviceCache = cacheOf(services);
  const nodeCache = cacheOf(nodes);
  const c = new ServiceController({ client: fake.client, services: serviceCache, nodes: nodeCache, balancer: cloud.lb, clusterName: 'kubernetes', recorder, clock: new FakeClock(), log: quietLogger });
  return { fake, cloud, recorder, c, serviceCache, nodeCache };
}

describe('ServiceController', () => {
  test('a LoadBalancer Service gets the finalizer, a load balancer on every node, its status and the events', async () => {
    const { fake, cloud, recorder, c } = setup([loadBalancerService('web')]);
    await c.syncService('default/web');
    const [withFinalizer, status] = fake.callsOf('update', 'services');
    assert.deepEqual((withFinalizer.body as Service).metadata.finalizers, [finalizer]);
    assert.equal(withFinalizer.ref.subresource, undefined);
    assert.equal(status.ref.subresource, 'status');
    assert.deepEqual((status.body as Service).status!.loadBalancer, { ingress: [{ ip: '192.0.2.1' }] });
    assert.notEqual((status.body as Service).metadata.resourceVersion, '1', 'the status write follows the finalizer write');
    assert.deepEqual([...cloud.balancers.values()][0].nodes, ['n1', 'n2']);
    assert.deepEqual(recorder.reasons(), ['EnsuringLoadBalancer', 'EnsuredLoadBalancer']);
  });

  test('an up-to-date Service writes nothing', async () => {
    const { fake, cloud, c } = setup([loadBalancerService('web', { finalizers: [finalizer], status: { ingress: [{ ip: '192.0.2.1' }] } })]);
    await c.syncService('default/web');
    assert.equal(fake.calls.length, 0);
    assert.deepEqual(cloud.log, ['ensure web']);
  });

  test('a deleted Service: load balancer deleted, then the finalizer removed', async () => {
    const { fake, cloud, recorder, c } = setup([loadBalancerService('web', { finalizers: [finalizer], deleting: true, status: { ingress: [{ ip: '192.0.2.1' }] } })]);
    cloud.balancers.set('a0000web', { nodes: [], status: {} });
    await c.syncService('default/web');
    assert.deepEqual(cloud.log, ['delete web']);
    const updates = fake.callsOf('update', 'services');
    assert.equal(updates.length, 1, 'no status write for a Service that is going');
    assert.deepEqual((updates[0].body as Service).metadata.finalizers, []);
    assert.deepEqual(recorder.reasons(), ['DeletingLoadBalancer', 'DeletedLoadBalancer']);
  });

  test('a Service changed to ClusterIP loses its load balancer, finalizer and ingress', async () => {
    const { fake, cloud, c } = setup([loadBalancerService('web', { type: 'ClusterIP', finalizers: [finalizer], status: { ingress: [{ ip: '192.0.2.1' }] } })]);
    cloud.balancers.set('a0000web', { nodes: [], status: {} });
    await c.syncService('default/web');
    assert.equal(cloud.balancers.size, 0);
    const [finalizerWrite, status] = fake.callsOf('update', 'services');
    assert.deepEqual((finalizerWrite.body as Service).metadata.finalizers, []);
    assert.deepEqual((status.body as Service).status!.loadBalancer, {});
  });

  test('a cloud failure records SyncLoadBalancerFailed and rejects (the worker requeues with back-off)', async () => {
    const { cloud, recorder, c } = setup([loadBalancerService('web')]);
    cloud.failLoadBalancer = new Error('quota exceeded');
    await assert.rejects(c.syncService('default/web'), /failed to ensure load balancer: quota exceeded/);
    assert.deepEqual(recorder.events.at(-1), { object: 'Service/web', type: 'Warning', reason: 'SyncLoadBalancerFailed', message: 'Error syncing load balancer: failed to ensure load balancer: quota exceeded' });
  });

  test('a conflict writing the finalizer rejects before the cloud is touched', async () => {
    const { fake, cloud, c } = setup([loadBalancerService('web')]);
    fake.fail = (call) => (call.verb === 'update' ? new StatusError(409, 'Conflict', 'the object has been modified') : undefined);
    await assert.rejects(c.syncService('default/web'));
    assert.deepEqual(cloud.log, []);
  });

  test('node changes update the hosts of every load balancer; excluded nodes are left out', async () => {
    const { cloud, recorder, c, nodeCache } = setup([loadBalancerService('web')]);
    await c.syncService('default/web');
    nodeCache.indexer.add(node('n3'));
    nodeCache.indexer.update(node('n2', { labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': 'true' } }));
    await c.syncNodes();
    assert.deepEqual(cloud.log.at(-1), 'update web n1,n3');
    assert.equal(recorder.reasons().at(-1), 'UpdatedLoadBalancer');
    await c.syncNodes();
    assert.equal(cloud.log.filter((l) => l.startsWith('update')).length, 1, 'an unchanged node set updates nothing');
  });

  test('a Service that vanished without our finalizer being honoured still loses its load balancer', async () => {
    const { cloud, c, serviceCache } = setup([loadBalancerService('web')]);
    await c.syncService('default/web');
    serviceCache.indexer.delete(serviceCache.lister.namespace('default').get('web')!);
    await c.syncService('default/web');
    assert.equal(cloud.balancers.size, 0);
  });
});

test('needsUpdate follows what the cloud load balancer depends on', () => {
  const a = loadBalancerService('web');
  const b = structuredClone(a);
  b.status = { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } };
  assert.equal(needsUpdate(a, b), false, 'status only');
  b.spec!.externalTrafficPolicy = 'Local';
  assert.equal(needsUpdate(a, b), true);
  const c = structuredClone(a);
  c.spec!.ports![0].nodePort = 30081;
  assert.equal(needsUpdate(a, c), true);
  const d = structuredClone(a);
  d.spec!.type = 'ClusterIP';
  assert.equal(needsUpdate(a, d), true);
  assert.equal(needsUpdate(d, d), false);
});

test('isLoadBalancerBackend: exclusion label (unless false), autoscaler taint, deletion', () => {
  assert.equal(isLoadBalancerBackend(node('a')), true);
  assert.equal(isLoadBalancerBackend(node('a', { ready: 'False' })), true, 'readiness is the load balancer health check’s business');
  assert.equal(isLoadBalancerBackend(node('a', { labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': '' } })), false);
  assert.equal(isLoadBalancerBackend(node('a', { labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': 'false' } })), true);
  assert.equal(isLoadBalancerBackend(node('a', { taints: [{ key: 'ToBeDeletedByClusterAutoscaler', effect: 'NoSchedule' }] })), false);
});

test('loadBalancerStatusEqual: an IP without ipMode is a VIP', () => {
  assert.equal(loadBalancerStatusEqual({ ingress: [{ ip: '1.2.3.4' }] }, { ingress: [{ ip: '1.2.3.4', ipMode: 'VIP' }] }), true);
  assert.equal(loadBalancerStatusEqual({ ingress: [{ ip: '1.2.3.4' }] }, { ingress: [{ ip: '1.2.3.4', ipMode: 'Proxy' }] }), false);
  assert.equal(loadBalancerStatusEqual(undefined, {}), true);
});
