import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CycleState } from '../../framework/cycle-state.ts';
import { makeNode, makeNodeInfo, makePod } from '../../framework/testing.ts';
import { newNodeResourcesFit } from './node-resources-fit.ts';

test('NodeResourcesFit filter: reasons and codes as upstream', () => {
  const node = makeNode('n', { allocatable: { cpu: '4', memory: '8Gi', 'ephemeral-storage': '10Gi', pods: '3', 'example.com/gpu': '2' } });
  const used = makePod('used', { requests: { cpu: '3', memory: '4Gi' } });
  const cases: { name: string; requests?: Record<string, string>; existing?: number; want?: [string, string] }[] = [
    { name: 'fits', requests: { cpu: '1', memory: '1Gi' } },
    { name: 'cpu short, resolvable', requests: { cpu: '2' }, want: ['Unschedulable', 'Insufficient cpu'] },
    { name: 'cpu larger than the node', requests: { cpu: '5' }, want: ['UnschedulableAndUnresolvable', 'Insufficient cpu'] },
    { name: 'cpu and memory', requests: { cpu: '2', memory: '5Gi' }, want: ['Unschedulable', 'Insufficient cpu, Insufficient memory'] },
    { name: 'ephemeral-storage', requests: { 'ephemeral-storage': '11Gi' }, want: ['UnschedulableAndUnresolvable', 'Insufficient ephemeral-storage'] },
    { name: 'extended resource', requests: { 'example.com/gpu': '3' }, want: ['UnschedulableAndUnresolvable', 'Insufficient example.com/gpu'] },
    { name: 'extended resource the node lacks', requests: { 'example.com/fpga': '1' }, want: ['UnschedulableAndUnresolvable', 'Insufficient example.com/fpga'] },
    { name: 'too many pods', existing: 3, want: ['Unschedulable', 'Too many pods'] },
    { name: 'best effort fits while pods are free', existing: 1 },
  ];
  for (const c of cases) {
    const plugin = newNodeResourcesFit();
    const pod = makePod('p', { requests: c.requests });
    const state = new CycleState();
    plugin.preFilter!(state, pod, []);
    const pods = c.existing === undefined ? [used] : Array.from({ length: c.existing }, (_, i) => makePod(`e${i}`));
    const s = plugin.filter!(state, pod, makeNodeInfo(node, ...pods));
    assert.deepEqual(s && [s.code, s.message], c.want, c.name);
  }
});

test('NodeResourcesFit filter ignores ignoredResources', () => {
  const plugin = newNodeResourcesFit({ ignoredResources: ['example.com/fpga'] });
  const pod = makePod('p', { requests: { 'example.com/fpga': '1' } });
  const state = new CycleState();
  plugin.preFilter!(state, pod, []);
  assert.equal(plugin.filter!(state, pod, makeNodeInfo(makeNode('n'))), undefined);
});

test('NodeResourcesFit scores LeastAllocated by default, MostAllocated on request', () => {
  // upstream's example: node 4000m/10000 memory, pod 3000m/5000: ((4000-3000)*100/4000 + (10000-5000)*100/10000)/2 = (25+50)/2 = 37
  const node = makeNodeInfo(makeNode('n', { allocatable: { cpu: '4', memory: '10000', pods: '110' } }));
  const pod = makePod('p', { requests: { cpu: '3', memory: '5000' } });
  const score = (args: Parameters<typeof newNodeResourcesFit>[0]) => {
    const plugin = newNodeResourcesFit(args);
    const state = new CycleState();
    plugin.preScore!(state, pod, [node]);
    return plugin.score!(state, pod, node);
  };
  assert.equal(score({}), 37);
  // (3000*100/4000 + 5000*100/10000)/2 = (75+50)/2 = 62
  assert.equal(score({ scoringStrategy: { type: 'MostAllocated' } }), 62);
  assert.equal(score({ scoringStrategy: { type: 'LeastAllocated', resources: [{ name: 'cpu', weight: 3 }, { name: 'memory', weight: 1 }] } }), Math.trunc((25 * 3 + 50) / 4));
  assert.throws(() => newNodeResourcesFit({ scoringStrategy: { type: 'Bogus' as 'MostAllocated' } }), /Unsupported value/);
});

test('best-effort pods count as 100m / 200Mi when scoring', () => {
  const node = makeNodeInfo(makeNode('n', { allocatable: { cpu: '1', memory: `${400 * 1024 * 1024}`, pods: '110' } }));
  const plugin = newNodeResourcesFit();
  const pod = makePod('p');
  const state = new CycleState();
  plugin.preScore!(state, pod, [node]);
  assert.equal(plugin.score!(state, pod, node), Math.trunc((90 + 50) / 2));
});
