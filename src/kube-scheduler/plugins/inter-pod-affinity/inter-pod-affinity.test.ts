import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CycleState } from '../../framework/cycle-state.ts';
import type { Handle } from '../../framework/interfaces.ts';
import type { NodeInfo } from '../../framework/node-info.ts';
import { podInfoOf } from '../../framework/node-info.ts';
import { fakeHandle, makeNode, makeNodeInfo, makePod } from '../../framework/testing.ts';
import type { Pod, PodAffinityTerm, PodSpec } from '../../types.ts';
import { errReasonAffinityRulesNotMatch, errReasonAntiAffinityRulesNotMatch, errReasonExistingAntiAffinityRulesNotMatch, newInterPodAffinity } from './inter-pod-affinity.ts';

function handleOf(nodes: NodeInfo[], namespaces: Record<string, Record<string, string>> = {}): Handle {
  return fakeHandle(nodes, { namespaceLabels: (ns) => namespaces[ns] });
}

const term = (labels: Record<string, string>, topologyKey = 'zone', extra: Partial<PodAffinityTerm> = {}): PodAffinityTerm => ({ labelSelector: { matchLabels: labels }, topologyKey, ...extra });
const affinity = (...terms: PodAffinityTerm[]): Partial<PodSpec> => ({ affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms } } });
const antiAffinity = (...terms: PodAffinityTerm[]): Partial<PodSpec> => ({ affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms } } });
const pod = (name: string, labels: Record<string, string> = {}, spec: Partial<PodSpec> = {}, namespace = 'default'): Pod => makePod(name, spec, { labels, namespace });

/** Filter result per node: '' for fits, else the reason. */
function filterAll(incoming: Pod, nodes: NodeInfo[], namespaces?: Record<string, Record<string, string>>): Record<string, string> {
  const plugin = newInterPodAffinity({}, handleOf(nodes, namespaces));
  const state = new CycleState();
  const pre = plugin.preFilter!(state, incoming, nodes);
  const out: Record<string, string> = {};
  for (const n of nodes) out[n.name] = pre?.code === 'Skip' ? '' : (plugin.filter!(state, incoming, n)?.message ?? '');
  return out;
}

