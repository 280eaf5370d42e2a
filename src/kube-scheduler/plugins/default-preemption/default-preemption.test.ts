import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cache } from '../../cache/cache.ts';
import { defaultConfiguration } from '../../config.ts';
import { Framework } from '../../framework/runtime.ts';
import { unresolvable, unschedulable } from '../../framework/status.ts';
import { makeNode, makePod } from '../../framework/testing.ts';
import { FakeClock } from '../../../machinery/fake-clock.ts';
import { defaultPlugins, inTreeRegistry } from '../registry.ts';

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
  assigned('low', 'full-low-priority', 0);
  filtered.set('full-low-priority', unschedulable('Insufficient cpu'));
  const state = fwk.newCycleState();
  fwk.runPreFilterPlugins(state, pod, cache.list());
  assert.match(fwk.runPostFilterPlugins(state, pod, filtered).status.message, /would make room on 1 node\(s\), but preemption is not implemented yet/);
});
