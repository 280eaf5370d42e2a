import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cache } from '../../cache/cache.ts';
import { defaultConfiguration } from '../../config.ts';
import { Framework } from '../../framework/runtime.ts';
import { Status, unresolvable, unschedulable } from '../../framework/status.ts';
import { fakeListers, makeNode, makePod } from '../../framework/testing.ts';
import { FakeClock } from '../../../machinery/fake-clock.ts';
import { defaultPlugins, inTreeRegistry } from '../registry.ts';
import type { LabelSelector, Pod, PodDisruptionBudget } from '../../types.ts';
import { pickOneNode, selectVictimsOnNode, type Candidate } from './default-preemption.ts';

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
  const c = (nodeName: string, victims: Pod[], numPDBViolations = 0): Candidate => ({ nodeName, victims, numPDBViolations });
  const cases: { name: string; candidates: Candidate[]; want: string | undefined }[] = [
    { name: 'fewest PDB violations first, whatever the priorities', candidates: [c('violates', [p('x', 1)], 1), c('respects', [p('y', 100), p('z', 100)])], want: 'respects' },
    { name: 'fewer violations beat more', candidates: [c('two', [p('x', 1), p('y', 1)], 2), c('one', [p('z', 1), p('w', 1)], 1)], want: 'one' },
    { name: 'then the lowest highest priority', candidates: [c('high', [p('x', 5)]), c('low', [p('y', 1), p('z', 1)])], want: 'low' },
    { name: 'then the smallest offset sum', candidates: [c('two', [p('x', 1), p('y', 1)]), c('one', [p('z', 1)])], want: 'one' },
    { name: 'negative priorities: fewer victims still win the sum', candidates: [c('two', [p('x', -5), p('y', -5)]), c('one', [p('z', -5)])], want: 'one' },
    {
      name: 'then the latest start of the highest-priority victims',
      candidates: [c('older', [p('x', 1, '2025-01-01T00:00:00Z')]), c('newer', [p('y', 1, '2025-06-01T00:00:00Z')])],
      want: 'newer',
    },
    { name: 'then the first', candidates: [c('first', [p('x', 1)]), c('second', [p('y', 1)])], want: 'first' },
    { name: 'none', candidates: [], want: undefined },
  ];
  for (const tc of cases) assert.equal(pickOneNode(tc.candidates, Date.parse('2026-01-01T00:00:00Z'))?.nodeName, tc.want, tc.name);
});

const pdb = (name: string, app: string, disruptionsAllowed: number, extra: { namespace?: string; disruptedPods?: Record<string, string>; selector?: LabelSelector | null } = {}): PodDisruptionBudget => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name, namespace: extra.namespace ?? 'default' },
  spec: { selector: extra.selector === undefined ? { matchLabels: { app } } : extra.selector },
  status: { disruptionsAllowed, disruptedPods: extra.disruptedPods },
});

