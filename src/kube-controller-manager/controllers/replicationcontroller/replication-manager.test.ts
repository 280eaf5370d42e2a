import assert from 'node:assert/strict';
import { test } from 'node:test';
import { until } from '../../../../test/support/until.ts';
import { FakeClock } from '../../../machinery/fake-clock.ts';
import { fakeSource, FakeClient, FakeRecorder, quietLogger } from '../../testing.ts';
import type { Pod } from '../../types.ts';
import type { ReplicationController } from './conversion.ts';
import { ReplicationManager } from './replication-manager.ts';

const clock = new FakeClock(Date.UTC(2025, 0, 1, 12));
const iso = (msAgo: number) => new Date(clock.now() - msAgo).toISOString();
const rcOwner = { apiVersion: 'v1', kind: 'ReplicationController', name: 'web', uid: 'rc-uid', controller: true, blockOwnerDeletion: true };

function rc(replicas: number): ReplicationController {
  return {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name: 'web', namespace: 'ns', uid: 'rc-uid', generation: 3, resourceVersion: '7' },
    spec: { replicas, selector: { app: 'web' }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
    status: { replicas: 0 },
  };
}

function pod(name: string, owner: Pod['metadata']['ownerReferences'] | undefined, labels = { app: 'web' }): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: `${name}-uid`, resourceVersion: '1', creationTimestamp: iso(60_000), labels, ownerReferences: owner },
    spec: { nodeName: 'n1' },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: iso(60_000) }] },
  };
}

async function running(controller: ReplicationController, pods: Pod[], body: (fake: FakeClient, recorder: FakeRecorder) => Promise<void>) {
  const fake = new FakeClient();
  fake.getResult = () => controller;
  const recorder = new FakeRecorder();
  const rcs = fakeSource([controller]);
  const podSource = fakeSource(pods);
  const manager = new ReplicationManager({ client: fake.client, replicationControllers: rcs.informer, pods: podSource.informer, recorder, clock, log: quietLogger, workers: 1 });
  const abort = new AbortController();
  rcs.informer.start(abort.signal);
  podSource.informer.start(abort.signal);
  const run = manager.run(abort.signal);
  try {
    await body(fake, recorder);
  } finally {
    abort.abort();
    await run;
    await Promise.all([rcs.informer.stop(), podSource.informer.stop()]);
  }
}

test('creates the missing pods with a ReplicationController reference and records it on the ReplicationController', async () => {
  await running(rc(3), [], async (fake, recorder) => {
    await until('3 creates and a status write', async () => fake.callsOf('create', 'pods').length === 3 && fake.callsOf('update', 'replicationcontrollers').length > 0);
    for (const call of fake.callsOf('create', 'pods')) {
      const body = call.body as Pod;
      assert.equal(body.metadata.generateName, 'web-');
      assert.deepEqual(body.metadata.labels, { app: 'web' });
      assert.deepEqual(body.metadata.ownerReferences, [rcOwner]);
    }
    const status = fake.callsOf('update', 'replicationcontrollers')[0];
    assert.equal(status.ref.subresource, 'status');
    const written = status.body as ReplicationController;
    assert.equal(written.kind, 'ReplicationController');
    assert.equal(written.apiVersion, 'v1');
    assert.deepEqual(written.spec.selector, { app: 'web' }, 'the map selector, not a LabelSelector');
    assert.deepEqual(written.status, { replicas: 0, observedGeneration: 3 });
    assert.equal(fake.callsOf('update', 'replicasets').length, 0);
    assert.deepEqual(recorder.events.map((e) => [e.object, e.reason]), [
      ['ReplicationController/web', 'SuccessfulCreate'],
      ['ReplicationController/web', 'SuccessfulCreate'],
      ['ReplicationController/web', 'SuccessfulCreate'],
    ]);
  });
});

test('adopts matching orphans as a ReplicationController and deletes the pods it has too many of', async () => {
  const pods = [pod('a', [rcOwner]), pod('b', [rcOwner]), pod('orphan', undefined)];
  await running(rc(1), pods, async (fake) => {
    await until('2 deletes', async () => fake.callsOf('delete', 'pods').length === 2);
    const adopt = fake.callsOf('patch', 'pods').find((c) => c.ref.name === 'orphan');
    assert.deepEqual(adopt?.body, { metadata: { ownerReferences: [rcOwner], uid: 'orphan-uid' } });
    assert.deepEqual(fake.callsOf('get').map((c) => c.ref.resource), ['replicationcontrollers'], 'adoption rechecks the ReplicationController');
  });
});

test('pods controlled by a ReplicaSet of the same name are not the ReplicationController’s', async () => {
  const rsOwned = pod('x', [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true }]);
  await running(rc(1), [rsOwned], async (fake) => {
    await until('a create', async () => fake.callsOf('create', 'pods').length === 1);
    assert.equal(fake.callsOf('patch', 'pods').length, 0);
    assert.equal(fake.callsOf('delete', 'pods').length, 0);
  });
});
