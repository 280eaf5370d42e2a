import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cache } from '../../cache/cache.ts';
import { defaultConfiguration } from '../../config.ts';
import { Framework } from '../../framework/runtime.ts';
import { unresolvable, unschedulable } from '../../framework/status.ts';
import { makeNode, makePod } from '../../framework/testing.ts';
import { FakeClock } from '../../../machinery/fake-clock.ts';
import { defaultPlugins, inTreeRegistry } from '../registry.ts';
import { pickOneNode, type Candidate } from './default-preemption.ts';

test('DefaultPreemption explains per node whether evicting lower-priority pods would help', () => {
  const cache = new Cache();
  for (const n of ['tainted', 'full-same-priority', 'full-low-priority', 'too-small']) {
    cache.addNode(makeNode(n, { allocatable: { cpu: n === 'too-small' ? '1' : '2', memory: '4Gi', pods: '110' } }));
  }
  const assigned = (name: string, node: string, priority: number) => {
    const p = makePod(name, { requests: { cpu: '2' }, priority });
    cache.addPod({ ...p, spec: { ...p.spec, nodeName: node } });
  };
  assigned('same', 'full-same-priority', 10);
  const fwk = new Framework({ registry: inTreeRegistry, defaultPlugins, profile: defaultConfiguration().profiles[0], nodeInfos: cache, clock: new FakeClock() });
  const filtered = new Map([
    ['tainted', unresolvable('node(s) had untolerated taint {a: }')],
    ['full-same-priority', unschedulable('Insufficient cpu')],
    ['too-small', unresolvable('Insufficient cpu')],
  ]);
  const pod = makePod('p', { requests: { cpu: '2' }, priority: 10 });
  assert.equal(
    fwk.runPostFilterPlugins(fwk.newCycleState(), pod, filtered).status.message,
    'preemption: 0/4 nodes are available: 1 No preemption victims found for incoming pod, 3 Preemption is not helpful for scheduling.',
  );
  assert.equal(
    fwk.runPostFilterPlugins(fwk.newCycleState(), makePod('never', { requests: { cpu: '2' }, preemptionPolicy: 'Never' }), filtered).status.message,
    'preemption: not eligible due to preemptionPolicy=Never.',
  );
});

test('DefaultPreemption evicts the least important victims and nominates their node', () => {
  const cache = new Cache();
  const deleted: { pod: string; reason: string }[] = [];
  const events: string[] = [];
  const assigned = (name: string, node: string, priority: number, cpu: string, startTime?: string) => {
    const p = makePod(name, { requests: { cpu }, priority });
    cache.addPod({ ...p, spec: { ...p.spec, nodeName: node }, status: { startTime } });
  };
  for (const n of ['a', 'b', 'c', 'd']) cache.addNode(makeNode(n, { allocatable: { cpu: '4', memory: '4Gi', pods: '110' } }));
  // a: two victims needed; b: one of priority 5; c: one of priority 1 but a priority-1 pod must stay; d: same priority.
  assigned('a1', 'a', 1, '2');
  assigned('a2', 'a', 1, '2');
  assigned('b1', 'b', 5, '3');
  assigned('b2', 'b', 20, '1');
  assigned('c1', 'c', 1, '3');
  assigned('c2', 'c', 1, '1');
  assigned('d1', 'd', 10, '4');
  const fwk = new Framework({
    registry: inTreeRegistry,
    defaultPlugins,
    profile: defaultConfiguration().profiles[0],
    nodeInfos: cache,
    clock: new FakeClock(),
    deletePod: (p, condition) => deleted.push({ pod: p.metadata!.name!, reason: `${condition.type}=${condition.status} ${condition.reason}: ${condition.message}` }),
    recordEvent: (p, type, reason, _action, message) => events.push(`${p.metadata!.name} ${type} ${reason} ${message}`),
  });
  const pod = makePod('p', { requests: { cpu: '3' }, priority: 10 });
  const state = fwk.newCycleState();
  fwk.runPreFilterPlugins(state, pod, cache.list());
  const filtered = new Map(cache.list().map((n) => [n.name, fwk.runFilterPlugins(state, pod, n)!]));
  const result = fwk.runPostFilterPlugins(state, pod, filtered);
  assert.equal(result.status.code, 'Success');
  assert.equal(result.nominatedNodeName, 'c', 'one victim of the lowest priority; the other priority-1 pod is reprieved');
  assert.deepEqual(deleted, [{ pod: 'c1', reason: 'DisruptionTarget=True PreemptionByScheduler: default-scheduler: preempting to accommodate a higher priority pod' }]);
  assert.deepEqual(events, [`c1 Normal Preempted Preempted by pod ${pod.metadata!.uid} on node c`]);
});

test('DefaultPreemption waits while a victim on the nominated node terminates', () => {
  const cache = new Cache();
  cache.addNode(makeNode('n', { allocatable: { cpu: '2', memory: '4Gi', pods: '110' } }));
  const victim = makePod('v', { requests: { cpu: '2' }, priority: 0, nodeName: 'n' });
  cache.addPod({ ...victim, metadata: { ...victim.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } });
  const fwk = new Framework({ registry: inTreeRegistry, defaultPlugins, profile: defaultConfiguration().profiles[0], nodeInfos: cache, clock: new FakeClock() });
  const pod = { ...makePod('p', { requests: { cpu: '2' }, priority: 10 }), status: { nominatedNodeName: 'n' } };
  const r = fwk.runPostFilterPlugins(fwk.newCycleState(), pod, new Map([['n', unschedulable('Insufficient cpu')]]));
  assert.equal(r.status.message, 'preemption: not eligible due to a terminating pod on the nominated node.');
});

test('pickOneNode orders candidates as upstream', () => {
  const p = (name: string, priority: number, startTime?: string) => ({ ...makePod(name, { priority }), status: { startTime } });
  const pick = (...cs: Candidate[]) => pickOneNode(cs, Date.parse('2026-01-01T00:00:00Z'))?.nodeName;
  assert.equal(pick({ nodeName: 'high', victims: [p('x', 5)] }, { nodeName: 'low', victims: [p('y', 1), p('z', 1)] }), 'low', 'lowest highest priority first');
  assert.equal(pick({ nodeName: 'two', victims: [p('x', 1), p('y', 1)] }, { nodeName: 'one', victims: [p('z', 1)] }), 'one', 'then the smallest offset sum');
  assert.equal(
    pick({ nodeName: 'older', victims: [p('x', 1, '2025-01-01T00:00:00Z')] }, { nodeName: 'newer', victims: [p('y', 1, '2025-06-01T00:00:00Z')] }),
    'newer',
    'then the latest start of the highest-priority victims',
  );
  assert.equal(pick({ nodeName: 'first', victims: [p('x', 1)] }, { nodeName: 'second', victims: [p('y', 1)] }), 'first');
  assert.equal(pick(), undefined);
});
