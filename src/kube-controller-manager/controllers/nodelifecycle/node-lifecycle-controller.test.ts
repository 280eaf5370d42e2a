import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../../../machinery/fake-clock.ts';
import { FakeClient, FakeRecorder, cacheOf, quietLogger } from '../../testing.ts';
import type { Pod } from '../../types.ts';
import { desiredTaints, NodeLifecycleController, type Lease, type Node } from './node-lifecycle-controller.ts';
import { evictionTime, TaintEvictionController } from './taint-eviction-controller.ts';
import type { Taint } from './taints.ts';

const start = Date.UTC(2025, 0, 1, 12);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function node(ready: string, taints?: Taint[]): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n1', resourceVersion: '3' },
    spec: taints ? { taints } : {},
    status: { conditions: [{ type: 'Ready', status: ready, reason: 'KubeletReady', lastHeartbeatTime: iso(start), lastTransitionTime: iso(start) }] },
  };
}

const lease = (renew: number): Lease => ({ metadata: { name: 'n1', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'n1', renewTime: new Date(renew).toISOString() } });

describe('NodeLifecycleController', () => {
  test('a node whose lease is not renewed within the grace period becomes Unknown and unreachable', async () => {
    const clock = new FakeClock(start);
    const fake = new FakeClient();
    const leases = cacheOf([lease(start)]);
    const c = new NodeLifecycleController({ client: fake.client, nodes: cacheOf([node('True')]), leases, recorder: new FakeRecorder(), clock, log: quietLogger, nodeMonitorGracePeriodMs: 40_000 });
    await c.monitorNodeHealth();
    clock.advance(30_000);
    leases.indexer.update(lease(start + 30_000));
    await c.monitorNodeHealth();
    clock.advance(39_000);
    await c.monitorNodeHealth();
    assert.equal(fake.calls.length, 0, 'renewed 39 s ago: still healthy');
    clock.advance(2_000);
    await c.monitorNodeHealth();
    const [status, spec] = fake.callsOf('update', 'nodes');
    assert.equal(status.ref.subresource, 'status');
    const conditions = (status.body as Node).status!.conditions!;
    const ready = conditions.find((x) => x.type === 'Ready')!;
    assert.deepEqual([ready.status, ready.reason, ready.message, ready.lastHeartbeatTime], ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.', iso(start)]);
    assert.deepEqual(conditions.map((x) => x.type).sort(), ['DiskPressure', 'MemoryPressure', 'PIDPressure', 'Ready']);
    assert.equal(conditions.find((x) => x.type === 'MemoryPressure')!.reason, 'NodeStatusNeverUpdated');
    assert.equal(spec.ref.subresource, undefined);
    assert.deepEqual((spec.body as Node).spec!.taints, [
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: iso(clock.now()) },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
    ]);
  });
});

describe('desiredTaints', () => {
  const t = (key: string, effect: string): Taint => ({ key, effect });
  const cases: { name: string; current: Taint[]; ready: string | undefined; want: Taint[] | undefined }[] = [
    { name: 'a Ready node without lifecycle taints: no change', current: [t('dedicated', 'NoSchedule')], ready: 'True', want: undefined },
    { name: 'NotReady gets not-ready taints, others kept', current: [t('dedicated', 'NoSchedule')], ready: 'False', want: [t('dedicated', 'NoSchedule'), { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: iso(start) }, t('node.kubernetes.io/not-ready', 'NoSchedule')] },
    { name: 'recovered: lifecycle taints removed', current: [t('node.kubernetes.io/unreachable', 'NoExecute'), t('node.kubernetes.io/unreachable', 'NoSchedule'), t('x', 'NoSchedule')], ready: 'True', want: [t('x', 'NoSchedule')] },
    { name: 'Unknown → the not-ready taints swap for unreachable ones', current: [t('node.kubernetes.io/not-ready', 'NoSchedule')], ready: 'Unknown', want: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: iso(start) }, t('node.kubernetes.io/unreachable', 'NoSchedule')] },
    { name: 'never reported: left alone', current: [t('node.kubernetes.io/not-ready', 'NoSchedule')], ready: undefined, want: undefined },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(desiredTaints(c.current, c.ready, start), c.want));
});

describe('evictionTime', () => {
  const taint: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: iso(start) };
  const cases: { name: string; tolerations: object[]; want: number | undefined }[] = [
    { name: 'no toleration: now', tolerations: [], want: 0 },
    { name: 'the default 300 s toleration', tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }], want: start + 300_000 },
    { name: 'tolerated for ever', tolerations: [{ operator: 'Exists' }], want: undefined },
    { name: 'a toleration of another taint does not count', tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }], want: 0 },
  ];
  for (const c of cases) test(c.name, () => assert.equal(evictionTime(c.tolerations, [taint], () => start), c.want));
});

test('TaintEvictionController deletes a pod once its toleration runs out', async () => {
  const clock = new FakeClock(start);
  const fake = new FakeClient();
  const recorder = new FakeRecorder();
  const tainted = node('Unknown', [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: iso(start) }]);
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns', uid: 'p-uid' },
    spec: { nodeName: 'n1', tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }] },
  };
  const c = new TaintEvictionController({ client: fake.client, pods: cacheOf([pod]), nodes: cacheOf([tainted]), recorder, clock, log: quietLogger });
  assert.deepEqual(await c.reconcile('ns/p'), { requeueAfterMs: 300_000 });
  clock.advance(300_000);
  await c.reconcile('ns/p');
  assert.deepEqual(fake.callsOf('delete', 'pods').map((x) => x.ref.name), ['p']);
  assert.deepEqual(recorder.events.map((e) => e.reason), ['TaintManagerEviction']);
});
