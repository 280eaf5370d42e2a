import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deepFreeze } from '../../../client/indexer.ts';
import { FakeClock } from '../../../machinery/fake-clock.ts';
import { FakeClient, FakeRecorder, cacheOf, quietLogger } from '../../testing.ts';
import type { Pod } from '../../types.ts';
import { desiredTaints, NodeLifecycleController, withNoExecute, type Lease, type Node, type NodeLifecycleControllerOptions } from './node-lifecycle-controller.ts';
import { RateLimitedTimedQueue } from './rate-limited-queue.ts';
import { evictionTime, TaintEvictionController } from './taint-eviction-controller.ts';
import type { Taint } from './taints.ts';
import { computeZoneState, evictionRateFor, zoneKey, type ZoneState } from './zone-state.ts';

const start = Date.UTC(2025, 0, 1, 12);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function node(ready: string, taints?: Taint[], o: { name?: string; zone?: string; labels?: Record<string, string> } = {}): Node {
  const labels = { ...(o.zone !== undefined ? { 'topology.kubernetes.io/zone': o.zone } : {}), ...o.labels };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: o.name ?? 'n1', uid: `${o.name ?? 'n1'}-uid`, resourceVersion: '3', ...(Object.keys(labels).length ? { labels } : {}) },
    spec: taints ? { taints } : {},
    status: { conditions: [{ type: 'Ready', status: ready, reason: 'KubeletReady', lastHeartbeatTime: iso(start), lastTransitionTime: iso(start) }] },
  };
}

const lease = (renew: number, name = 'n1'): Lease => ({ metadata: { name, namespace: 'kube-node-lease' }, spec: { holderIdentity: name, renewTime: new Date(renew).toISOString() } });

/** A controller over fake nodes whose writes land in its cache, as the informer would deliver them. */
function cluster(nodes: Node[], options: Partial<NodeLifecycleControllerOptions> = {}) {
  const clock = new FakeClock(start);
  const fake = new FakeClient();
  const informer = cacheOf(nodes);
  const leases = options.leases ?? cacheOf<Lease>([]);
  const c = new NodeLifecycleController({ client: fake.client, nodes: informer, leases, recorder: new FakeRecorder(), clock, log: quietLogger, nodeMonitorGracePeriodMs: 3_600_000, ...options });
  let seen = 0;
  const sync = () => {
    for (const call of fake.calls.slice(seen)) if (call.verb === 'update' && call.ref.resource === 'nodes') informer.indexer.update(deepFreeze(structuredClone(call.body as Node)));
    seen = fake.calls.length;
  };
  const taintsOf = (name: string) => (informer.lister.get(name)?.spec?.taints ?? []).map((t) => `${t.key.replace('node.kubernetes.io/', '')}:${t.effect}`).sort();
  return {
    clock,
    fake,
    c,
    leases,
    async monitor() {
      await c.monitorNodeHealth();
      sync();
    },
    async taint() {
      await c.doNoExecuteTaintingPass();
      sync();
    },
    taintsOf,
    /** The nodes (of `names`) carrying a NoExecute taint. */
    evicting: (names: string[]) => names.filter((n) => taintsOf(n).some((t) => t.endsWith(':NoExecute'))),
    /** The kubelet reports `status` (with a fresh heartbeat). */
    report(name: string, status: string) {
      const n = structuredClone(informer.lister.get(name)!) as Node;
      n.status!.conditions = [{ type: 'Ready', status, reason: 'KubeletReady', lastHeartbeatTime: iso(clock.now()), lastTransitionTime: iso(clock.now()) }];
      informer.indexer.update(deepFreeze(n));
    },
  };
}

