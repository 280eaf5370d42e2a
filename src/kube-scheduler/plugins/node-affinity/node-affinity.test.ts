import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CycleState } from '../../framework/cycle-state.ts';
import { makeNode, makeNodeInfo, makePod } from '../../framework/testing.ts';
import type { NodeSelectorTerm, PodSpec } from '../../types.ts';
import { newNodeAffinity } from './node-affinity.ts';

const required = (...terms: NodeSelectorTerm[]): Partial<PodSpec> => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } });

test('NodeAffinity filter: nodeSelector and required terms', () => {
  const node = makeNode('n1', { labels: { zone: 'a', disk: 'ssd', gen: '5' } });
  const cases: { name: string; spec: Partial<PodSpec>; fits: boolean }[] = [
    { name: 'nothing asked', spec: {}, fits: true },
    { name: 'nodeSelector matches', spec: { nodeSelector: { disk: 'ssd' } }, fits: true },
    { name: 'nodeSelector differs', spec: { nodeSelector: { disk: 'hdd' } }, fits: false },
    { name: 'In', spec: required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }), fits: true },
    { name: 'NotIn', spec: required({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }), fits: false },
    { name: 'Exists', spec: required({ matchExpressions: [{ key: 'disk', operator: 'Exists' }] }), fits: true },
    { name: 'DoesNotExist', spec: required({ matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }), fits: true },
    { name: 'Gt', spec: required({ matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['4'] }] }), fits: true },
    { name: 'Lt', spec: required({ matchExpressions: [{ key: 'gen', operator: 'Lt', values: ['4'] }] }), fits: false },
    { name: 'terms are ORed', spec: required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['x'] }] }, { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }), fits: true },
    { name: 'expressions are ANDed', spec: required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }, { key: 'disk', operator: 'In', values: ['hdd'] }] }), fits: false },
    { name: 'empty term matches nothing', spec: required({}), fits: false },
    { name: 'matchFields metadata.name', spec: required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }), fits: true },
    { name: 'matchFields other name', spec: required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] }), fits: false },
    { name: 'selector and affinity both needed', spec: { nodeSelector: { disk: 'hdd' }, ...required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }) }, fits: false },
  ];
  for (const c of cases) {
    const plugin = newNodeAffinity();
    const pod = makePod('p', c.spec);
    const state = new CycleState();
    const pre = plugin.preFilter!(state, pod, []);
    const s = pre?.code === 'Skip' ? undefined : plugin.filter!(state, pod, makeNodeInfo(node));
    assert.equal(s === undefined, c.fits, c.name);
    if (s) assert.deepEqual([s.code, s.message], ['UnschedulableAndUnresolvable', "node(s) didn't match Pod's node affinity/selector"], c.name);
  }
});

test('NodeAffinity scores by the weights of matching preferred terms, normalized', () => {
  const plugin = newNodeAffinity();
  const pod = makePod('p', {
    affinity: {
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 80, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } },
          { weight: 20, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } },
        ],
      },
    },
  });
  const nodes = [makeNode('both', { labels: { disk: 'ssd', zone: 'a' } }), makeNode('ssd', { labels: { disk: 'ssd' } }), makeNode('zone', { labels: { zone: 'a' } }), makeNode('none')].map((n) => makeNodeInfo(n));
  const state = new CycleState();
  assert.equal(plugin.preScore!(state, pod, nodes), undefined);
  const scores = nodes.map((n) => ({ name: n.name, score: plugin.score!(state, pod, n) }));
  plugin.normalizeScore!(state, pod, scores);
  assert.deepEqual(scores.map((s) => s.score), [100, 80, 20, 0]);
  assert.equal(plugin.preScore!(new CycleState(), makePod('q'), nodes)?.code, 'Skip');
});
