import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cache } from './cache/cache.ts';
import { defaultConfiguration } from './config.ts';
import { FitError } from './framework/fit-error.ts';
import { Framework } from './framework/runtime.ts';
import { makeNode, makePod } from './framework/testing.ts';
import { FakeClock } from '../machinery/fake-clock.ts';
import { defaultPlugins, inTreeRegistry } from './plugins/registry.ts';
import { numFeasibleNodesToFind, schedulePod, selectHost, type ScheduleContext } from './schedule-one.ts';

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
