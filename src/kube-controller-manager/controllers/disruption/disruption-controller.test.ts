import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { until } from '../../../../test/support/until.ts';
import type { ApiClient } from '../../context.ts';
import { FakeClock } from '../../../machinery/fake-clock.ts';
import { conflict, notFound } from '../../../machinery/status.ts';
import { cacheOf, FakeClient, FakeRecorder, fakeSource, quietLogger } from '../../testing.ts';
import type { Condition, Deployment, OwnerReference, Pod, ReplicaSet } from '../../types.ts';
import type { ReplicationController } from '../replicationcontroller/conversion.ts';
import type { StatefulSet } from '../statefulset/stateful-pod.ts';
import { DisruptionController, type PodDisruptionBudget } from './disruption-controller.ts';
import type { PodDisruptionBudgetStatus } from './pdb-status.ts';

const start = Date.UTC(2025, 0, 1, 12);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function pdb(spec: PodDisruptionBudget['spec'], status?: PodDisruptionBudgetStatus): PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'budget', namespace: 'ns', uid: 'pdb-uid', resourceVersion: '5', generation: 3 },
    spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
    status: status ?? { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
  };
}

const ref = (kind: string, name: string, apiVersion = 'apps/v1'): OwnerReference => ({ apiVersion, kind, name, uid: `${name}-uid`, controller: true });

function pod(name: string, o: { ready?: boolean; deleting?: boolean; owner?: OwnerReference | null; labels?: Record<string, string>; namespace?: string; conditions?: Condition[] } = {}): Pod {
  const owner = o.owner === undefined ? ref('ReplicaSet', 'web-rs') : o.owner;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'ns',
      uid: `${name}-uid`,
      resourceVersion: '1',
      labels: o.labels ?? { app: 'web' },
      ownerReferences: owner ? [owner] : undefined,
      deletionTimestamp: o.deleting ? iso(start) : undefined,
    },
    spec: { nodeName: 'n1' },
    status: { phase: 'Running', conditions: o.conditions ?? [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  };
}

const replicaSet = (name: string, replicas: number, owner?: OwnerReference): ReplicaSet => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name, namespace: 'ns', uid: `${name}-uid`, ownerReferences: owner ? [owner] : undefined },
  spec: { replicas },
});
const deployment = (name: string, replicas: number): Deployment => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'ns', uid: `${name}-uid` }, spec: { replicas } });
const statefulSet = (name: string, replicas: number): StatefulSet => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name, namespace: 'ns', uid: `${name}-uid` }, spec: { replicas } }) as StatefulSet;
const replicationController = (name: string, replicas: number): ReplicationController => ({ apiVersion: 'v1', kind: 'ReplicationController', metadata: { name, namespace: 'ns', uid: `${name}-uid` }, spec: { replicas } });

interface World {
  pdb: PodDisruptionBudget;
  pods: Pod[];
  replicaSets?: ReplicaSet[];
  deployments?: Deployment[];
  statefulSets?: StatefulSet[];
  replicationControllers?: ReplicationController[];
  client?: (fake: FakeClient) => ApiClient;
}

function setup(w: World) {
  const fake = new FakeClient();
  const recorder = new FakeRecorder();
  const clock = new FakeClock(start);
  const controller = new DisruptionController({
    client: w.client ? w.client(fake) : fake.client,
    podDisruptionBudgets: cacheOf([w.pdb]),
    pods: cacheOf(w.pods),
    replicaSets: cacheOf(w.replicaSets ?? []),
    deployments: cacheOf(w.deployments ?? []),
    statefulSets: cacheOf(w.statefulSets ?? []),
    replicationControllers: cacheOf(w.replicationControllers ?? []),
    recorder,
    clock,
    log: quietLogger,
  });
  const written = () => fake.callsOf('update', 'poddisruptionbudgets').map((c) => (c.body as PodDisruptionBudget).status!);
  return { fake, recorder, clock, controller, written };
}

const counts = (s: PodDisruptionBudgetStatus) => ({
  expectedPods: s.expectedPods,
  desiredHealthy: s.desiredHealthy,
  currentHealthy: s.currentHealthy,
  disruptionsAllowed: s.disruptionsAllowed,
});

