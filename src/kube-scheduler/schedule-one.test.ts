import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cache } from './cache/cache.ts';
import { defaultConfiguration } from './config.ts';
import { FitError } from './framework/fit-error.ts';
import { Framework } from './framework/runtime.ts';
import { makeNode, makePod } from './framework/testing.ts';
import { FakeClock } from '../machinery/fake-clock.ts';
import { defaultPlugins, inTreeRegistry } from './plugins/registry.ts';
import { schedulerMetrics } from './metrics.ts';
import { Nominator } from './queue/nominator.ts';
import { SchedulingQueue } from './queue/scheduling-queue.ts';
import { numFeasibleNodesToFind, scheduleOne, schedulePod, selectHost, type ScheduleContext } from './schedule-one.ts';
import type { Pod } from './types.ts';

function setup(nodes: ReturnType<typeof makeNode>[]) {
  const cache = new Cache();
  for (const n of nodes) cache.addNode(n);
  const fwk = new Framework({ registry: inTreeRegistry, defaultPlugins, profile: defaultConfiguration().profiles[0], nodeInfos: cache, clock: new FakeClock() });
  const ctx = { cache, percentageOfNodesToScore: 0, nextStartNodeIndex: 0, random: () => 0.5 } as unknown as ScheduleContext;
  return { cache, fwk, ctx, schedule: (pod: ReturnType<typeof makePod>) => schedulePod(ctx, fwk, fwk.newCycleState(), pod) };
}

test('the cycle filters, scores and counts assumed pods for the next pod', () => {
  const { cache, schedule } = setup([makeNode('small', { allocatable: { cpu: '2', memory: '4Gi', pods: '110' } }), makeNode('big', { allocatable: { cpu: '8', memory: '16Gi', pods: '110' } })]);
  const first = makePod('first', { requests: { cpu: '1', memory: '1Gi' } });
  assert.equal(schedule(first), 'big', 'LeastAllocated prefers the emptier node');
  cache.assumePod({ ...first, spec: { ...first.spec, nodeName: 'big' } });
  assert.equal(schedule(makePod('needs7', { requests: { cpu: '7' } })), 'big');
  cache.assumePod({ ...makePod('seven', { requests: { cpu: '7' } }), spec: { nodeName: 'big', containers: [{ name: 'c', resources: { requests: { cpu: '7' } } }] } });
  assert.equal(schedule(makePod('next', { requests: { cpu: '1' } })), 'small', 'the assumed pods fill big');
});

test('no fitting node gives upstream\'s message, with the preemption diagnosis', () => {
  const taint = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };
  const { schedule, fwk } = setup([makeNode('cp', { taints: [taint] }), makeNode('w1', { allocatable: { cpu: '2', memory: '4Gi', pods: '110' } }), makeNode('w2', { allocatable: { cpu: '2', memory: '4Gi', pods: '110' } })]);
  const pod = makePod('huge', { requests: { cpu: '3' } });
  let err: unknown;
  try {
    schedule(pod);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof FitError);
  const post = fwk.runPostFilterPlugins(fwk.newCycleState(), pod, err.diagnosis.nodeToStatus);
  err.diagnosis.postFilterMsg = post.status.message;
  assert.equal(
    err.message,
    '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling..',
  );
  assert.deepEqual([...err.diagnosis.unschedulablePlugins].sort(), ['NodeResourcesFit', 'TaintToleration']);
});

test('numFeasibleNodesToFind follows upstream\'s adaptive percentage', () => {
  assert.equal(numFeasibleNodesToFind(0, 50), 50);
  assert.equal(numFeasibleNodesToFind(0, 500), 230);
  assert.equal(numFeasibleNodesToFind(0, 5000), 500);
  assert.equal(numFeasibleNodesToFind(0, 6000), 300);
  assert.equal(numFeasibleNodesToFind(10, 500), 100);
  assert.equal(numFeasibleNodesToFind(100, 500), 500);
});

test('selectHost picks the best, ties at random', () => {
  const scores = [
    { name: 'a', score: 10 },
    { name: 'b', score: 30 },
    { name: 'c', score: 30 },
  ];
  assert.equal(selectHost(scores, () => 0.9), 'b');
  assert.equal(selectHost(scores, () => 0.1), 'c');
});

test('a preemptor keeps the room it freed until it is bound', async () => {
  const clock = new FakeClock();
  const cache = new Cache({ clock });
  cache.addNode(makeNode('n', { allocatable: { cpu: '2', memory: '4Gi', pods: '110' } }));
  const victim = makePod('victim', { requests: { cpu: '2' }, priority: 0, nodeName: 'n' });
  cache.addPod(victim);
  const nominator = new Nominator({ isAssumed: (pod) => cache.isAssumed(pod) });
  const queue = new SchedulingQueue({ clock, nominator });
  const bound: string[] = [];
  const statusWrites: { pod: string; nominatedNodeName?: string }[] = [];
  const fwk = new Framework({
    registry: inTreeRegistry,
    defaultPlugins,
    profile: defaultConfiguration().profiles[0],
    nodeInfos: cache,
    clock,
    nominator,
    deletePod: (p) => cache.removePod(p),
    bindPod: async (p, node) => {
      bound.push(`${p.metadata!.name}@${node}`);
    },
  });
  const ctx: ScheduleContext = {
    cache,
    queue,
    profiles: new Map([['default-scheduler', fwk]]),
    recorder: { event: () => {} } as unknown as ScheduleContext['recorder'],
    metrics: schedulerMetrics(),
    clock,
    random: () => 0.5,
    percentageOfNodesToScore: 0,
    updatePodCondition: async (pod, _condition, nominatedNodeName) => {
      statusWrites.push({ pod: pod.metadata!.name!, nominatedNodeName });
    },
    log: { info() {}, warn() {}, error() {}, debug() {} },
    signal: new AbortController().signal,
    nextStartNodeIndex: 0,
    binding: new Set(),
  };
  const cycle = async (pod: Pod, add = true) => {
    if (add) queue.add(pod);
    const info = await queue.pop();
    assert.equal(info?.pod.metadata?.name, pod.metadata?.name);
    scheduleOne(ctx, info!);
    await Promise.all(ctx.binding);
  };

  const preemptor = makePod('preemptor', { requests: { cpu: '2' }, priority: 100 });
  await cycle(preemptor);
  assert.equal(cache.get('n')!.podCount, 0, 'the victim was evicted');
  assert.deepEqual(statusWrites, [{ pod: 'preemptor', nominatedNodeName: 'n' }]);
  assert.deepEqual(nominator.nominatedPodsForNode('n').map((i) => i.pod.metadata!.name), ['preemptor'], 'nominated before the status write comes back');

  await cycle(makePod('low', { requests: { cpu: '2' }, priority: 10 }));
  assert.deepEqual(bound, [], 'the lower-priority pod does not take the freed room');
  assert.equal(queue.whereIs('default/low'), 'unschedulable');

  // The victim's deletion retries both; the preemptor, more important, goes first.
  queue.moveAllToActiveOrBackoff('AssignedPodDelete');
  clock.advance(10_000);
  assert.equal(nominator.size, 1);
  await cycle(preemptor, false);
  assert.deepEqual(bound, ['preemptor@n']);
  assert.equal(nominator.size, 0, 'no longer nominated once assumed');
  queue.close();
  cache.close();
});
