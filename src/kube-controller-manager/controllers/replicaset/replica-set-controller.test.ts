import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../../machinery/fake-clock.ts';
import { StatusError } from '../../../machinery/status.ts';
import { FakeClient, FakeRecorder, cacheOf, quietLogger } from '../../testing.ts';
import type { Pod, ReplicaSet } from '../../types.ts';
import { ReplicaSetController } from './replica-set-controller.ts';

const clock = new FakeClock(Date.UTC(2025, 0, 1, 12));
const iso = (msAgo: number) => new Date(clock.now() - msAgo).toISOString();

function rs(replicas: number, extra: Partial<ReplicaSet['spec']> = {}): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web', namespace: 'ns', uid: 'rs-uid', generation: 2 },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }] } }, ...extra },
    status: { replicas: 0 },
  };
}

function pod(name: string, o: { owned?: boolean; labels?: Record<string, string>; node?: string; phase?: string; ready?: boolean; readyAgo?: number } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'ns',
      uid: `${name}-uid`,
      resourceVersion: '1',
      creationTimestamp: iso(60_000),
      labels: o.labels ?? { app: 'web' },
      ownerReferences: o.owned === false ? undefined : [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }],
    },
    spec: { nodeName: o.node },
    status: { phase: o.phase ?? 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: iso(o.readyAgo ?? 60_000) }] },
  };
}

function setup(set: ReplicaSet, pods: Pod[]) {
  const fake = new FakeClient();
  fake.getResult = () => set;
  const recorder = new FakeRecorder();
  const controller = new ReplicaSetController({ client: fake.client, replicaSets: cacheOf([set]), pods: cacheOf(pods), recorder, clock, log: quietLogger });
  return { fake, recorder, controller };
}

test('creates missing pods from the template with a controller reference, then waits for them to be observed', async () => {
  const { fake, recorder, controller } = setup(rs(3), [pod('a')]);
  await controller.reconcile('ns/web');
  const creates = fake.callsOf('create', 'pods');
  assert.equal(creates.length, 2);
  const body = creates[0].body as Pod;
  assert.equal(body.metadata.generateName, 'web-');
  assert.deepEqual(body.metadata.labels, { app: 'web' });
  assert.deepEqual(body.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }]);
  assert.deepEqual(recorder.events.map((e) => e.reason), ['SuccessfulCreate', 'SuccessfulCreate']);
  // The informer has not seen the new pods yet: expectations hold further creates back.
  await controller.reconcile('ns/web');
  assert.equal(fake.callsOf('create', 'pods').length, 2);
});

test('a failing create stops the slow start, records FailedCreate and a ReplicaFailure condition, and requeues', async () => {
  const { fake, recorder, controller } = setup(rs(10), []);
  let n = 0;
  fake.fail = (c) => (c.verb === 'create' && ++n === 3 ? new StatusError(403, 'Forbidden', 'exceeded quota') : undefined);
  await assert.rejects(controller.reconcile('ns/web'), /exceeded quota/);
  assert.equal(fake.callsOf('create', 'pods').length, 3, 'batches of 1 and 2, then stop');
  assert.deepEqual(recorder.events.map((e) => e.reason), ['SuccessfulCreate', 'SuccessfulCreate', 'FailedCreate']);
  const status = (fake.callsOf('update', 'replicasets')[0].body as ReplicaSet).status!;
  assert.equal(status.conditions?.[0].type, 'ReplicaFailure');
  assert.equal(status.conditions?.[0].reason, 'FailedCreate');
  // The failed and skipped creations will never be observed, so the next reconcile may act.
  assert.ok(controller.expectations.satisfied('ns/web') === false);
});

test('deletes surplus pods, least valuable first, with a uid precondition', async () => {
  const pods = [pod('running-ready', { node: 'n1' }), pod('unscheduled', { phase: 'Pending' }), pod('not-ready', { node: 'n1', ready: false })];
  const { fake, recorder, controller } = setup(rs(1), pods);
  await controller.reconcile('ns/web');
  const deletes = fake.callsOf('delete', 'pods');
  assert.deepEqual(deletes.map((c) => c.ref.name).sort(), ['not-ready', 'unscheduled']);
  assert.deepEqual((deletes[0].options as { preconditions: unknown }).preconditions, { uid: `${deletes[0].ref.name}-uid` });
  assert.deepEqual(recorder.events.map((e) => e.reason), ['SuccessfulDelete', 'SuccessfulDelete']);
});

test('adopts matching orphans and releases owned pods that stopped matching', async () => {
  const { fake, controller } = setup(rs(2), [pod('orphan', { owned: false }), pod('owned'), pod('relabeled', { labels: { app: 'other' } })]);
  await controller.reconcile('ns/web');
  const patches = fake.callsOf('patch', 'pods');
  const byName = Object.fromEntries(patches.map((p) => [p.ref.name, p.body]));
  assert.deepEqual(byName.orphan, {
    metadata: { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }], uid: 'orphan-uid' },
  });
  assert.deepEqual(byName.relabeled, { metadata: { ownerReferences: [{ $patch: 'delete', uid: 'rs-uid' }], uid: 'relabeled-uid' } });
  assert.equal(fake.callsOf('create', 'pods').length, 0, 'orphan + owned make 2');
});

test('status counts ready and available pods (minReadySeconds) and requeues until they are available', async () => {
  const pods = [pod('a', { readyAgo: 60_000 }), pod('b', { readyAgo: 2_000 }), pod('c', { ready: false, phase: 'Pending' })];
  const { fake, controller } = setup(rs(3, { minReadySeconds: 10 }), pods);
  const result = await controller.reconcile('ns/web');
  const status = (fake.callsOf('update', 'replicasets')[0].body as ReplicaSet).status;
  assert.deepEqual(status, { replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 2, availableReplicas: 1, observedGeneration: 2 });
  assert.equal(fake.callsOf('update', 'replicasets')[0].ref.subresource, 'status');
  assert.equal(result, undefined, 'not all ready yet: pod events will requeue');

  const allReady = [pod('a', { readyAgo: 60_000 }), pod('b', { readyAgo: 2_000 })];
  const second = setup(rs(2, { minReadySeconds: 10 }), allReady);
  assert.deepEqual(await second.controller.reconcile('ns/web'), { requeueAfterMs: 10_000 });
});

test('a ReplicaSet being deleted manages no pods', async () => {
  const set = rs(3);
  set.metadata.deletionTimestamp = iso(0);
  const { fake, controller } = setup(set, []);
  await controller.reconcile('ns/web');
  assert.equal(fake.callsOf('create').length, 0);
});
