import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../../machinery/fake-clock.ts';
import { FakeClient, FakeRecorder, cacheOf, quietLogger } from '../../testing.ts';
import type { Pod } from '../../types.ts';
import { computeHash } from '../deployment/deployment-util.ts';
import type { Node } from '../nodelifecycle/node-lifecycle-controller.ts';
import { DaemonSetController, type ControllerRevision, type DaemonSet, type DaemonSetStatus } from './daemonset-controller.ts';
import { nodeShouldRunDaemonPod, targetNodeName } from './node-eligibility.ts';
import { oldPodsToDelete, scaledValue } from './rolling-update.ts';

const clock = new FakeClock(Date.UTC(2025, 0, 1, 12));
const iso = (msAgo: number) => new Date(clock.now() - msAgo).toISOString();

function ds(extra: Partial<DaemonSet['spec']> = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'ns', uid: 'ds-uid', generation: 3 },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      ...extra,
    },
    status: { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 },
  };
}

function node(name: string, o: { labels?: Record<string, string>; taints?: { key: string; effect: string; value?: string }[] } = {}): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: o.labels ?? {} }, spec: { taints: o.taints } };
}

const hashOf = (set: DaemonSet) => computeHash(set.spec.template, undefined);

function pod(name: string, nodeName: string, o: { hash?: string; ready?: boolean; phase?: string; created?: number } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'ns',
      uid: `${name}-uid`,
      resourceVersion: '1',
      creationTimestamp: iso(o.created ?? 60_000),
      labels: { app: 'agent', 'controller-revision-hash': o.hash ?? hashOf(ds()) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'ds-uid', controller: true, blockOwnerDeletion: true }],
    },
    spec: { nodeName },
    status: { phase: o.phase ?? 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: iso(60_000) }] },
  };
}

function setup(set: DaemonSet, nodes: Node[], pods: Pod[], revisions: ControllerRevision[] = []) {
  const fake = new FakeClient();
  const recorder = new FakeRecorder();
  const controller = new DaemonSetController({
    client: fake.client,
    daemonSets: cacheOf([set]),
    pods: cacheOf(pods),
    nodes: cacheOf(nodes),
    revisions: cacheOf(revisions),
    recorder,
    clock,
    log: quietLogger,
  });
  return { fake, recorder, controller };
}

const lastStatus = (fake: FakeClient) => (fake.callsOf('update', 'daemonsets').at(-1)?.body as DaemonSet).status as DaemonSetStatus;

test('creates one pod per eligible node, pinned by node affinity, with the revision label and daemon tolerations', async () => {
  const set = ds({ template: { metadata: { labels: { app: 'agent' } }, spec: { nodeSelector: { role: 'worker' }, containers: [{ name: 'c', image: 'i' }] } } });
  const nodes = [
    node('a', { labels: { role: 'worker' } }),
    node('b', { labels: { role: 'worker' }, taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] }),
    node('c', { labels: { role: 'master' } }),
    node('d', { labels: { role: 'worker' }, taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }),
  ];
  const { fake, recorder, controller } = setup(set, nodes, []);
  await controller.reconcile('ns/agent');
  const created = fake.callsOf('create', 'pods').map((c) => c.body as Pod);
  assert.deepEqual(created.map((p) => targetNodeName(p)).sort(), ['a', 'b']);
  const p = created[0];
  assert.equal(p.spec?.nodeName, undefined, 'the scheduler binds it');
  assert.deepEqual((p.spec as any).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields, [
    { key: 'metadata.name', operator: 'In', values: [targetNodeName(p)] },
  ]);
  assert.equal(p.metadata.labels?.['controller-revision-hash'], hashOf(set));
  assert.equal(p.metadata.generateName, 'agent-');
  assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'ds-uid', controller: true, blockOwnerDeletion: true }]);
  const tolerated = ((p.spec as any).tolerations as { key: string; effect: string }[]).map((t) => `${t.key}:${t.effect}`);
  assert.ok(tolerated.includes('node.kubernetes.io/unreachable:NoExecute') && tolerated.includes('node.kubernetes.io/unschedulable:NoSchedule'));
  assert.deepEqual(recorder.events.map((e) => e.reason), ['SuccessfulCreate', 'SuccessfulCreate']);
  const rev = fake.callsOf('create', 'controllerrevisions')[0].body as ControllerRevision;
  assert.equal(rev.metadata.name, `agent-${hashOf(set)}`);
  assert.equal(rev.revision, 1);
  assert.deepEqual(lastStatus(fake), { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 2, numberReady: 0, observedGeneration: 3, numberUnavailable: 2 });
  // Expectations hold a second round back until the informer sees the pods.
  await controller.reconcile('ns/agent');
  assert.equal(fake.callsOf('create', 'pods').length, 2);
});

test('node eligibility: NoSchedule keeps running pods, untolerated NoExecute evicts, affinity and nodeName filter', () => {
  const spec = { containers: [] };
  assert.deepEqual(nodeShouldRunDaemonPod(node('a', { taints: [{ key: 'x', effect: 'NoSchedule' }] }), spec), { shouldRun: false, shouldContinueRunning: true });
  assert.deepEqual(nodeShouldRunDaemonPod(node('a', { taints: [{ key: 'x', effect: 'NoExecute' }] }), spec), { shouldRun: false, shouldContinueRunning: false });
  assert.equal(nodeShouldRunDaemonPod(node('a'), { nodeName: 'b' }).shouldRun, false);
  const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] }] } } };
  assert.equal(nodeShouldRunDaemonPod(node('a', { labels: { zone: 'z1' } }), { affinity }).shouldRun, true);
  assert.equal(nodeShouldRunDaemonPod(node('a', { labels: { zone: 'z2' } }), { affinity }).shouldRun, false);
  assert.equal(nodeShouldRunDaemonPod(node('a', { taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }] }), { hostNetwork: true }).shouldRun, true);
});