describe('reconcile: counts', () => {
  const threeReady = [pod('a'), pod('b'), pod('c')];
  const cases: { name: string; world: World; want: ReturnType<typeof counts>; reason: string }[] = [
    {
      name: 'integer minAvailable: expectedPods is the number of matching pods',
      world: { pdb: pdb({ minAvailable: 2 }), pods: threeReady },
      want: { expectedPods: 3, desiredHealthy: 2, currentHealthy: 3, disruptionsAllowed: 1 },
      reason: 'SufficientPods',
    },
    {
      name: 'integer minAvailable needs no controllers (unowned pods count)',
      world: { pdb: pdb({ minAvailable: 1 }), pods: [pod('a', { owner: null }), pod('b', { owner: null })] },
      want: { expectedPods: 2, desiredHealthy: 1, currentHealthy: 2, disruptionsAllowed: 1 },
      reason: 'SufficientPods',
    },
    {
      name: 'percent minAvailable over a ReplicaSet scale, rounded up',
      world: { pdb: pdb({ minAvailable: '50%' }), pods: threeReady, replicaSets: [replicaSet('web-rs', 5)] },
      want: { expectedPods: 5, desiredHealthy: 3, currentHealthy: 3, disruptionsAllowed: 0 },
      reason: 'InsufficientPods',
    },
    {
      name: 'integer maxUnavailable over a Deployment scale (through its ReplicaSet)',
      world: {
        pdb: pdb({ maxUnavailable: 1 }),
        pods: threeReady,
        replicaSets: [replicaSet('web-rs', 3, ref('Deployment', 'web'))],
        deployments: [deployment('web', 4)],
      },
      want: { expectedPods: 4, desiredHealthy: 3, currentHealthy: 3, disruptionsAllowed: 0 },
      reason: 'InsufficientPods',
    },
    {
      name: 'percent maxUnavailable over a StatefulSet scale, rounded up',
      world: { pdb: pdb({ maxUnavailable: '34%' }), pods: [pod('a', { owner: ref('StatefulSet', 'db') }), pod('b', { owner: ref('StatefulSet', 'db') }), pod('c', { owner: ref('StatefulSet', 'db') })], statefulSets: [statefulSet('db', 3)] },
      want: { expectedPods: 3, desiredHealthy: 1, currentHealthy: 3, disruptionsAllowed: 2 },
      reason: 'SufficientPods',
    },
    {
      name: 'percent minAvailable over a ReplicationController scale',
      world: { pdb: pdb({ minAvailable: '100%' }), pods: [pod('a', { owner: ref('ReplicationController', 'rc', 'v1') })], replicationControllers: [replicationController('rc', 1)] },
      want: { expectedPods: 1, desiredHealthy: 1, currentHealthy: 1, disruptionsAllowed: 0 },
      reason: 'InsufficientPods',
    },
    {
      name: 'scales of several controllers add up; each controller counted once',
      world: {
        pdb: pdb({ maxUnavailable: 0 }),
        pods: [pod('a'), pod('b'), pod('c', { owner: ref('StatefulSet', 'db') })],
        replicaSets: [replicaSet('web-rs', 2)],
        statefulSets: [statefulSet('db', 2)],
      },
      want: { expectedPods: 4, desiredHealthy: 4, currentHealthy: 3, disruptionsAllowed: 0 },
      reason: 'InsufficientPods',
    },
    {
      name: 'pods not Ready, or being deleted, are not healthy',
      world: { pdb: pdb({ minAvailable: 1 }), pods: [pod('a'), pod('b', { ready: false }), pod('c', { deleting: true }), pod('d')] },
      want: { expectedPods: 4, desiredHealthy: 1, currentHealthy: 2, disruptionsAllowed: 1 },
      reason: 'SufficientPods',
    },
    {
      name: 'pods of other namespaces and labels are not selected',
      world: { pdb: pdb({ minAvailable: 1 }), pods: [pod('a'), pod('b', { namespace: 'other' }), pod('c', { labels: { app: 'db' } })] },
      want: { expectedPods: 1, desiredHealthy: 1, currentHealthy: 1, disruptionsAllowed: 0 },
      reason: 'InsufficientPods',
    },
    {
      name: 'an empty selector selects every pod of the namespace',
      world: { pdb: pdb({ minAvailable: 1, selector: {} }), pods: [pod('a'), pod('b', { labels: { app: 'db' } }), pod('c', { namespace: 'other' })] },
      want: { expectedPods: 2, desiredHealthy: 1, currentHealthy: 2, disruptionsAllowed: 1 },
      reason: 'SufficientPods',
    },
    {
      name: 'a null selector selects nothing, and no expected pods allow no disruption',
      world: { pdb: pdb({ minAvailable: 0, selector: null }), pods: [pod('a')] },
      want: { expectedPods: 0, desiredHealthy: 0, currentHealthy: 0, disruptionsAllowed: 0 },
      reason: 'InsufficientPods',
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const { controller, written, fake } = setup(c.world);
      assert.equal(await controller.reconcile('ns/budget'), undefined);
      const [status] = written();
      assert.ok(status, 'a status was written');
      assert.deepEqual(counts(status), c.want);
      assert.equal(status.observedGeneration, 3);
      const cond = status.conditions?.find((x) => x.type === 'DisruptionAllowed');
      assert.equal(cond?.reason, c.reason);
      assert.equal(cond?.status, c.reason === 'SufficientPods' ? 'True' : 'False');
      assert.equal(cond?.observedGeneration, 3);
      const call = fake.callsOf('update', 'poddisruptionbudgets')[0];
      assert.equal(call.ref.subresource, 'status');
      assert.equal((call.body as PodDisruptionBudget).metadata.resourceVersion, '5', 'written over the cached resourceVersion');
    });
  }
});

