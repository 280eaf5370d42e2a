import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cache } from '../cache/cache.ts';
import { defaultConfiguration } from '../config.ts';
import { FakeClock } from '../../machinery/fake-clock.ts';
import { defaultPlugins, inTreeRegistry } from '../plugins/registry.ts';
import { Nominator } from '../queue/nominator.ts';
import type { Pod } from '../types.ts';
import { Framework } from './runtime.ts';
import { makeNode, makePod } from './testing.ts';

/** Filter outcome per node ('' for fits, else the reason) of `pod`, with `nominated` pods nominated as given. */
function filterWithNominated(pod: Pod, nominated: { pod: Pod; node: string }[], nodes = ['a']): Record<string, string> {
  const cache = new Cache();
  for (const n of nodes) cache.addNode(makeNode(n, { allocatable: { cpu: '4', memory: '8Gi', pods: '110' } }));
  const nominator = new Nominator();
  for (const n of nominated) nominator.add(n.pod, n.node);
  const fwk = new Framework({ registry: inTreeRegistry, defaultPlugins, profile: defaultConfiguration().profiles[0], nodeInfos: cache, clock: new FakeClock(), nominator });
  const state = fwk.newCycleState();
  assert.equal(fwk.runPreFilterPlugins(state, pod, cache.list()), undefined);
  const filter = fwk.nodeFilter(state);
  return Object.fromEntries(cache.list().map((n) => [n.name, filter(pod, n)?.message ?? '']));
}

test('filters count pods nominated to a node when they are at least as important', () => {
  const preemptor = makePod('preemptor', { requests: { cpu: '3' }, priority: 100 });
  const withAffinity = (name: string, priority: number) =>
    makePod(name, { requests: { cpu: '1' }, priority, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname' }] } } }, { labels: { app: 'web' } });
  const db = makePod('db', { requests: { cpu: '1' }, priority: 100 }, { labels: { app: 'db' } });
  const cases: { name: string; pod: Pod; nominated: { pod: Pod; node: string }[]; nodes?: string[]; want: Record<string, string> }[] = [
    { name: 'nothing nominated', pod: makePod('p', { requests: { cpu: '2' }, priority: 10 }), nominated: [], want: { a: '' } },
    { name: 'a lower-priority pod cannot take the room', pod: makePod('p', { requests: { cpu: '2' }, priority: 10 }), nominated: [{ pod: preemptor, node: 'a' }], want: { a: 'Insufficient cpu' } },
    { name: 'nor can one of equal priority', pod: makePod('p', { requests: { cpu: '2' }, priority: 100 }), nominated: [{ pod: preemptor, node: 'a' }], want: { a: 'Insufficient cpu' } },
    { name: 'a higher-priority pod can', pod: makePod('p', { requests: { cpu: '2' }, priority: 1000 }), nominated: [{ pod: preemptor, node: 'a' }], want: { a: '' } },
    { name: 'the nominated pod itself fits', pod: preemptor, nominated: [{ pod: preemptor, node: 'a' }], want: { a: '' } },
    { name: 'a small pod fits beside it', pod: makePod('p', { requests: { cpu: '1' }, priority: 10 }), nominated: [{ pod: preemptor, node: 'a' }], want: { a: '' } },
    {
      name: 'only the node it is nominated to',
      pod: makePod('p', { requests: { cpu: '2' }, priority: 10 }),
      nominated: [{ pod: preemptor, node: 'a' }],
      nodes: ['a', 'b'],
      want: { a: 'Insufficient cpu', b: '' },
    },
    {
      name: 'the second pass without nominated pods: affinity to a pod that is only nominated does not count',
      pod: withAffinity('web', 10),
      nominated: [{ pod: db, node: 'a' }],
      want: { a: "node(s) didn't match pod affinity rules" },
    },
  ];
  for (const tc of cases) assert.deepEqual(filterWithNominated(tc.pod, tc.nominated, tc.nodes), tc.want, tc.name);
});
