import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../../machinery/fake-clock.ts';
import { FakeClient, FakeRecorder, cacheOf, quietLogger } from '../../testing.ts';
import type { Pod } from '../../types.ts';
import { computeHash } from '../deployment/deployment-util.ts';
import type { Node } from '../nodelifecycle/node-lifecycle-controller.ts';
import { DaemonSetController, type ControllerRevision, type DaemonSet, type DaemonSetStatus } from './daemonset-controller.ts';
import { nodeShouldRunDaemonPod, targetNodeName } from './node-eligibility.ts';
import { allowsSurge, oldPodsToDelete, scaledValue, surgeStep, updateCounts } from './rolling-update.ts';

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

test('maxSurge and maxUnavailable are scaled against the desired nodes, rounding up; both 0 accepts one unavailable', () => {
  const cases: { strategy: Parameters<typeof updateCounts>[0]; desired: number; want: { maxSurge: number; maxUnavailable: number } }[] = [
    { strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, desired: 10, want: { maxSurge: 0, maxUnavailable: 1 } },
    { strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } }, desired: 10, want: { maxSurge: 3, maxUnavailable: 0 } },
    { strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '1%' } }, desired: 3, want: { maxSurge: 1, maxUnavailable: 0 } },
    { strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } }, desired: 3, want: { maxSurge: 0, maxUnavailable: 1 } },
    { strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 2 } }, desired: 0, want: { maxSurge: 2, maxUnavailable: 0 } },
    { strategy: { type: 'OnDelete', rollingUpdate: { maxUnavailable: 0, maxSurge: 2 } }, desired: 3, want: { maxSurge: 0, maxUnavailable: 0 } },
  ];
  for (const c of cases) assert.deepEqual(updateCounts(c.strategy, c.desired), c.want, JSON.stringify(c));
  assert.equal(allowsSurge({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '1%' } }), true);
  assert.equal(allowsSurge({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '0%' } }), false);
  assert.equal(allowsSurge({ type: 'OnDelete', rollingUpdate: { maxSurge: 1 } }), false);
});

/** A cluster in miniature: the controller's creates bind at once, its deletes remove; tests mark pods ready. */
function surgeWorld(set: DaemonSet, nodes: Node[], pods: Pod[]) {
  let seq = 0;
  const world = {
    pods,
    requeue: undefined as unknown,
    /** One reconcile by a controller with fresh caches; returns what it created (node names) and deleted (pod names). */
    async sync() {
      const { fake, controller } = setup(set, nodes, world.pods);
      world.requeue = (await controller.reconcile('ns/agent')) ?? undefined;
      const created = fake.callsOf('create', 'pods').map((c) => c.body as Pod);
      const deleted = fake.callsOf('delete', 'pods').map((c) => c.ref.name!);
      world.pods = world.pods.filter((p) => !deleted.includes(p.metadata.name!));
      for (const p of created) {
        const node = targetNodeName(p)!;
        world.pods.push(pod(`${node}-new${seq++}`, node, { hash: p.metadata.labels!['controller-revision-hash'], ready: false, created: 0 }));
      }
      return { create: created.map((p) => targetNodeName(p)!), delete: deleted };
    },
    ready(nodeName: string) {
      const p = world.pods.find((x) => x.spec?.nodeName === nodeName && x.metadata.labels?.['controller-revision-hash'] === hashOf(set))!;
      p.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: iso(0) }] };
    },
  };
  return world;
}

test('maxSurge rolling update: a new pod beside the old one, the old one deleted once the new one is available, at most maxSurge nodes at a time', async () => {
  const set = ds({ minReadySeconds: 10, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } });
  const nodes = [node('a'), node('b'), node('c')];
  const world = surgeWorld(set, nodes, [pod('a-old', 'a', { hash: 'old' }), pod('b-old', 'b', { hash: 'old' }), pod('c-old', 'c', { hash: 'old' })]);
  const steps: { name: string; before?: () => void; create: string[]; delete: string[]; requeue?: number }[] = [
    { name: 'one node surges', create: ['a'], delete: [] },
    { name: 'the new pod is not ready: nothing more', create: [], delete: [] },
    { name: 'ready, not yet available: wait minReadySeconds', before: () => world.ready('a'), create: [], delete: [], requeue: 10_000 },
    { name: 'available: the old pod goes', before: () => clock.advance(10_000), create: [], delete: ['a-old'] },
    { name: 'the next node surges', create: ['b'], delete: [] },
    { name: 'b available: its old pod goes', before: () => (world.ready('b'), clock.advance(10_000)), create: [], delete: ['b-old'] },
    { name: 'the last node surges', create: ['c'], delete: [] },
    { name: 'c available: its old pod goes', before: () => (world.ready('c'), clock.advance(10_000)), create: [], delete: ['c-old'] },
    { name: 'done', create: [], delete: [] },
  ];
  for (const step of steps) {
    step.before?.();
    const got = await world.sync();
    assert.deepEqual(got, { create: step.create, delete: step.delete }, step.name);
    if (step.requeue !== undefined) assert.deepEqual(world.requeue, { requeueAfterMs: step.requeue }, step.name);
    // Never fewer available pods than nodes: every node keeps a ready pod throughout.
    for (const n of ['a', 'b', 'c']) assert.ok(world.pods.some((p) => p.spec?.nodeName === n && p.status?.conditions?.[0].status === 'True'), `${step.name}: ${n} has a ready pod`);
  }
  assert.deepEqual(world.pods.map((p) => p.metadata.labels?.['controller-revision-hash']), [hashOf(set), hashOf(set), hashOf(set)]);
});

