import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../../machinery/fake-clock.ts';
import { FakeClient, FakeRecorder, cacheOf, quietLogger } from '../../testing.ts';
import type { Pod } from '../../types.ts';
import type { ControllerRevision } from '../daemonset/daemonset-controller.ts';
import { computeHash } from '../deployment/deployment-util.ts';
import type { StatefulSet, StatefulSetStatus } from './stateful-pod.ts';
import { StatefulSetController } from './statefulset-controller.ts';

const clock = new FakeClock(Date.UTC(2025, 0, 1, 12));
const iso = (msAgo: number) => new Date(clock.now() - msAgo).toISOString();
const template = (image: string) => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } });

function sts(replicas: number, extra: Partial<StatefulSet['spec']> = {}, status?: StatefulSetStatus): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'ns', uid: 'sts-uid', generation: 2 },
    spec: { replicas, serviceName: 'nginx', selector: { matchLabels: { app: 'web' } }, template: template('v1'), podManagementPolicy: 'OrderedReady', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } }, ...extra },
    status: status ?? { replicas: 0 },
  };
}

const revName = (image: string) => `web-${computeHash(template(image), undefined)}`;

function pod(ordinal: number, o: { ready?: boolean; image?: string; deleting?: boolean } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `web-${ordinal}`,
      namespace: 'ns',
      uid: `web-${ordinal}-uid`,
      resourceVersion: '1',
      labels: { app: 'web', 'controller-revision-hash': revName(o.image ?? 'v1') },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'sts-uid', controller: true, blockOwnerDeletion: true }],
      deletionTimestamp: o.deleting ? iso(0) : undefined,
    },
    spec: { nodeName: 'n1' },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: iso(60_000) }] },
  };
}

function revision(image: string, n: number): ControllerRevision {
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: { name: revName(image), namespace: 'ns', uid: `${image}-uid`, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'sts-uid', controller: true }] },
    data: { spec: { template: { ...template(image), $patch: 'replace' } } },
    revision: n,
  };
}

function setup(set: StatefulSet, pods: Pod[], revisions: ControllerRevision[] = [revision('v1', 1)]) {
  const fake = new FakeClient();
  const recorder = new FakeRecorder();
  const controller = new StatefulSetController({ client: fake.client, statefulSets: cacheOf([set]), pods: cacheOf(pods), revisions: cacheOf(revisions), recorder, clock, log: quietLogger });
  return { fake, recorder, controller };
}

const created = (fake: FakeClient) => fake.callsOf('create', 'pods').map((c) => c.body as Pod);
const deleted = (fake: FakeClient) => fake.callsOf('delete', 'pods').map((c) => c.ref.name);
const lastStatus = (fake: FakeClient) => (fake.callsOf('update', 'statefulsets').at(-1)?.body as StatefulSet).status!;

test('OrderedReady creates web-0 with its identity, then waits for it to be Running and Ready', async () => {
  const first = setup(sts(3), []);
  await first.controller.reconcile('ns/web');
  const [p] = created(first.fake);
  assert.equal(created(first.fake).length, 1);
  assert.equal(p.metadata.name, 'web-0');
  assert.equal(p.spec?.hostname, 'web-0');
  assert.equal(p.spec?.subdomain, 'nginx');
  assert.equal(p.metadata.labels?.['statefulset.kubernetes.io/pod-name'], 'web-0');
  assert.equal(p.metadata.labels?.['controller-revision-hash'], revName('v1'));
  assert.deepEqual(first.recorder.events.map((e) => e.message), ['create Pod web-0 in StatefulSet web successful']);

  const waiting = setup(sts(3), [pod(0, { ready: false })]);
  await waiting.controller.reconcile('ns/web');
  assert.equal(created(waiting.fake).length, 0, 'web-0 is not ready');

  const next = setup(sts(3), [pod(0)]);
  await next.controller.reconcile('ns/web');
  assert.deepEqual(created(next.fake).map((p) => p.metadata.name), ['web-1']);
});

test('Parallel creates every missing pod at once', async () => {
  const { fake, controller } = setup(sts(3, { podManagementPolicy: 'Parallel' }), [pod(1, { ready: false })]);
  await controller.reconcile('ns/web');
  assert.deepEqual(created(fake).map((p) => p.metadata.name), ['web-0', 'web-2']);
});

test('scale down deletes the highest ordinal first, one at a time, only while the rest are healthy', async () => {
  const down = setup(sts(1), [pod(0), pod(1), pod(2)]);
  await down.controller.reconcile('ns/web');
  assert.deepEqual(deleted(down.fake), ['web-2']);
  const blocked = setup(sts(1), [pod(0, { ready: false }), pod(1), pod(2)]);
  await blocked.controller.reconcile('ns/web');
  assert.deepEqual(deleted(blocked.fake), []);
});

test('RollingUpdate replaces pods above the partition from the highest ordinal, one at a time', async () => {
  const update = sts(3, { template: template('v2'), updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } }, { replicas: 3, currentRevision: revName('v1'), updateRevision: revName('v1') });
  const revisions = [revision('v1', 1)];
  const first = setup(update, [pod(0), pod(1), pod(2)], revisions);
  await first.controller.reconcile('ns/web');
  assert.deepEqual(deleted(first.fake), ['web-2']);
  assert.equal((first.fake.callsOf('create', 'controllerrevisions')[0].body as ControllerRevision).revision, 2);

  // web-2 came back at v2 and is ready: web-1 is next; web-0 stays below the partition.
  const second = setup(update, [pod(0), pod(1), pod(2, { image: 'v2' })], [...revisions, revision('v2', 2)]);
  await second.controller.reconcile('ns/web');
  assert.deepEqual(deleted(second.fake), ['web-1']);
  const third = setup(update, [pod(0), pod(1, { image: 'v2' }), pod(2, { image: 'v2' })], [...revisions, revision('v2', 2)]);
  await third.controller.reconcile('ns/web');
  assert.deepEqual(deleted(third.fake), []);
  assert.deepEqual(lastStatus(third.fake), {
    replicas: 3,
    readyReplicas: 3,
    currentReplicas: 1,
    updatedReplicas: 2,
    availableReplicas: 3,
    currentRevision: revName('v1'),
    updateRevision: revName('v2'),
    observedGeneration: 2,
  });

  // A recreated pod below the partition keeps the current revision's template.
  const recreate = setup(update, [pod(1, { image: 'v2' }), pod(2, { image: 'v2' })], [...revisions, revision('v2', 2)]);
  await recreate.controller.reconcile('ns/web');
  const [web0] = created(recreate.fake);
  assert.equal((web0.spec as { containers: { image: string }[] }).containers[0].image, 'v1');
  assert.equal(web0.metadata.labels?.['controller-revision-hash'], revName('v1'));
});

test('a finished rolling update makes the update revision current; OnDelete never deletes for an update', async () => {
  const set = sts(2, { template: template('v2') }, { replicas: 2, currentRevision: revName('v1') });
  const done = setup(set, [pod(0, { image: 'v2' }), pod(1, { image: 'v2' })], [revision('v1', 1), revision('v2', 2)]);
  await done.controller.reconcile('ns/web');
  const s = lastStatus(done.fake);
  assert.equal(s.currentRevision, revName('v2'));
  assert.equal(s.currentReplicas, 2);

  const onDelete = setup(sts(2, { template: template('v2'), updateStrategy: { type: 'OnDelete' } }), [pod(0), pod(1)]);
  await onDelete.controller.reconcile('ns/web');
  assert.deepEqual(deleted(onDelete.fake), []);
});