describe('NodeLifecycleController', () => {
  test('a node whose lease is not renewed within the grace period becomes Unknown and unreachable', async () => {
    const leases = cacheOf([lease(start), lease(start, 'n2')]);
    const k = cluster([node('True'), node('True', undefined, { name: 'n2', zone: 'b' })], { leases, nodeMonitorGracePeriodMs: 40_000 });
    await k.monitor();
    k.clock.advance(30_000);
    leases.indexer.update(lease(start + 30_000));
    leases.indexer.update(lease(start + 30_000, 'n2'));
    await k.monitor();
    k.clock.advance(39_000);
    leases.indexer.update(lease(start + 69_000, 'n2'));
    await k.monitor();
    assert.equal(k.fake.calls.length, 0, 'renewed 39 s ago: still healthy');
    k.clock.advance(2_000);
    await k.monitor();
    const [status, spec] = k.fake.callsOf('update', 'nodes');
    assert.equal(status.ref.subresource, 'status');
    const conditions = (status.body as Node).status!.conditions!;
    const ready = conditions.find((x) => x.type === 'Ready')!;
    assert.deepEqual([ready.status, ready.reason, ready.message, ready.lastHeartbeatTime], ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.', iso(start)]);
    assert.deepEqual(conditions.map((x) => x.type).sort(), ['DiskPressure', 'MemoryPressure', 'PIDPressure', 'Ready']);
    assert.equal(conditions.find((x) => x.type === 'MemoryPressure')!.reason, 'NodeStatusNeverUpdated');
    assert.equal(spec.ref.subresource, undefined);
    assert.deepEqual((spec.body as Node).spec!.taints, [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }], 'NoSchedule at once');
    assert.equal(k.c.awaitingTaint(node('Unknown')), true, 'NoExecute waits for the zone’s queue');
    await k.taint();
    const [, , noExecute] = k.fake.callsOf('update', 'nodes');
    assert.deepEqual((noExecute.body as Node).spec!.taints, [
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: iso(k.clock.now()) },
    ]);
    assert.deepEqual(k.taintsOf('n2'), []);
  });
});

describe('desiredTaints', () => {
  const t = (key: string, effect: string): Taint => ({ key, effect });
  const noExecute = (key: string): Taint => ({ key, effect: 'NoExecute', timeAdded: iso(start) });
  const cases: { name: string; current: Taint[]; ready: string | undefined; want: Taint[] | undefined }[] = [
    { name: 'a Ready node without lifecycle taints: no change', current: [t('dedicated', 'NoSchedule')], ready: 'True', want: undefined },
    { name: 'NotReady gets the not-ready NoSchedule taint at once, others kept (NoExecute is the queue’s)', current: [t('dedicated', 'NoSchedule')], ready: 'False', want: [t('dedicated', 'NoSchedule'), t('node.kubernetes.io/not-ready', 'NoSchedule')] },
    { name: 'recovered: lifecycle taints removed, NoExecute included', current: [t('node.kubernetes.io/unreachable', 'NoExecute'), t('node.kubernetes.io/unreachable', 'NoSchedule'), t('x', 'NoSchedule')], ready: 'True', want: [t('x', 'NoSchedule')] },
    { name: 'Unknown → the not-ready NoSchedule taint swaps for the unreachable one', current: [t('node.kubernetes.io/not-ready', 'NoSchedule')], ready: 'Unknown', want: [t('node.kubernetes.io/unreachable', 'NoSchedule')] },
    { name: 'Unknown with the not-ready NoExecute taint: swapped at once', current: [noExecute('node.kubernetes.io/not-ready'), t('node.kubernetes.io/not-ready', 'NoSchedule')], ready: 'Unknown', want: [noExecute('node.kubernetes.io/unreachable'), t('node.kubernetes.io/unreachable', 'NoSchedule')] },
    { name: 'NotReady with both taints already: no change', current: [noExecute('node.kubernetes.io/not-ready'), t('node.kubernetes.io/not-ready', 'NoSchedule')], ready: 'False', want: undefined },
    { name: 'never reported: left alone', current: [t('node.kubernetes.io/not-ready', 'NoSchedule')], ready: undefined, want: undefined },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(desiredTaints(c.current, c.ready, start), c.want));

  test('the queued NoExecute taint replaces the other one', () => {
    assert.deepEqual(withNoExecute([t('x', 'NoSchedule')], 'node.kubernetes.io/unreachable', start), [t('x', 'NoSchedule'), noExecute('node.kubernetes.io/unreachable')]);
    assert.deepEqual(withNoExecute([noExecute('node.kubernetes.io/unreachable')], 'node.kubernetes.io/not-ready', start), [noExecute('node.kubernetes.io/not-ready')]);
    assert.equal(withNoExecute([noExecute('node.kubernetes.io/not-ready')], 'node.kubernetes.io/not-ready', start), undefined);
  });
});

