import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CycleState } from '../../framework/cycle-state.ts';
import type { Handle } from '../../framework/interfaces.ts';
import type { NodeInfo } from '../../framework/node-info.ts';
import { fakeHandle, makeNode, makeNodeInfo, makePod } from '../../framework/testing.ts';
import type { Pod, PodSpec, TopologySpreadConstraint } from '../../types.ts';
import { errReasonConstraintsNotMatch, errReasonNodeLabelNotMatch, newPodTopologySpread } from './pod-topology-spread.ts';

const handleOf = (nodes: NodeInfo[]): Handle => fakeHandle(nodes);

const spread = (c: Partial<TopologySpreadConstraint> = {}): TopologySpreadConstraint => ({ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } }, ...c });
const incoming = (constraints: TopologySpreadConstraint[], labels: Record<string, string> = { app: 'web' }, spec: Partial<PodSpec> = {}) => makePod('p', { topologySpreadConstraints: constraints, ...spec }, { labels });
const web = (name: string, extra: { namespace?: string; terminating?: boolean; labels?: Record<string, string> } = {}): Pod => {
  const p = makePod(name, {}, { labels: extra.labels ?? { app: 'web' }, namespace: extra.namespace });
  return extra.terminating ? { ...p, metadata: { ...p.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } } : p;
};

const zoneNode = (name: string, zone: string, opts: Parameters<typeof makeNode>[1] = {}) => makeNode(name, { ...opts, labels: { zone, ...opts.labels } });

/** Filter result per node: '' for fits, else the reason. */
function filterAll(pod: Pod, nodes: NodeInfo[]): Record<string, string> {
  const plugin = newPodTopologySpread({}, handleOf(nodes));
  const state = new CycleState();
  const pre = plugin.preFilter!(state, pod, nodes);
  return Object.fromEntries(nodes.map((n) => [n.name, pre?.code === 'Skip' ? '' : (plugin.filter!(state, pod, n)?.message ?? '')]));
}

test('PodTopologySpread filter: maxSkew over domains, minDomains and node inclusion policies', () => {
  const bad = errReasonConstraintsNotMatch;
  // zone1: a (2 web pods), b (1); zone2: x (1), y (0)
  const cluster = (extra: NodeInfo[] = []) => [
    makeNodeInfo(zoneNode('a', 'zone1'), web('w1'), web('w2')),
    makeNodeInfo(zoneNode('b', 'zone1'), web('w3')),
    makeNodeInfo(zoneNode('x', 'zone2'), web('w4')),
    makeNodeInfo(zoneNode('y', 'zone2')),
    ...extra,
  ];
  const cases: { name: string; pod: Pod; nodes: () => NodeInfo[]; want: Record<string, string> }[] = [
    { name: 'no constraints: skipped', pod: makePod('p'), nodes: () => cluster(), want: { a: '', b: '', x: '', y: '' } },
    { name: 'no pods yet', pod: incoming([spread()]), nodes: () => [makeNodeInfo(zoneNode('a', 'zone1')), makeNodeInfo(zoneNode('x', 'zone2'))], want: { a: '', x: '' } },
    { name: 'zones 3 vs 1: only zone2', pod: incoming([spread()]), nodes: () => cluster(), want: { a: bad, b: bad, x: '', y: '' } },
    { name: 'maxSkew 2 still refuses zone1', pod: incoming([spread({ maxSkew: 2 })]), nodes: () => cluster(), want: { a: bad, b: bad, x: '', y: '' } },
    { name: 'maxSkew 3 allows zone1', pod: incoming([spread({ maxSkew: 3 })]), nodes: () => cluster(), want: { a: '', b: '', x: '', y: '' } },
    { name: 'per hostname', pod: incoming([spread({ topologyKey: 'kubernetes.io/hostname' })]), nodes: () => cluster(), want: { a: bad, b: bad, x: bad, y: '' } },
    { name: 'a pod not matching its own selector adds nothing', pod: incoming([spread({ maxSkew: 2 })], { app: 'other' }), nodes: () => cluster(), want: { a: '', b: '', x: '', y: '' } },
    {
      name: 'a node without the key is unresolvable',
      pod: incoming([spread()]),
      nodes: () => [makeNodeInfo(zoneNode('a', 'zone1')), makeNodeInfo(makeNode('bare'))],
      want: { a: '', bare: errReasonNodeLabelNotMatch },
    },
    {
      name: 'constraints are ANDed',
      pod: incoming([spread(), spread({ topologyKey: 'kubernetes.io/hostname' })]),
      nodes: () => cluster(),
      want: { a: bad, b: bad, x: bad, y: '' },
    },
    {
      name: 'minDomains above the domains present makes the minimum 0',
      pod: incoming([spread({ minDomains: 3 })]),
      nodes: () => [makeNodeInfo(zoneNode('a', 'zone1'), web('w1')), makeNodeInfo(zoneNode('x', 'zone2'), web('w2'))],
      want: { a: bad, x: bad },
    },
    {
      name: 'minDomains met',
      pod: incoming([spread({ minDomains: 2 })]),
      nodes: () => [makeNodeInfo(zoneNode('a', 'zone1'), web('w1')), makeNodeInfo(zoneNode('x', 'zone2'), web('w2'))],
      want: { a: '', x: '' },
    },
    {
      name: 'terminating pods and other namespaces do not count',
      pod: incoming([spread()]),
      nodes: () => [makeNodeInfo(zoneNode('a', 'zone1'), web('w1', { terminating: true }), web('w2', { namespace: 'other' })), makeNodeInfo(zoneNode('x', 'zone2'))],
      want: { a: '', x: '' },
    },
    {
      name: 'nodeAffinityPolicy Honor (default): domains the pod cannot reach do not count',
      pod: incoming([spread()], { app: 'web' }, { nodeSelector: { zone: 'zone1' } }),
      nodes: () => [makeNodeInfo(zoneNode('a', 'zone1'), web('w1')), makeNodeInfo(zoneNode('x', 'zone2'))],
      want: { a: '', x: '' },
    },
    {
      name: 'nodeAffinityPolicy Ignore: they count',
      pod: incoming([spread({ nodeAffinityPolicy: 'Ignore' })], { app: 'web' }, { nodeSelector: { zone: 'zone1' } }),
      nodes: () => [makeNodeInfo(zoneNode('a', 'zone1'), web('w1')), makeNodeInfo(zoneNode('x', 'zone2'))],
      want: { a: bad, x: '' },
    },
    {
      name: 'nodeTaintsPolicy Ignore (default): tainted domains count',
      pod: incoming([spread()]),
      nodes: () => [makeNodeInfo(zoneNode('a', 'zone1'), web('w1')), makeNodeInfo(zoneNode('x', 'zone2', { taints: [{ key: 'k', effect: 'NoSchedule' }] }))],
      want: { a: bad, x: '' },
    },
    {
      name: 'nodeTaintsPolicy Honor: untolerated tainted domains do not',
      pod: incoming([spread({ nodeTaintsPolicy: 'Honor' })]),
      nodes: () => [makeNodeInfo(zoneNode('a', 'zone1'), web('w1')), makeNodeInfo(zoneNode('x', 'zone2', { taints: [{ key: 'k', effect: 'NoSchedule' }] }))],
      want: { a: '', x: '' },
    },
    {
      name: 'matchLabelKeys narrows the selector to the pod own values',
      pod: incoming([spread({ matchLabelKeys: ['rev'] })], { app: 'web', rev: '2' }),
      nodes: () => [makeNodeInfo(zoneNode('a', 'zone1'), web('w1', { labels: { app: 'web', rev: '1' } })), makeNodeInfo(zoneNode('x', 'zone2'))],
      want: { a: '', x: '' },
    },
    { name: 'ScheduleAnyway constraints never filter', pod: incoming([spread({ whenUnsatisfiable: 'ScheduleAnyway' })]), nodes: () => cluster(), want: { a: '', b: '', x: '', y: '' } },
  ];
  for (const c of cases) assert.deepEqual(filterAll(c.pod, c.nodes()), c.want, c.name);
});

