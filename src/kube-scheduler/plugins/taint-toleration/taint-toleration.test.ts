import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CycleState } from '../../framework/cycle-state.ts';
import { makeNode, makeNodeInfo, makePod } from '../../framework/testing.ts';
import type { Taint, Toleration } from '../../types.ts';
import { newTaintToleration } from './taint-toleration.ts';
import { toleratesTaint } from './tolerations.ts';

test('toleratesTaint, as upstream', () => {
  const taint: Taint = { key: 'k', value: 'v', effect: 'NoSchedule' };
  const cases: { t: Toleration; want: boolean }[] = [
    { t: { key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' }, want: true },
    { t: { key: 'k', value: 'v' }, want: true },
    { t: { key: 'k', value: 'w' }, want: false },
    { t: { key: 'k', operator: 'Exists' }, want: true },
    { t: { operator: 'Exists' }, want: true },
    { t: { operator: 'Exists', effect: 'NoExecute' }, want: false },
    { t: { key: 'other', operator: 'Exists' }, want: false },
  ];
  for (const c of cases) assert.equal(toleratesTaint(c.t, taint), c.want, JSON.stringify(c.t));
});

test('TaintToleration filter rejects untolerated NoSchedule and NoExecute taints', () => {
  const cases: { name: string; taints: Taint[]; tolerations?: Toleration[]; want?: string }[] = [
    { name: 'no taints', taints: [], want: undefined },
    { name: 'control-plane taint', taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }], want: 'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }' },
    { name: 'NoExecute with value', taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }], want: 'node(s) had untolerated taint {dedicated: db}' },
    { name: 'tolerated', taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }], tolerations: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] },
    { name: 'PreferNoSchedule does not filter', taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] },
  ];
  for (const c of cases) {
    const s = newTaintToleration().filter!(new CycleState(), makePod('p', { tolerations: c.tolerations }), makeNodeInfo(makeNode('n', { taints: c.taints })));
    assert.equal(s?.message, c.want, c.name);
    if (s) assert.equal(s.code, 'UnschedulableAndUnresolvable');
  }
});

test('TaintToleration scores nodes with fewer untolerated PreferNoSchedule taints higher', () => {
  const plugin = newTaintToleration();
  const pod = makePod('p', { tolerations: [{ key: 'tolerated', operator: 'Exists', effect: 'PreferNoSchedule' }] });
  const nodes = [
    makeNodeInfo(makeNode('clean')),
    makeNodeInfo(makeNode('one', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }] })),
    makeNodeInfo(makeNode('two', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }, { key: 'b', effect: 'PreferNoSchedule' }] })),
    makeNodeInfo(makeNode('tolerated', { taints: [{ key: 'tolerated', effect: 'PreferNoSchedule' }] })),
  ];
  const state = new CycleState();
  plugin.preScore!(state, pod, nodes);
  const scores = nodes.map((n) => ({ name: n.name, score: plugin.score!(state, pod, n) }));
  plugin.normalizeScore!(state, pod, scores);
  assert.deepEqual(scores, [
    { name: 'clean', score: 100 },
    { name: 'one', score: 50 },
    { name: 'two', score: 0 },
    { name: 'tolerated', score: 100 },
  ]);
});