describe('zone disruption', () => {
  test('zone keys: region and zone labels, beta ones as fallback, none is the "" zone', () => {
    const labelled = (labels: Record<string, string>) => node('True', undefined, { labels });
    assert.equal(zoneKey(labelled({})), '');
    assert.equal(zoneKey(labelled({ 'topology.kubernetes.io/zone': 'a' })), ':\x00:a');
    assert.equal(zoneKey(labelled({ 'topology.kubernetes.io/region': 'r', 'topology.kubernetes.io/zone': 'a' })), 'r:\x00:a');
    assert.equal(zoneKey(labelled({ 'failure-domain.beta.kubernetes.io/zone': 'a' })), ':\x00:a');
  });

  const zoneCases: { ready: number; notReady: number; never?: number; want: ZoneState }[] = [
    { ready: 3, notReady: 0, want: 'Normal' },
    { ready: 0, notReady: 1, want: 'FullDisruption' },
    { ready: 0, notReady: 0, never: 2, want: 'FullDisruption' },
    { ready: 1, notReady: 2, want: 'Normal' }, // 67 % but only 2 not ready
    { ready: 1, notReady: 3, want: 'PartialDisruption' },
    { ready: 0, notReady: 2, never: 1, want: 'FullDisruption' },
    { ready: 2, notReady: 2, never: 1, want: 'PartialDisruption' }, // 3 of 5 = 60 %
    { ready: 9, notReady: 11, want: 'PartialDisruption' }, // 55 %
    { ready: 10, notReady: 10, want: 'Normal' }, // 50 %
  ];
  for (const c of zoneCases) {
    test(`zone of ${c.ready} ready, ${c.notReady} not ready${c.never ? `, ${c.never} never reported` : ''}: ${c.want}`, () => {
      const statuses = [...Array(c.ready).fill('True'), ...Array(c.notReady).fill('False'), ...Array(c.never ?? 0).fill(undefined)];
      assert.equal(computeZoneState(statuses, 0.55).state, c.want);
    });
  }

  test('eviction rate by zone state and size', () => {
    const rates = { nodeEvictionRate: 0.1, secondaryNodeEvictionRate: 0.01, largeClusterSizeThreshold: 50 };
    const cases: { state: ZoneState; size: number; want: number }[] = [
      { state: 'Normal', size: 3, want: 0.1 },
      { state: 'PartialDisruption', size: 50, want: 0 },
      { state: 'PartialDisruption', size: 51, want: 0.01 },
      { state: 'FullDisruption', size: 3, want: 0.1 },
    ];
    for (const c of cases) assert.equal(evictionRateFor(c.state, c.size, rates), c.want, JSON.stringify(c));
  });

  test('the tainting queue: one node per 1/rate seconds, none at rate 0, each node once', async () => {
    const clock = new FakeClock(start);
    const q = new RateLimitedTimedQueue(0.1, clock);
    for (const n of ['a', 'b', 'c']) assert.equal(q.add(n, `${n}-uid`), true);
    assert.equal(q.add('a', 'a-uid'), false);
    const done: string[] = [];
    const drain = () => q.try(async (v) => (done.push(v.value), { done: true }));
    await drain();
    assert.deepEqual(done, ['a'], 'the bucket starts with one token');
    clock.advance(9_900);
    await drain();
    assert.deepEqual(done, ['a']);
    clock.advance(100);
    await drain();
    assert.deepEqual(done, ['a', 'b']);
    q.swapLimiter(0);
    clock.advance(60_000);
    await drain();
    assert.deepEqual(done, ['a', 'b'], 'rate 0: nothing');
    q.swapLimiter(0.1);
    await drain();
    assert.deepEqual(done, ['a', 'b'], 'a bucket swapped in for an empty one starts empty');
    clock.advance(10_000);
    await drain();
    assert.deepEqual(done, ['a', 'b', 'c']);
    const retried = new RateLimitedTimedQueue(10, clock);
    retried.add('x', 'x-uid');
    let tries = 0;
    await retried.try(async () => (tries++, { done: false, retryAfterMs: 50 }));
    assert.equal(tries, 1);
    clock.advance(50);
    await retried.try(async () => (tries++, { done: true }));
    assert.equal(tries, 1, 'a failed try goes back in line (and the next token is 100 ms away)');
    clock.advance(50);
    await retried.try(async () => (tries++, { done: true }));
    assert.equal(tries, 2);
    assert.equal(retried.length, 0);
  });

  const zone = (name: string, count: number, status: string, first = 0) =>
    Array.from({ length: count }, (_, i) => node(status, undefined, { name: `${name}${first + i}`, zone: name }));
  const names = (ns: Node[]) => ns.map((n) => n.metadata.name!);

  test('one zone fully disrupted while another is healthy: its nodes are tainted at the normal rate, one per 10 s', async () => {
    const down = zone('a', 3, 'False');
    const k = cluster([...down, ...zone('b', 2, 'True')]);
    await k.monitor();
    assert.deepEqual(Object.fromEntries(k.c.zoneStates), { ':\x00:a': 'FullDisruption', ':\x00:b': 'Normal' });
    assert.equal(k.c.evictionRate(':\x00:a'), 0.1);
    for (const n of names(down)) assert.deepEqual(k.taintsOf(n), ['not-ready:NoSchedule']);
    const steps: { advance: number; tainted: number }[] = [
      { advance: 0, tainted: 1 },
      { advance: 5_000, tainted: 1 },
      { advance: 5_000, tainted: 2 },
      { advance: 10_000, tainted: 3 },
    ];
    for (const s of steps) {
      k.clock.advance(s.advance);
      await k.taint();
      assert.equal(k.evicting(names(down)).length, s.tainted, `after ${s.advance} ms more`);
    }
    assert.deepEqual(k.taintsOf('a0'), ['not-ready:NoExecute', 'not-ready:NoSchedule']);
  });

  test('every zone fully disrupted: evictions stop, NoExecute taints are removed; a recovery restores the rates', async () => {
    const a = zone('a', 2, 'True');
    const b = zone('b', 2, 'True');
    const k = cluster([...a, ...b]);
    await k.monitor();
    k.report('a0', 'False');
    await k.monitor();
    await k.taint();
    assert.deepEqual(k.evicting(['a0']), ['a0'], 'zone a is Normal: a0 tainted');
    for (const n of [...names(a), ...names(b)]) k.report(n, 'False');
    await k.monitor();
    assert.deepEqual([...k.c.zoneStates.values()], ['FullDisruption', 'FullDisruption']);
    assert.deepEqual([k.c.evictionRate(':\x00:a'), k.c.evictionRate(':\x00:b')], [0, 0]);
    assert.deepEqual(k.evicting([...names(a), ...names(b)]), [], 'a0’s NoExecute taint removed');
    assert.deepEqual(k.taintsOf('a0'), ['not-ready:NoSchedule'], 'NoSchedule stays');
    for (let i = 0; i < 3; i++) {
      k.clock.advance(30_000);
      await k.monitor();
      await k.taint();
    }
    assert.deepEqual(k.evicting([...names(a), ...names(b)]), [], 'nothing tainted while every zone is down');
    k.report('b0', 'True');
    await k.monitor();
    assert.deepEqual(Object.fromEntries(k.c.zoneStates), { ':\x00:a': 'FullDisruption', ':\x00:b': 'Normal' });
    assert.deepEqual([k.c.evictionRate(':\x00:a'), k.c.evictionRate(':\x00:b')], [0.1, 0.1]);
    await k.taint();
    assert.deepEqual(k.evicting([...names(a), 'b1']), [], 'the rates start from an empty bucket');
    k.clock.advance(10_000);
    await k.taint();
    assert.equal(k.evicting([...names(a), 'b1']).length, 2, 'one node per zone after 10 s');
  });

  test('partial disruption: a small zone stops tainting, a large one slows to the secondary rate', async () => {
    const small = [...zone('s', 3, 'False'), ...zone('s', 1, 'True', 3)];
    const large = [...zone('l', 40, 'False'), ...zone('l', 20, 'True', 40)];
    const k = cluster([...small, ...large]);
    await k.monitor();
    assert.deepEqual(Object.fromEntries(k.c.zoneStates), { ':\x00:s': 'PartialDisruption', ':\x00:l': 'PartialDisruption' });
    assert.deepEqual([k.c.evictionRate(':\x00:s'), k.c.evictionRate(':\x00:l')], [0, 0.01]);
    const steps: { advance: number; small: number; large: number }[] = [
      { advance: 0, small: 0, large: 1 },
      { advance: 50_000, small: 0, large: 1 },
      { advance: 50_000, small: 0, large: 2 },
      { advance: 100_000, small: 0, large: 3 },
    ];
    for (const s of steps) {
      k.clock.advance(s.advance);
      await k.taint();
      assert.deepEqual([k.evicting(names(small)).length, k.evicting(names(large)).length], [s.small, s.large], `after ${s.advance} ms more`);
    }
    // The small zone heals below the threshold: back to Normal and the normal rate.
    k.report('s1', 'True');
    k.report('s2', 'True');
    await k.monitor();
    assert.equal(k.c.zoneStates.get(':\x00:s'), 'Normal');
    assert.equal(k.c.evictionRate(':\x00:s'), 0.1);
    await k.taint();
    assert.deepEqual(k.evicting(names(small)), [], 'the rate 0 bucket was empty, so is the new one');
    k.clock.advance(10_000);
    await k.taint();
    assert.deepEqual(k.evicting(names(small)), ['s0']);
  });

  test('the thresholds are options; nodes labelled exclude-disruption do not count', async () => {
    const nodes = [...zone('a', 2, 'False'), ...zone('a', 2, 'True', 2)];
    const k = cluster(nodes, { unhealthyZoneThreshold: 0.5, largeClusterSizeThreshold: 3, secondaryNodeEvictionRate: 0.5, nodeEvictionRate: 1 });
    await k.monitor();
    assert.equal(k.c.zoneStates.get(':\x00:a'), 'Normal', 'only 2 not ready');
    assert.equal(k.c.evictionRate(':\x00:a'), 1);
    const more = cluster([...zone('a', 3, 'False'), ...zone('a', 2, 'True', 3)], { unhealthyZoneThreshold: 0.5, largeClusterSizeThreshold: 3, secondaryNodeEvictionRate: 0.5 });
    await more.monitor();
    assert.equal(more.c.zoneStates.get(':\x00:a'), 'PartialDisruption');
    assert.equal(more.c.evictionRate(':\x00:a'), 0.5, '5 nodes > 3: a large zone');
    const excluded = cluster([node('False', undefined, { name: 'x', labels: { 'node.kubernetes.io/exclude-disruption': '' } }), node('True', undefined, { name: 'y' })]);
    await excluded.monitor();
    assert.equal(excluded.c.zoneStates.get(''), 'Normal');
  });
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
