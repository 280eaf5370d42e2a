import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../../machinery/fake-clock.ts';
import { FakeClient, FakeCloud, FakeRecorder, cacheOf, node, quietLogger } from '../../testing.ts';
import type { Node } from '../../types.ts';
import { CloudNodeLifecycleController } from './cloud-node-lifecycle-controller.ts';

const shutdown = { key: 'node.cloudprovider.kubernetes.io/shutdown', effect: 'NoSchedule' };

test('a NotReady node whose instance is gone is deleted; a shut-down one is tainted; a Ready one loses the taint', async () => {
  const fake = new FakeClient();
  const cloud = new FakeCloud();
  const recorder = new FakeRecorder();
  cloud.addInstance('stopped');
  cloud.instances_.get('stopped')!.shutdown = true;
  cloud.addInstance('healthy');
  cloud.addInstance('back');
  cloud.addInstance('unknown-but-there');
  const nodes = cacheOf([
    node('gone', { ready: 'Unknown' }),
    node('stopped', { ready: 'False' }),
    node('healthy'),
    node('back', { taints: [shutdown] }),
    node('unknown-but-there', { ready: 'Unknown' }),
  ]);
  const c = new CloudNodeLifecycleController({ client: fake.client, nodes, instances: cloud.v2, recorder, clock: new FakeClock(), log: quietLogger });
  await c.monitorNodes();
  const deletes = fake.callsOf('delete', 'nodes');
  assert.deepEqual(deletes.map((d) => d.ref.name), ['gone']);
  assert.deepEqual(deletes[0].options, { preconditions: { uid: 'uid-gone' } });
  assert.deepEqual(recorder.events, [{ object: 'Node/gone', type: 'Normal', reason: 'DeletingNode', message: 'Deleting node gone because it does not exist in the cloud provider' }]);
  const updates = Object.fromEntries(fake.callsOf('update', 'nodes').map((u) => [u.ref.name, (u.body as Node).spec?.taints]));
  assert.deepEqual(updates, { stopped: [shutdown], back: undefined });
});

test('a cloud error about one node leaves the others looked at', async () => {
  const fake = new FakeClient();
  const cloud = new FakeCloud();
  cloud.v2.instanceExists = async (n) => {
    if (n.metadata.name === 'a') throw new Error('cloud down');
    return false;
  };
  const c = new CloudNodeLifecycleController({ client: fake.client, nodes: cacheOf([node('a', { ready: 'False' }), node('b', { ready: 'False' })]), instances: cloud.v2, recorder: new FakeRecorder(), clock: new FakeClock(), log: quietLogger });
  await c.monitorNodes();
  assert.deepEqual(fake.callsOf('delete').map((d) => d.ref.name), ['b']);
});
