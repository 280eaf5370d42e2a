import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CycleState } from '../../framework/cycle-state.ts';
import { makeNode, makeNodeInfo, makePod } from '../../framework/testing.ts';
import { newBalancedAllocation } from './balanced-allocation.ts';

test('NodeResourcesBalancedAllocation prefers even cpu/memory use', () => {
  const plugin = newBalancedAllocation();
  const pod = makePod('p', { requests: { cpu: '1', memory: '1000' } });
  const cases = [
    // cpu 1/4 = 0.25, memory 1000/4000 = 0.25: perfectly balanced
    { name: 'balanced', allocatable: { cpu: '4', memory: '4000', pods: '10' }, want: 100 },
    // cpu 0.25, memory 0.5: std 0.125 → 87
    { name: 'memory heavier', allocatable: { cpu: '4', memory: '2000', pods: '10' }, want: 87 },
    // fractions cap at 1: cpu 1, memory 0.1 → std 0.45 → 55
    { name: 'capped', allocatable: { cpu: '1', memory: '10000', pods: '10' }, want: 55 },
  ];
  for (const c of cases) {
    const node = makeNodeInfo(makeNode('n', { allocatable: c.allocatable }));
    const state = new CycleState();
    assert.equal(plugin.preScore!(state, pod, [node]), undefined);
    assert.equal(plugin.score!(state, pod, node), c.want, c.name);
  }
  assert.equal(plugin.preScore!(new CycleState(), makePod('be'), [])?.code, 'Skip', 'best-effort pods are skipped');
});
