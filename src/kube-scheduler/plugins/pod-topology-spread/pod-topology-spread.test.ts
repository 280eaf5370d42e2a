import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CycleState } from '../../framework/cycle-state.ts';
import type { Handle, Listers } from '../../framework/interfaces.ts';
import type { NodeInfo } from '../../framework/node-info.ts';
import { fakeHandle, fakeListers, makeNode, makeNodeInfo, makePod } from '../../framework/testing.ts';
import type { LabelSelector, Pod, PodSpec, SelectingController, Service, TopologySpreadConstraint } from '../../types.ts';
import { defaultSelector } from './default-selector.ts';
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

const rsOwned = (name: string, rs = 'web', labels: Record<string, string> = { app: 'web' }): Pod => {
  const p = makePod(name, {}, { labels });
  return { ...p, metadata: { ...p.metadata, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: `uid-${rs}`, controller: true }] } };
};
const replicaSet = (name: string, selector: LabelSelector): SelectingController => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: 'default' }, spec: { selector } });
const service = (name: string, selector: Record<string, string> | null, namespace = 'default'): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { selector } });

test('default constraints (System) spread the replicas of a ReplicaSet across hostnames in scoring', () => {
  // No zone labels: with the System defaults such nodes are still spread by hostname.
  const cluster = () => [
    makeNodeInfo(makeNode('a'), web('w1'), web('w2')),
    makeNodeInfo(makeNode('b'), web('w3')),
    makeNodeInfo(makeNode('c'), web('x', { namespace: 'other' })),
  ];
  const zoned = () => [
    makeNodeInfo(zoneNode('a', 'zone1', { labels: { 'topology.kubernetes.io/zone': 'z1' } }), web('w1'), web('w2')),
    makeNodeInfo(zoneNode('b', 'zone1', { labels: { 'topology.kubernetes.io/zone': 'z1' } })),
    makeNodeInfo(zoneNode('c', 'zone2', { labels: { 'topology.kubernetes.io/zone': 'z2' } })),
  ];
  const rs = replicaSet('web', { matchLabels: { app: 'web' } });
  type Case = { name: string; pod: Pod; listers?: Listers; args?: Record<string, unknown>; nodes?: () => NodeInfo[]; want: Record<string, number> | 'skip' };
  const cases: Case[] = [
    { name: 'owned by a ReplicaSet: fewer replicas on the host score higher', pod: rsOwned('p'), listers: fakeListers({ replicaSets: [rs] }), want: { a: 40, b: 60, c: 100 } },
    { name: 'selected by a Service', pod: web('p'), listers: fakeListers({ services: [service('web', { app: 'web' })] }), want: { a: 40, b: 60, c: 100 } },
    { name: 'a Service of another namespace does not select it', pod: web('p'), listers: fakeListers({ services: [service('web', { app: 'web' }, 'other')] }), want: 'skip' },
    { name: 'a Service without a selector selects nothing', pod: web('p'), listers: fakeListers({ services: [service('web', null)] }), want: 'skip' },
    { name: 'nothing selects the pod: no default spreading', pod: web('p'), listers: fakeListers(), want: 'skip' },
    { name: 'its ReplicaSet is not in the cache', pod: rsOwned('p'), listers: fakeListers(), want: 'skip' },
    { name: 'without listers', pod: rsOwned('p'), want: 'skip' },
    {
      name: 'the ReplicaSet selector is what counts, not the pod labels',
      pod: rsOwned('p', 'narrow', { app: 'web', tier: 'x' }),
      listers: fakeListers({ replicaSets: [replicaSet('narrow', { matchLabels: { tier: 'x' } })] }),
      want: { a: 100, b: 100, c: 100 },
    },
    { name: 'defaultingType List without constraints: none', pod: rsOwned('p'), listers: fakeListers({ replicaSets: [rs] }), args: { defaultingType: 'List' }, want: 'skip' },
    {
      name: 'defaultingType List: the configured constraints, all keys required',
      pod: rsOwned('p'),
      listers: fakeListers({ replicaSets: [rs] }),
      args: { defaultingType: 'List', defaultConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway' }] },
      want: { a: 0, b: 0, c: 0 },
    },
    {
      name: 'zones and hostnames together',
      pod: rsOwned('p'),
      listers: fakeListers({ replicaSets: [rs] }),
      nodes: zoned,
      // a: 2·ln5 + 2 + 2·ln4 + 4 → 12; b: 2 + 2·ln4 + 4 → 9; c: 2 + 4 → 6.
      want: { a: 50, b: 75, c: 100 },
    },
    {
      name: 'the pod own constraints replace the defaults',
      pod: { ...rsOwned('p'), spec: { ...rsOwned('p').spec, topologySpreadConstraints: [spread({ whenUnsatisfiable: 'ScheduleAnyway', topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'none' } } })] } },
      listers: fakeListers({ replicaSets: [rs] }),
      want: { a: 100, b: 100, c: 100 },
    },
  ];
  for (const tc of cases) {
    const nodes = (tc.nodes ?? cluster)();
    const plugin = newPodTopologySpread(tc.args ?? {}, fakeHandle(nodes, { listers: tc.listers }));
    const state = new CycleState();
    let got: Record<string, number> | 'skip' = 'skip';
    if (plugin.preScore!(state, tc.pod, nodes)?.code !== 'Skip') {
      const scores = nodes.map((n) => ({ name: n.name, score: plugin.score!(state, tc.pod, n) }));
      plugin.normalizeScore!(state, tc.pod, scores);
      got = Object.fromEntries(scores.map((s) => [s.name, s.score]));
    }
    assert.deepEqual(got, tc.want, tc.name);
  }
});

