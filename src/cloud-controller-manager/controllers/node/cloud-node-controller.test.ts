import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../../../machinery/fake-clock.ts';
import { FakeClient, FakeCloud, FakeRecorder, cacheOf, node, quietLogger } from '../../testing.ts';
import type { Node } from '../../types.ts';
import { addressesToWrite, CloudNodeController, labelsToReconcile } from './cloud-node-controller.ts';

const uninitialized = { key: 'node.cloudprovider.kubernetes.io/uninitialized', value: 'true', effect: 'NoSchedule' };

function setup(nodes: Node[]) {
  const fake = new FakeClient();
  const cloud = new FakeCloud();
  const recorder = new FakeRecorder();
  const c = new CloudNodeController({ client: fake.client, nodes: cacheOf(nodes), instances: cloud.v2, recorder, clock: new FakeClock(), log: quietLogger });
  return { fake, cloud, recorder, c };
}

describe('CloudNodeController', () => {
  test('initializes a tainted node: providerID, instance type, zone and region labels, taint removed, addresses, Synced', async () => {
    const { fake, cloud, recorder, c } = setup([node('n1', { taints: [uninitialized, { key: 'dedicated', effect: 'NoSchedule' }] })]);
    cloud.addInstance('n1', { instanceType: 'k8ts.local', zone: 'local-a', region: 'local', nodeAddresses: [{ type: 'InternalIP', address: '127.0.0.9' }], additionalLabels: { 'example.com/rack': 'r1', 'node.kubernetes.io/x': 'no' } });
    await c.syncNode('n1');
    const [spec, status] = fake.callsOf('update', 'nodes');
    const updated = spec.body as Node;
    assert.equal(spec.ref.subresource, undefined);
    assert.equal(updated.spec!.providerID, 'fake://n1');
    assert.deepEqual(updated.spec!.taints, [{ key: 'dedicated', effect: 'NoSchedule' }]);
    assert.equal(updated.metadata.labels!['node.kubernetes.io/instance-type'], 'k8ts.local');
    assert.equal(updated.metadata.labels!['beta.kubernetes.io/instance-type'], 'k8ts.local');
    assert.equal(updated.metadata.labels!['topology.kubernetes.io/zone'], 'local-a');
    assert.equal(updated.metadata.labels!['failure-domain.beta.kubernetes.io/region'], 'local');
    assert.equal(updated.metadata.labels!['example.com/rack'], 'r1');
    assert.equal(updated.metadata.labels!['node.kubernetes.io/x'], undefined, 'labels in a kubernetes namespace are dropped');
    assert.equal(updated.metadata.resourceVersion, '1', 'the update carries the cached resourceVersion');
    assert.equal(status.ref.subresource, 'status');
    assert.deepEqual((status.body as Node).status!.addresses, [
      { type: 'InternalIP', address: '127.0.0.9' },
      { type: 'Hostname', address: 'n1' },
    ]);
    assert.deepEqual(recorder.reasons(), ['Synced']);
  });

  test('keeps the taint when the cloud does not know the instance (the error requeues)', async () => {
    const { fake, c } = setup([node('n1', { taints: [uninitialized] })]);
    await assert.rejects(c.syncNode('n1'), /instance not found/);
    assert.equal(fake.calls.length, 0);
  });

  test('an initialized node only gets its GA labels reconciled from the beta ones', async () => {
    const { fake, c } = setup([node('n1', { labels: { 'failure-domain.beta.kubernetes.io/zone': 'z1', 'topology.kubernetes.io/zone': 'old' } })]);
    await c.syncNode('n1');
    const [update] = fake.callsOf('update', 'nodes');
    assert.equal((update.body as Node).metadata.labels!['topology.kubernetes.io/zone'], 'z1');
  });

  test('updateNodeStatus refreshes the addresses of initialized nodes and skips tainted ones', async () => {
    const { fake, cloud, c } = setup([node('n1'), node('n2', { taints: [uninitialized] })]);
    cloud.addInstance('n1', { nodeAddresses: [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'ExternalIP', address: '203.0.113.1' }] });
    cloud.addInstance('n2', { nodeAddresses: [{ type: 'InternalIP', address: '10.0.0.2' }] });
    await c.updateNodeStatus();
    const updates = fake.callsOf('update', 'nodes');
    assert.equal(updates.length, 1);
    assert.equal(updates[0].ref.name, 'n1');
    assert.deepEqual((updates[0].body as Node).status!.addresses!.map((a) => a.address), ['10.0.0.1', '203.0.113.1', 'n1']);
  });
});

test('addressesToWrite compares by type and keeps the Hostname', () => {
  const current = [
    { type: 'Hostname', address: 'n1' },
    { type: 'InternalIP', address: '127.0.0.1' },
  ];
  assert.equal(addressesToWrite(current, [{ type: 'InternalIP', address: '127.0.0.1' }]), undefined);
  assert.equal(addressesToWrite(current, []), undefined);
  assert.deepEqual(addressesToWrite(current, [{ type: 'InternalIP', address: '127.0.0.2' }]), [
    { type: 'InternalIP', address: '127.0.0.2' },
    { type: 'Hostname', address: 'n1' },
  ]);
});

test('labelsToReconcile sets each GA label from its beta twin', () => {
  assert.equal(labelsToReconcile({ a: 'b' }), undefined);
  assert.deepEqual(labelsToReconcile({ 'beta.kubernetes.io/instance-type': 't', 'failure-domain.beta.kubernetes.io/region': 'r', 'topology.kubernetes.io/region': 'r' }), {
    'node.kubernetes.io/instance-type': 't',
  });
});