test('InterPodAffinity filter: required affinity and anti-affinity by topology key', () => {
  const za1 = makeNode('za1', { labels: { zone: 'a' } });
  const za2 = makeNode('za2', { labels: { zone: 'a' } });
  const zb = makeNode('zb', { labels: { zone: 'b' } });
  const nozone = makeNode('nozone');
  const db = pod('db', { app: 'db' });
  const cases: { name: string; incoming: Pod; nodes: () => NodeInfo[]; want: Record<string, string>; namespaces?: Record<string, Record<string, string>> }[] = [
    {
      name: 'no affinity anywhere: skipped',
      incoming: pod('p'),
      nodes: () => [makeNodeInfo(za1, db), makeNodeInfo(zb)],
      want: { za1: '', zb: '' },
    },
    {
      name: 'affinity: every node of the matching pod zone, none without the key',
      incoming: pod('web', {}, affinity(term({ app: 'db' }))),
      nodes: () => [makeNodeInfo(za1, db), makeNodeInfo(za2), makeNodeInfo(zb), makeNodeInfo(nozone)],
      want: { za1: '', za2: '', zb: errReasonAffinityRulesNotMatch, nozone: errReasonAffinityRulesNotMatch },
    },
    {
      name: 'affinity by hostname',
      incoming: pod('web', {}, affinity(term({ app: 'db' }, 'kubernetes.io/hostname'))),
      nodes: () => [makeNodeInfo(za1, db), makeNodeInfo(za2)],
      want: { za1: '', za2: errReasonAffinityRulesNotMatch },
    },
    {
      name: 'affinity with no match anywhere fails everywhere',
      incoming: pod('web', {}, affinity(term({ app: 'cache' }))),
      nodes: () => [makeNodeInfo(za1, db), makeNodeInfo(zb)],
      want: { za1: errReasonAffinityRulesNotMatch, zb: errReasonAffinityRulesNotMatch },
    },
    {
      name: 'the first pod of a group matching its own terms goes anywhere with the key',
      incoming: pod('web-0', { app: 'web' }, affinity(term({ app: 'web' }))),
      nodes: () => [makeNodeInfo(za1, db), makeNodeInfo(zb), makeNodeInfo(nozone)],
      want: { za1: '', zb: '', nozone: errReasonAffinityRulesNotMatch },
    },
    {
      name: 'affinity terms are ANDed on the same pod',
      incoming: pod('web', {}, affinity(term({ app: 'db' }), term({ tier: 'x' }))),
      nodes: () => [makeNodeInfo(za1, db), makeNodeInfo(zb, pod('x', { tier: 'x' }))],
      want: { za1: errReasonAffinityRulesNotMatch, zb: errReasonAffinityRulesNotMatch },
    },
    {
      name: 'affinity only to pods of the own namespace by default',
      incoming: pod('web', {}, affinity(term({ app: 'db' }))),
      nodes: () => [makeNodeInfo(za1, pod('db', { app: 'db' }, {}, 'other'))],
      want: { za1: errReasonAffinityRulesNotMatch },
    },
    {
      name: 'namespaces list',
      incoming: pod('web', {}, affinity(term({ app: 'db' }, 'zone', { namespaces: ['other'] }))),
      nodes: () => [makeNodeInfo(za1, pod('db', { app: 'db' }, {}, 'other')), makeNodeInfo(zb)],
      want: { za1: '', zb: errReasonAffinityRulesNotMatch },
    },
    {
      name: 'namespaceSelector by namespace labels',
      incoming: pod('web', {}, affinity(term({ app: 'db' }, 'zone', { namespaceSelector: { matchLabels: { team: 'x' } } }))),
      nodes: () => [makeNodeInfo(za1, pod('db', { app: 'db' }, {}, 'other')), makeNodeInfo(zb, pod('db', { app: 'db' }, {}, 'third'))],
      namespaces: { other: { team: 'x' }, third: { team: 'y' } },
      want: { za1: '', zb: errReasonAffinityRulesNotMatch },
    },
    {
      name: 'anti-affinity: not in the zone of a matching pod; nodes without the key are fine',
      incoming: pod('web', {}, antiAffinity(term({ app: 'db' }))),
      nodes: () => [makeNodeInfo(za1, db), makeNodeInfo(za2), makeNodeInfo(zb), makeNodeInfo(nozone)],
      want: { za1: errReasonAntiAffinityRulesNotMatch, za2: errReasonAntiAffinityRulesNotMatch, zb: '', nozone: '' },
    },
    {
      name: 'anti-affinity to itself spreads one per host',
      incoming: pod('web-1', { app: 'web' }, antiAffinity(term({ app: 'web' }, 'kubernetes.io/hostname'))),
      nodes: () => [makeNodeInfo(za1, pod('web-0', { app: 'web' })), makeNodeInfo(za2)],
      want: { za1: errReasonAntiAffinityRulesNotMatch, za2: '' },
    },
    {
      name: "existing pods' anti-affinity toward the incoming pod",
      incoming: pod('web', { app: 'web' }),
      nodes: () => [makeNodeInfo(za1, pod('lonely', {}, antiAffinity(term({ app: 'web' })))), makeNodeInfo(za2), makeNodeInfo(zb), makeNodeInfo(nozone)],
      want: { za1: errReasonExistingAntiAffinityRulesNotMatch, za2: errReasonExistingAntiAffinityRulesNotMatch, zb: '', nozone: '' },
    },
    {
      name: "existing pods' anti-affinity toward other pods does not matter",
      incoming: pod('web', { app: 'web' }),
      nodes: () => [makeNodeInfo(za1, pod('lonely', {}, antiAffinity(term({ app: 'db' })))), makeNodeInfo(zb)],
      want: { za1: '', zb: '' },
    },
    {
      name: 'affinity is checked before anti-affinity',
      incoming: pod('web', {}, { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' })] }, podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' }, 'kubernetes.io/hostname')] } } }),
      nodes: () => [makeNodeInfo(za1, db), makeNodeInfo(za2), makeNodeInfo(zb)],
      want: { za1: errReasonAntiAffinityRulesNotMatch, za2: '', zb: errReasonAffinityRulesNotMatch },
    },
  ];
  for (const c of cases) assert.deepEqual(filterAll(c.incoming, c.nodes(), c.namespaces), c.want, c.name);
});

test('InterPodAffinity statuses: affinity failures are unresolvable, anti-affinity ones are not', () => {
  const nodes = [makeNodeInfo(makeNode('n', { labels: { zone: 'a' } }), pod('db', { app: 'db' }, antiAffinity(term({ app: 'web' }))))];
  const plugin = newInterPodAffinity({}, handleOf(nodes));
  const codeOf = (p: Pod) => {
    const state = new CycleState();
    plugin.preFilter!(state, p, nodes);
    return plugin.filter!(state, p, nodes[0])?.code;
  };
  assert.equal(codeOf(pod('a', {}, affinity(term({ app: 'x' })))), 'UnschedulableAndUnresolvable');
  assert.equal(codeOf(pod('b', {}, antiAffinity(term({ app: 'db' })))), 'Unschedulable');
  assert.equal(codeOf(pod('c', { app: 'web' })), 'Unschedulable');
});