test('default DoNotSchedule constraints (List) filter like the pod own', () => {
  const nodes = [makeNodeInfo(makeNode('a'), web('w1'), web('w2')), makeNodeInfo(makeNode('b'), web('w3')), makeNodeInfo(makeNode('c'))];
  const args = { defaultingType: 'List', defaultConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule' }] };
  const plugin = newPodTopologySpread(args, fakeHandle(nodes, { listers: fakeListers({ replicaSets: [replicaSet('web', { matchLabels: { app: 'web' } })] }) }));
  const pod = rsOwned('p');
  const state = new CycleState();
  assert.equal(plugin.preFilter!(state, pod, nodes), undefined);
  assert.deepEqual(Object.fromEntries(nodes.map((n) => [n.name, plugin.filter!(state, pod, n)?.message ?? ''])), { a: errReasonConstraintsNotMatch, b: errReasonConstraintsNotMatch, c: '' });
  assert.equal(newPodTopologySpread({}, fakeHandle(nodes, { listers: fakeListers({ replicaSets: [replicaSet('web', { matchLabels: { app: 'web' } })] }) })).preFilter!(new CycleState(), pod, nodes)?.code, 'Skip', 'the System defaults never filter');
});

test('defaultSelector merges Services and the controller, as upstream', () => {
  const owned = (kind: string, apiVersion: string, name: string, controller = true, labels: Record<string, string> = { app: 'web', tier: 'fe' }): Pod => {
    const p = makePod('p', {}, { labels });
    return { ...p, metadata: { ...p.metadata, ownerReferences: [{ apiVersion, kind, name, uid: 'u', controller }] } };
  };
  const listers = fakeListers({
    services: [service('web', { app: 'web' }), service('fe', { tier: 'fe' }), service('other', { app: 'other' }), service('none', null)],
    replicationControllers: [{ apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'rc', namespace: 'default' }, spec: { selector: { rc: 'yes' } } }],
    replicaSets: [replicaSet('rs', { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'track', operator: 'NotIn', values: ['canary'] }] }), replicaSet('null', null as unknown as LabelSelector)],
    statefulSets: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'ss', namespace: 'default' }, spec: { selector: { matchLabels: { ss: 'yes' } } } }],
  });
  const cases: { name: string; pod: Pod; want: string }[] = [
    { name: 'matching Services only', pod: makePod('p', {}, { labels: { app: 'web', tier: 'fe' } }), want: 'app=web,tier=fe' },
    { name: 'no labels: no Service matches', pod: makePod('p'), want: '' },
    { name: 'ReplicationController: its label map', pod: owned('ReplicationController', 'v1', 'rc'), want: 'app=web,rc=yes,tier=fe' },
    { name: 'ReplicaSet: its requirements', pod: owned('ReplicaSet', 'apps/v1', 'rs'), want: 'app=web,app=web,tier=fe,track notin (canary)' },
    { name: 'StatefulSet', pod: owned('StatefulSet', 'apps/v1', 'ss'), want: 'app=web,ss=yes,tier=fe' },
    { name: 'a ReplicaSet with a null selector adds nothing', pod: owned('ReplicaSet', 'apps/v1', 'null'), want: 'app=web,tier=fe' },
    { name: 'not the controller', pod: owned('ReplicaSet', 'apps/v1', 'rs', false), want: 'app=web,tier=fe' },
    { name: 'another kind', pod: owned('Job', 'batch/v1', 'rs'), want: 'app=web,tier=fe' },
    { name: 'a ReplicaSet of another group version', pod: owned('ReplicaSet', 'extensions/v1beta1', 'rs'), want: 'app=web,tier=fe' },
  ];
  for (const tc of cases) assert.equal(defaultSelector(tc.pod, listers).toString(), tc.want, tc.name);
});