test('deletes pods on nodes that may no longer run them, failed pods and duplicates; counts misscheduled', async () => {
  const nodes = [node('a'), node('b', { taints: [{ key: 'evict', effect: 'NoExecute' }] }), node('c'), node('d', { taints: [{ key: 'x', effect: 'NoSchedule' }] })];
  const pods = [pod('a-old', 'a', { created: 90_000 }), pod('a-dup', 'a', { created: 10_000 }), pod('b-1', 'b'), pod('c-failed', 'c', { phase: 'Failed' }), pod('d-1', 'd')];
  const { fake, recorder, controller } = setup(ds(), nodes, pods);
  await controller.reconcile('ns/agent');
  assert.deepEqual(fake.callsOf('delete', 'pods').map((c) => c.ref.name).sort(), ['a-dup', 'b-1', 'c-failed']);
  assert.equal(fake.callsOf('create', 'pods').length, 0, 'the failed pod is replaced once its deletion is observed');
  assert.equal(recorder.events.filter((e) => e.reason === 'SuccessfulDelete').length, 3);
  const s = lastStatus(fake);
  assert.equal(s.desiredNumberScheduled, 2);
  assert.equal(s.numberMisscheduled, 2, 'b and d have pods but should not run one');
});

test('RollingUpdate deletes old pods within maxUnavailable, unavailable old pods at once; OnDelete leaves them', async () => {
  const nodes = [node('a'), node('b'), node('c'), node('d')];
  const pods = [pod('a', 'a', { hash: 'old' }), pod('b', 'b', { hash: 'old' }), pod('c', 'c', { hash: 'old', ready: false }), pod('d', 'd')];
  const { fake, controller } = setup(ds(), nodes, pods);
  await controller.reconcile('ns/agent');
  const deleted = fake.callsOf('delete', 'pods').map((c) => c.ref.name).sort();
  assert.deepEqual(deleted, ['a', 'c'], 'one available old pod (maxUnavailable 1) plus the unavailable one');
  const s = lastStatus(fake);
  assert.equal(s.updatedNumberScheduled, 1);
  assert.equal(s.numberReady, 3);

  const onDelete = setup(ds({ updateStrategy: { type: 'OnDelete' } }), nodes, pods);
  await onDelete.controller.reconcile('ns/agent');
  assert.equal(onDelete.fake.callsOf('delete', 'pods').length, 0);
});

test('rolling update waits while a new pod is not yet available', () => {
  const m = new Map([
    ['a', [pod('a', 'a', { hash: 'new', ready: false })]],
    ['b', [pod('b', 'b', { hash: 'old' })]],
  ]);
  assert.deepEqual(oldPodsToDelete(m, 'new', 1, 0, clock.now()), []);
  assert.deepEqual(oldPodsToDelete(m, 'new', 2, 0, clock.now()).map((p) => p.metadata.name), ['b']);
  assert.equal(scaledValue('25%', 10, 1), 3);
  assert.equal(scaledValue(undefined, 10, 1), 1);
});

test('status counts ready, available (minReadySeconds) and updated pods and requeues until available', async () => {
  const nodes = [node('a'), node('b')];
  const fresh = pod('b', 'b');
  (fresh.status!.conditions![0] as { lastTransitionTime: string }).lastTransitionTime = iso(2_000);
  const { fake, controller } = setup(ds({ minReadySeconds: 10 }), nodes, [pod('a', 'a'), fresh], []);
  const result = await controller.reconcile('ns/agent');
  assert.deepEqual(lastStatus(fake), {
    currentNumberScheduled: 2,
    numberMisscheduled: 0,
    desiredNumberScheduled: 2,
    numberReady: 2,
    observedGeneration: 3,
    updatedNumberScheduled: 2,
    numberAvailable: 1,
    numberUnavailable: 1,
  });
  assert.equal(fake.callsOf('update', 'daemonsets')[0].ref.subresource, 'status');
  assert.deepEqual(result, { requeueAfterMs: 10_000 });
});

test('an old template coming back gets a newer revision number; unused revisions beyond the limit are pruned', async () => {
  const set = ds({ revisionHistoryLimit: 1 });
  const rev = (name: string, hash: string, revision: number): ControllerRevision => ({
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: { name, namespace: 'ns', uid: `${name}-uid`, labels: { 'controller-revision-hash': hash }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'ds-uid', controller: true }] },
    revision,
  });
  const revisions = [rev('agent-cur', hashOf(set), 1), rev('agent-x', 'x', 2), rev('agent-y', 'y', 3), rev('agent-z', 'z', 4)];
  const { fake, controller } = setup(set, [], [], revisions);
  await controller.reconcile('ns/agent');
  assert.equal((fake.callsOf('update', 'controllerrevisions')[0].body as ControllerRevision).revision, 5);
  assert.equal(fake.callsOf('create', 'controllerrevisions').length, 0);
  assert.deepEqual(fake.callsOf('delete', 'controllerrevisions').map((c) => c.ref.name), ['agent-x', 'agent-y']);
});