test('selectVictimsOnNode reprieves PDB-violating victims first and counts the violations', () => {
  // One node of 6 cpu; the incoming pod (priority 10) needs `need` cpu; each pod below asks 2 cpu.
  // Pods are listed most important first (same priority, earlier start).
  type Case = { name: string; pods: { name: string; app: string; priority?: number }[]; need: string; pdbs: PodDisruptionBudget[]; victims: string[]; violations: number };
  const cases: Case[] = [
    {
      name: 'no budgets: the least important go',
      pods: [{ name: 'w1', app: 'web' }, { name: 'w2', app: 'web' }, { name: 'w3', app: 'web' }],
      need: '4',
      pdbs: [],
      victims: ['w2', 'w3'],
      violations: 0,
    },
    {
      name: 'a budget of 1: the first victim in importance order is allowed, the others would violate and are reprieved first',
      pods: [{ name: 'w1', app: 'web' }, { name: 'w2', app: 'web' }, { name: 'w3', app: 'web' }],
      need: '4',
      pdbs: [pdb('web', 'web', 1)],
      victims: ['w1', 'w3'],
      violations: 1,
    },
    {
      name: 'a protected pod is kept when an unprotected one frees enough',
      pods: [{ name: 'db', app: 'db' }, { name: 'web', app: 'web' }, { name: 'cache', app: 'cache' }],
      need: '2',
      pdbs: [pdb('cache', 'cache', 0)],
      victims: ['web'],
      violations: 0,
    },
    {
      name: 'only violating victims: preemption still takes them',
      pods: [{ name: 'd1', app: 'db' }, { name: 'd2', app: 'db' }, { name: 'd3', app: 'db' }],
      need: '4',
      pdbs: [pdb('db', 'db', 0)],
      victims: ['d2', 'd3'],
      violations: 2,
    },
    {
      name: 'pods already in disruptedPods take nothing from the budget: only w3 would violate, and it is reprieved',
      pods: [{ name: 'w1', app: 'web' }, { name: 'w2', app: 'web' }, { name: 'w3', app: 'web' }],
      need: '4',
      pdbs: [pdb('web', 'web', 1, { disruptedPods: { w1: '2026-01-01T00:00:00Z' } })],
      victims: ['w1', 'w2'],
      violations: 0,
    },
    {
      name: 'budgets of another namespace, or with a null or empty selector, match nothing',
      pods: [{ name: 'w1', app: 'web' }, { name: 'w2', app: 'web' }, { name: 'w3', app: 'web' }],
      need: '4',
      pdbs: [pdb('elsewhere', 'web', 0, { namespace: 'other' }), pdb('null', 'web', 0, { selector: null }), pdb('empty', 'web', 0, { selector: {} })],
      victims: ['w2', 'w3'],
      violations: 0,
    },
    {
      name: 'higher-priority pods are never victims',
      pods: [{ name: 'vip', app: 'web', priority: 20 }, { name: 'w1', app: 'web' }, { name: 'w2', app: 'web' }],
      need: '4',
      pdbs: [pdb('web', 'web', 0)],
      victims: ['w1', 'w2'],
      violations: 2,
    },
  ];
  for (const tc of cases) {
    const cache = new Cache();
    cache.addNode(makeNode('n', { allocatable: { cpu: '6', memory: '8Gi', pods: '110' } }));
    tc.pods.forEach((p, i) => {
      const pod = makePod(p.name, { requests: { cpu: '2' }, priority: p.priority ?? 1, nodeName: 'n' }, { labels: { app: p.app } });
      cache.addPod({ ...pod, status: { startTime: `2025-01-0${i + 1}T00:00:00Z` } });
    });
    const fwk = new Framework({ registry: inTreeRegistry, defaultPlugins, profile: defaultConfiguration().profiles[0], nodeInfos: cache, clock: new FakeClock() });
    const pod = makePod('p', { requests: { cpu: tc.need }, priority: 10 });
    const state = fwk.newCycleState();
    fwk.runPreFilterPlugins(state, pod, cache.list());
    const result = selectVictimsOnNode(fwk.handle, state, pod, cache.get('n')!, tc.pdbs);
    assert.ok(!(result instanceof Status), tc.name);
    assert.deepEqual(
      { victims: result.victims.map((v) => v.metadata!.name), violations: result.numPDBViolations },
      { victims: tc.victims, violations: tc.violations },
      tc.name,
    );
  }
});

test('DefaultPreemption picks the node whose victims no PodDisruptionBudget protects', () => {
  const cache = new Cache();
  for (const n of ['guarded', 'open']) cache.addNode(makeNode(n, { allocatable: { cpu: '2', memory: '4Gi', pods: '110' } }));
  const assigned = (name: string, node: string, priority: number, app: string) => {
    const p = makePod(name, { requests: { cpu: '2' }, priority, nodeName: node }, { labels: { app } });
    cache.addPod(p);
  };
  // Without budgets 'guarded' wins (its victim has the lower priority).
  assigned('db-0', 'guarded', 1, 'db');
  assigned('batch-0', 'open', 5, 'batch');
  const deleted: string[] = [];
  const build = (pdbs: PodDisruptionBudget[]) =>
    new Framework({
      registry: inTreeRegistry,
      defaultPlugins,
      profile: defaultConfiguration().profiles[0],
      nodeInfos: cache,
      clock: new FakeClock(),
      listers: fakeListers({ pdbs }),
      deletePod: (p) => deleted.push(p.metadata!.name!),
    });
  const pod = makePod('p', { requests: { cpu: '2' }, priority: 10 });
  const run = (fwk: Framework) => {
    const state = fwk.newCycleState();
    fwk.runPreFilterPlugins(state, pod, cache.list());
    const filtered = new Map(cache.list().map((n) => [n.name, fwk.runFilterPlugins(state, pod, n)!]));
    return fwk.runPostFilterPlugins(state, pod, filtered).nominatedNodeName;
  };
  assert.equal(run(build([])), 'guarded');
  assert.equal(run(build([pdb('db', 'db', 0)])), 'open');
  assert.equal(run(build([pdb('db', 'db', 0), pdb('batch', 'batch', 0)])), 'guarded', 'both violate: back to priorities');
  assert.deepEqual(deleted, ['db-0', 'batch-0', 'db-0']);
});

test('DefaultPreemption drops the nomination when no node can be made to fit', () => {
  const cache = new Cache();
  cache.addNode(makeNode('n', { allocatable: { cpu: '2', memory: '4Gi', pods: '110' } }));
  cache.addPod(makePod('same', { requests: { cpu: '2' }, priority: 10, nodeName: 'n' }));
  const fwk = new Framework({ registry: inTreeRegistry, defaultPlugins, profile: defaultConfiguration().profiles[0], nodeInfos: cache, clock: new FakeClock() });
  const r = fwk.runPostFilterPlugins(fwk.newCycleState(), makePod('p', { requests: { cpu: '2' }, priority: 10 }), new Map([['n', unschedulable('Insufficient cpu')]]));
  assert.equal(r.status.code, 'Unschedulable');
  assert.equal(r.nominatedNodeName, '');
});