test('PodTopologySpread preemption dry run: removing a pod lowers its domain count', () => {
  const nodes = [makeNodeInfo(zoneNode('a', 'zone1'), web('w1'), web('w2')), makeNodeInfo(zoneNode('x', 'zone2'), web('w3'))];
  const plugin = newPodTopologySpread({}, handleOf(nodes));
  const pod = incoming([spread()]);
  const state = new CycleState();
  plugin.preFilter!(state, pod, nodes);
  assert.equal(plugin.filter!(state, pod, nodes[0])?.message, errReasonConstraintsNotMatch);
  const dry = state.clone();
  plugin.preFilterRemovePod!(dry, pod, [...nodes[0].pods.values()][0], nodes[0]);
  assert.equal(plugin.filter!(dry, pod, nodes[0]), undefined);
  assert.equal(plugin.filter!(state, pod, nodes[0])?.message, errReasonConstraintsNotMatch);
});

function scoresOf(pod: Pod, nodes: NodeInfo[]): Record<string, number> | 'skip' {
  const plugin = newPodTopologySpread({}, handleOf(nodes));
  const state = new CycleState();
  if (plugin.preScore!(state, pod, nodes)?.code === 'Skip') return 'skip';
  const scores = nodes.map((n) => ({ name: n.name, score: plugin.score!(state, pod, n) }));
  plugin.normalizeScore!(state, pod, scores);
  return Object.fromEntries(scores.map((s) => [s.name, s.score]));
}

test('PodTopologySpread score: fewer matching pods in the domain score higher', () => {
  const soft = (c: Partial<TopologySpreadConstraint> = {}) => spread({ whenUnsatisfiable: 'ScheduleAnyway', ...c });
  assert.equal(scoresOf(incoming([spread()]), [makeNodeInfo(zoneNode('a', 'zone1'))]), 'skip');
  assert.deepEqual(scoresOf(incoming([soft()]), [makeNodeInfo(zoneNode('a', 'zone1')), makeNodeInfo(zoneNode('b', 'zone2'))]), { a: 100, b: 100 });
  assert.deepEqual(
    scoresOf(incoming([soft({ topologyKey: 'kubernetes.io/hostname' })]), [
      makeNodeInfo(zoneNode('a', 'zone1'), web('w1'), web('w2')),
      makeNodeInfo(zoneNode('b', 'zone1'), web('w3')),
      makeNodeInfo(zoneNode('x', 'zone2')),
      makeNodeInfo(zoneNode('y', 'zone2')),
    ]),
    { a: 0, b: 50, x: 100, y: 100 },
  );
  assert.deepEqual(
    scoresOf(incoming([soft()]), [
      makeNodeInfo(zoneNode('a', 'zone1'), web('w1'), web('w2')),
      makeNodeInfo(zoneNode('b', 'zone1'), web('w3')),
      makeNodeInfo(zoneNode('x', 'zone2'), web('w4')),
      makeNodeInfo(zoneNode('y', 'zone2')),
      makeNodeInfo(makeNode('bare')),
    ]),
    { a: 25, b: 25, x: 100, y: 100, bare: 0 },
  );
});