test('InterPodAffinity preemption dry run: removing the matching pod lifts anti-affinity', () => {
  const node = makeNodeInfo(makeNode('n', { labels: { zone: 'a' } }), pod('db', { app: 'db' }));
  const incoming = pod('web', {}, antiAffinity(term({ app: 'db' })));
  const plugin = newInterPodAffinity({}, handleOf([node]));
  const state = new CycleState();
  plugin.preFilter!(state, incoming, [node]);
  const dry = state.clone();
  const victim = [...node.pods.values()][0];
  plugin.preFilterRemovePod!(dry, incoming, victim, node);
  assert.equal(plugin.filter!(dry, incoming, node), undefined);
  assert.equal(plugin.filter!(state, incoming, node)?.message, errReasonAntiAffinityRulesNotMatch, 'the original state is untouched');
  plugin.preFilterAddPod!(dry, incoming, podInfoOf(victim.pod), node);
  assert.equal(plugin.filter!(dry, incoming, node)?.message, errReasonAntiAffinityRulesNotMatch);
});

function scoresOf(incoming: Pod, nodes: NodeInfo[], args = {}): Record<string, number> | 'skip' {
  const plugin = newInterPodAffinity(args, handleOf(nodes));
  const state = new CycleState();
  if (plugin.preScore!(state, incoming, nodes)?.code === 'Skip') return 'skip';
  const scores = nodes.map((n) => ({ name: n.name, score: plugin.score!(state, incoming, n) }));
  plugin.normalizeScore!(state, incoming, scores);
  return Object.fromEntries(scores.map((s) => [s.name, s.score]));
}

test('InterPodAffinity score: preferred terms with weights, symmetric terms of placed pods', () => {
  const za = makeNode('za', { labels: { zone: 'a' } });
  const zb = makeNode('zb', { labels: { zone: 'b' } });
  const zc = makeNode('zc', { labels: { zone: 'c' } });
  const preferred = (aff: { weight: number; labels: Record<string, string> }[], anti: { weight: number; labels: Record<string, string> }[] = []): Partial<PodSpec> => ({
    affinity: {
      podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: aff.map((a) => ({ weight: a.weight, podAffinityTerm: term(a.labels) })) },
      podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: anti.map((a) => ({ weight: a.weight, podAffinityTerm: term(a.labels) })) },
    },
  });
  const cases: { name: string; incoming: Pod; nodes: () => NodeInfo[]; want: Record<string, number> | 'skip'; args?: object }[] = [
    { name: 'nothing preferred anywhere', incoming: pod('p'), nodes: () => [makeNodeInfo(za, pod('db', { app: 'db' })), makeNodeInfo(zb)], want: 'skip' },
    {
      name: 'weights add up per zone',
      incoming: pod('p', {}, preferred([{ weight: 5, labels: { app: 'db' } }, { weight: 10, labels: { app: 'cache' } }])),
      nodes: () => [makeNodeInfo(za, pod('db', { app: 'db' })), makeNodeInfo(zb, pod('cache', { app: 'cache' })), makeNodeInfo(zc)],
      want: { za: 50, zb: 100, zc: 0 },
    },
    {
      name: 'anti-affinity weighs negatively',
      incoming: pod('p', {}, preferred([{ weight: 5, labels: { app: 'db' } }], [{ weight: 5, labels: { app: 'cache' } }])),
      nodes: () => [makeNodeInfo(za, pod('db', { app: 'db' })), makeNodeInfo(zb, pod('cache', { app: 'cache' })), makeNodeInfo(zc)],
      want: { za: 100, zb: 0, zc: 50 },
    },
    {
      name: "placed pods' preferred terms toward the incoming pod count",
      incoming: pod('p', { app: 'web' }),
      nodes: () => [makeNodeInfo(za, pod('fan', {}, preferred([{ weight: 7, labels: { app: 'web' } }]))), makeNodeInfo(zb)],
      want: { za: 100, zb: 0 },
    },
    {
      name: "placed pods' required affinity counts with hardPodAffinityWeight",
      incoming: pod('p', { app: 'web' }),
      nodes: () => [makeNodeInfo(za, pod('needy', {}, affinity(term({ app: 'web' })))), makeNodeInfo(zb)],
      want: { za: 100, zb: 0 },
    },
    {
      name: 'hardPodAffinityWeight 0 ignores them',
      incoming: pod('p', { app: 'web' }),
      nodes: () => [makeNodeInfo(za, pod('needy', {}, affinity(term({ app: 'web' })))), makeNodeInfo(zb)],
      args: { hardPodAffinityWeight: 0 },
      want: 'skip',
    },
    {
      name: 'ignorePreferredTermsOfExistingPods',
      incoming: pod('p', { app: 'web' }),
      nodes: () => [makeNodeInfo(za, pod('fan', {}, preferred([{ weight: 7, labels: { app: 'web' } }]))), makeNodeInfo(zb)],
      args: { ignorePreferredTermsOfExistingPods: true },
      want: 'skip',
    },
  ];
  for (const c of cases) assert.deepEqual(scoresOf(c.incoming, c.nodes(), c.args), c.want, c.name);
});
