import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CycleState } from '../../framework/cycle-state.ts';
import { makeNode, makeNodeInfo, makePod } from '../../framework/testing.ts';
import { newNodeUnschedulable } from './node-unschedulable.ts';

test('NodeUnschedulable filter', () => {
  const tolerate = [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }];
  const cases = [
    { name: 'schedulable node', unschedulable: false, tolerations: undefined, want: undefined },
    { name: 'cordoned node', unschedulable: true, tolerations: undefined, want: ['UnschedulableAndUnresolvable', 'node(s) were unschedulable'] },
    { name: 'cordoned node, tolerated', unschedulable: true, tolerations: tolerate, want: undefined },
  ];
  for (const c of cases) {
    const s = newNodeUnschedulable().filter!(new CycleState(), makePod('p', { tolerations: c.tolerations }), makeNodeInfo(makeNode('n', { unschedulable: c.unschedulable })));
    assert.deepEqual(s && [s.code, s.message], c.want, c.name);
  }
});