describe('reconcile: status writes and failures', () => {
  test('an up-to-date status is not written again', async () => {
    const first = setup({ pdb: pdb({ minAvailable: 2 }), pods: [pod('a'), pod('b'), pod('c')] });
    await first.controller.reconcile('ns/budget');
    const status = first.written()[0];
    const second = setup({ pdb: pdb({ minAvailable: 2 }, status), pods: [pod('a'), pod('b'), pod('c')] });
    await second.controller.reconcile('ns/budget');
    assert.equal(second.written().length, 0);
  });

  test('a condition keeps its transition time while its status stays', async () => {
    const old = { type: 'DisruptionAllowed', status: 'False' as const, reason: 'SyncFailed', message: 'boom', lastTransitionTime: '2024-01-01T00:00:00Z', observedGeneration: 2 };
    const { controller, written } = setup({ pdb: pdb({ minAvailable: 5 }, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, conditions: [old] }), pods: [pod('a')] });
    await controller.reconcile('ns/budget');
    assert.deepEqual(written()[0].conditions, [{ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', lastTransitionTime: '2024-01-01T00:00:00Z', observedGeneration: 3 }]);
  });

  test('a pod whose controller cannot be found: NoControllers and CalculateExpectedPodCountFailed, SyncFailed, no disruptions', async () => {
    const before = { disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, observedGeneration: 2 };
    const { controller, written, recorder, fake } = setup({
      pdb: pdb({ maxUnavailable: 1 }, before),
      pods: [pod('a')],
      // Not in the cache, so the scale subresource is asked too: it is not there either.
      client: (fake) => ({
        ...fake.client,
        request: async <T>() => ({ resources: [{ name: 'replicasets', kind: 'ReplicaSet' }, { name: 'replicasets/scale', kind: 'Scale' }] }) as T,
        get: async (r) => {
          fake.calls.push({ verb: 'get', ref: r });
          throw notFound({ group: 'apps', resource: 'replicasets' }, 'web-rs');
        },
      }),
    });
    assert.equal(await controller.reconcile('ns/budget'), undefined, 'handled by the fail-safe write');
    assert.equal(fake.callsOf('get')[0].ref.subresource, 'scale');
    assert.deepEqual(recorder.events, [
      { object: 'PodDisruptionBudget/budget', type: 'Warning', reason: 'NoControllers', message: 'found no controllers for pod "a"' },
      { object: 'PodDisruptionBudget/budget', type: 'Warning', reason: 'CalculateExpectedPodCountFailed', message: 'Failed to calculate the number of expected pods: found no controllers for pod "a"' },
    ]);
    assert.deepEqual(written(), [
      {
        ...before,
        disruptionsAllowed: 0,
        conditions: [{ type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message: 'found no controllers for pod "a"', lastTransitionTime: iso(start), observedGeneration: 2 }],
      },
    ]);
  });

  test('a controller kind without a scale subresource fails the sync as upstream', async () => {
    const { controller, written } = setup({
      pdb: pdb({ minAvailable: '50%' }),
      pods: [pod('a', { owner: ref('DaemonSet', 'agent') })],
      client: (fake) => ({
        ...fake.client,
        request: async <T>() => ({ resources: [{ name: 'daemonsets', kind: 'DaemonSet' }, { name: 'daemonsets/status', kind: 'DaemonSet' }] }) as T,
        get: async () => {
          throw notFound({ group: 'apps', resource: 'daemonsets' }, 'agent');
        },
      }),
    });
    await controller.reconcile('ns/budget');
    assert.equal(written()[0].conditions?.[0].message, 'daemonsets.apps does not implement the scale subresource');
  });

  test('any other controller kind is read through its scale subresource', async () => {
    const { controller, written, fake } = setup({
      pdb: pdb({ maxUnavailable: '50%' }),
      pods: [pod('a', { owner: ref('Widget', 'w', 'example.com/v1') }), pod('b', { owner: ref('Widget', 'w', 'example.com/v1') })],
      client: (fake) => ({
        ...fake.client,
        request: async <T>() => ({ resources: [{ name: 'widgets', kind: 'Widget' }, { name: 'widgets/scale', kind: 'Scale' }] }) as T,
        get: async <T>(r: Parameters<ApiClient['get']>[0]) => {
          fake.calls.push({ verb: 'get', ref: r });
          return { kind: 'Scale', metadata: { name: 'w', uid: 'w-uid' }, spec: { replicas: 4 } } as T;
        },
      }),
    });
    await controller.reconcile('ns/budget');
    assert.deepEqual(fake.callsOf('get')[0].ref, { group: 'example.com', version: 'v1', resource: 'widgets', namespace: 'ns', name: 'w', subresource: 'scale' });
    assert.deepEqual(counts(written()[0]), { expectedPods: 4, desiredHealthy: 2, currentHealthy: 2, disruptionsAllowed: 0 });
  });

  test('unmanaged pods are left out of the expected count, with a warning', async () => {
    const { controller, written, recorder } = setup({ pdb: pdb({ minAvailable: '50%' }), pods: [pod('a'), pod('lone', { owner: null })], replicaSets: [replicaSet('web-rs', 2)] });
    await controller.reconcile('ns/budget');
    assert.deepEqual(counts(written()[0]), { expectedPods: 2, desiredHealthy: 1, currentHealthy: 2, disruptionsAllowed: 1 });
    assert.deepEqual(recorder.reasons(), ['UnmanagedPods']);
  });

  test('no matching pods: a NoPods event', async () => {
    const { controller, recorder } = setup({ pdb: pdb({ minAvailable: 1 }), pods: [] });
    await controller.reconcile('ns/budget');
    assert.deepEqual(recorder.events, [{ object: 'PodDisruptionBudget/budget', type: 'Normal', reason: 'NoPods', message: 'No matching pods found' }]);
  });

  test('a conflict on the status write is retried, not turned into SyncFailed', async () => {
    const { controller, fake, written } = setup({ pdb: pdb({ minAvailable: 1 }), pods: [pod('a'), pod('b')] });
    fake.fail = (c) => (c.verb === 'update' ? conflict({ group: 'policy', resource: 'poddisruptionbudgets' }, 'budget', 'the object has been modified') : undefined);
    await assert.rejects(controller.reconcile('ns/budget'), (err: Error) => /modified/.test(err.message));
    assert.equal(written().length, 1, 'only the one attempt');
  });

  test('a budget that is gone is not written', async () => {
    const { controller, written } = setup({ pdb: pdb({ minAvailable: 1 }), pods: [pod('a')] });
    await controller.reconcile('ns/other');
    assert.equal(written().length, 0);
  });
});

describe('reconcile: disruptedPods', () => {
  const evictedAt = iso(start - 30_000);

  test('a pod just evicted is not healthy, stays listed, and the budget is synced again when its entry expires', async () => {
    const { controller, written } = setup({ pdb: pdb({ minAvailable: 2 }, { disruptionsAllowed: 0, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, disruptedPods: { a: evictedAt } }), pods: [pod('a'), pod('b'), pod('c')] });
    const result = await controller.reconcile('ns/budget');
    const status = written()[0];
    assert.deepEqual(counts(status), { expectedPods: 3, desiredHealthy: 2, currentHealthy: 2, disruptionsAllowed: 0 });
    assert.deepEqual(status.disruptedPods, { a: evictedAt });
    assert.deepEqual(result, { requeueAfterMs: 90_000 });
  });

  test('entries of pods being deleted, or gone, are dropped', async () => {
    const { controller, written } = setup({
      pdb: pdb({ minAvailable: 1 }, { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 1, expectedPods: 3, disruptedPods: { a: evictedAt, gone: evictedAt } }),
      pods: [pod('a', { deleting: true }), pod('b'), pod('c')],
    });
    assert.equal(await controller.reconcile('ns/budget'), undefined);
    const status = written()[0];
    assert.equal(status.disruptedPods, undefined);
    assert.deepEqual(counts(status), { expectedPods: 3, desiredHealthy: 1, currentHealthy: 2, disruptionsAllowed: 1 });
  });

  test('after DeletionTimeout (2 min) a pod still running is healthy again, with a NotDeleted warning', async () => {
    const world = { pdb: pdb({ minAvailable: 2 }, { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2, expectedPods: 3, disruptedPods: { a: iso(start) } }), pods: [pod('a'), pod('b'), pod('c')] };
    const { controller, written, clock, recorder } = setup(world);
    assert.deepEqual(await controller.reconcile('ns/budget'), { requeueAfterMs: 120_000 });
    assert.equal(written().length, 1, 'the condition is written; the counts stand');
    assert.equal(written()[0].currentHealthy, 2);

    clock.advance(120_001);
    assert.equal(await controller.reconcile('ns/budget'), undefined);
    const status = written()[1];
    assert.equal(status.disruptedPods, undefined);
    assert.deepEqual(counts(status), { expectedPods: 3, desiredHealthy: 2, currentHealthy: 3, disruptionsAllowed: 1 });
    assert.deepEqual(recorder.events, [{ object: 'Pod/a', type: 'Warning', reason: 'NotDeleted', message: "Pod was expected by PDB ns/budget to be deleted but it wasn't" }]);
  });
});

describe('stale DisruptionTarget conditions', () => {
  const target = (msAgo: number, reason = 'EvictionByEvictionAPI') => [
    { type: 'Ready', status: 'True' },
    { type: 'DisruptionTarget', status: 'True', reason, message: 'Eviction API: evicting', lastTransitionTime: iso(start - msAgo) },
  ];

  test('reset to False two minutes after it was set on a pod that is not being deleted', async () => {
    const { controller, fake, clock } = setup({ pdb: pdb({ minAvailable: 1 }), pods: [pod('a', { conditions: target(30_000) })] });
    assert.deepEqual(await controller.reconcileStalePodDisruption('ns/a'), { requeueAfterMs: 90_000 });
    clock.advance(90_000);
    await controller.reconcileStalePodDisruption('ns/a');
    const [call] = fake.callsOf('update', 'pods');
    assert.equal(call.ref.subresource, 'status');
    assert.deepEqual((call.body as Pod).status?.conditions, [
      { type: 'Ready', status: 'True' },
      { type: 'DisruptionTarget', status: 'False', lastProbeTime: null, lastTransitionTime: iso(clock.now()) },
    ]);
  });

  test('left alone on pods being deleted, terminal, or marked by the kubelet', async () => {
    const deleting = pod('a', { conditions: target(600_000), deleting: true });
    const kubelet = pod('b', { conditions: target(600_000, 'TerminationByKubelet') });
    const done = pod('c', { conditions: target(600_000) });
    done.status!.phase = 'Failed';
    const { controller, fake } = setup({ pdb: pdb({ minAvailable: 1 }), pods: [deleting, kubelet, done] });
    for (const k of ['ns/a', 'ns/b', 'ns/c', 'ns/missing']) assert.equal(await controller.reconcileStalePodDisruption(k), undefined);
    assert.equal(fake.callsOf('update').length, 0);
  });
});

test('running: pod events sync the budgets that select the pod', async () => {
  const budgets = fakeSource([pdb({ minAvailable: 1 })]);
  const pods = fakeSource<Pod>([]);
  const replicaSets = fakeSource<ReplicaSet>([]).informer;
  const deployments = fakeSource<Deployment>([]).informer;
  const statefulSets = fakeSource<StatefulSet>([]).informer;
  const replicationControllers = fakeSource<ReplicationController>([]).informer;
  const fake = new FakeClient();
  const controller = new DisruptionController({
    client: fake.client,
    podDisruptionBudgets: budgets.informer,
    pods: pods.informer,
    replicaSets,
    deployments,
    statefulSets,
    replicationControllers,
    recorder: new FakeRecorder(),
    clock: new FakeClock(start),
    log: quietLogger,
  });
  const abort = new AbortController();
  const informers = [budgets.informer, pods.informer, replicaSets, deployments, statefulSets, replicationControllers];
  for (const i of informers) i.start(abort.signal);
  const run = controller.run(abort.signal);
  const healthy = () => fake.callsOf('update', 'poddisruptionbudgets').map((c) => (c.body as PodDisruptionBudget).status!.currentHealthy);
  try {
    await until('the first sync', async () => healthy().length === 1);
    pods.emit('ADDED', pod('a'));
    pods.emit('ADDED', pod('other', { labels: { app: 'db' } }));
    await until('a sync for the new pod', async () => healthy().at(-1) === 1);
    assert.equal(healthy().length, 2, 'the unselected pod synced nothing');
  } finally {
    abort.abort();
    await run;
    await Promise.all(informers.map((i) => i.stop()));
  }
});