test('maxSurge: nodes whose old pod is unavailable are replaced at once, beyond the surge budget; the not-ready old pod goes when its replacement exists', async () => {
  const set = ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } });
  const nodes = [node('a'), node('b'), node('c')];
  const world = surgeWorld(set, nodes, [pod('a-old', 'a', { hash: 'old' }), pod('b-old', 'b', { hash: 'old', ready: false }), pod('c-old', 'c', { hash: 'old', ready: false })]);
  assert.deepEqual(await world.sync(), { create: ['b', 'c', 'a'], delete: [] }, 'b and c replaced at once; a within maxSurge 1');
  assert.deepEqual(await world.sync(), { create: [], delete: ['b-old', 'c-old'] }, 'an old pod that is not ready does not wait for its replacement');
  assert.deepEqual(await world.sync(), { create: [], delete: [] }, 'three new pods not yet available: no more surge');
});

test('surge step: budget, nodes the daemon is leaving, and nodes the manage loop still sorts out', () => {
  const now = clock.now();
  const old = (name: string, node: string, ready = true) => pod(name, node, { hash: 'old', ready });
  const fresh = (name: string, node: string, ready = true) => pod(name, node, { hash: 'new', ready });
  const cases: { name: string; pods: Record<string, Pod[]>; leaving?: string[]; maxSurge: number; desired: number; create: string[]; delete: string[] }[] = [
    { name: 'budget of 2 over 4 old nodes', pods: { a: [old('a1', 'a')], b: [old('b1', 'b')], c: [old('c1', 'c')], d: [old('d1', 'd')] }, maxSurge: 2, desired: 4, create: ['a', 'b'], delete: [] },
    { name: 'an unavailable new pod uses the budget', pods: { a: [old('a1', 'a'), fresh('a2', 'a', false)], b: [old('b1', 'b')] }, maxSurge: 1, desired: 2, create: [], delete: [] },
    { name: 'an available new pod frees its old pod', pods: { a: [old('a1', 'a'), fresh('a2', 'a')], b: [old('b1', 'b')] }, maxSurge: 1, desired: 2, create: ['b'], delete: ['a1'] },
    { name: 'duplicates count as surging', pods: { a: [old('a1', 'a'), old('a2', 'a')], b: [old('b1', 'b')] }, maxSurge: 1, desired: 2, create: [], delete: [] },
    { name: 'an empty node is the manage loop’s', pods: { a: [], b: [old('b1', 'b')] }, maxSurge: 1, desired: 2, create: ['b'], delete: [] },
    { name: 'an unavailable old pod where the daemon no longer runs goes at once', pods: { a: [old('a1', 'a', false)], b: [fresh('b1', 'b')] }, leaving: ['a'], maxSurge: 1, desired: 1, create: [], delete: ['a1'] },
    { name: 'an available one only while enough stay available', pods: { a: [old('a1', 'a')], b: [fresh('b1', 'b', false)] }, leaving: ['a'], maxSurge: 1, desired: 1, create: [], delete: [] },
    { name: '… and goes once they are', pods: { a: [old('a1', 'a')], b: [fresh('b1', 'b')] }, leaving: ['a'], maxSurge: 1, desired: 1, create: [], delete: ['a1'] },
  ];
  for (const c of cases) {
    const step = surgeStep(new Map(Object.entries(c.pods)), (n) => !(c.leaving ?? []).includes(n), 'new', c.maxSurge, c.desired, 0, now);
    assert.deepEqual({ create: step.create, delete: step.delete.map((p) => p.metadata.name) }, { create: c.create, delete: c.delete }, c.name);
  }
});
