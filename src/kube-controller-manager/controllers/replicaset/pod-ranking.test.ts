import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../../types.ts';
import { comparePodsForDeletion, podsToDelete } from './pod-ranking.ts';

const now = Date.UTC(2025, 0, 1, 12);
const iso = (msAgo: number) => new Date(now - msAgo).toISOString();

function pod(name: string, o: { node?: string; phase?: string; ready?: boolean; readyAgo?: number; createdAgo?: number; restarts?: number; cost?: string; uid?: string } = {}): Pod {
  return {
    metadata: {
      name,
      namespace: 'ns',
      uid: o.uid ?? name,
      creationTimestamp: iso(o.createdAgo ?? 3_600_000),
      annotations: o.cost ? { 'controller.kubernetes.io/pod-deletion-cost': o.cost } : undefined,
    },
    spec: { nodeName: o.node },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: iso(o.readyAgo ?? 3_600_000) }],
      containerStatuses: [{ name: 'c', restartCount: o.restarts ?? 0 }],
    },
  };
}

test('deletion ranking follows upstream ActivePodsWithRanks, criterion by criterion', () => {
  const cases: { name: string; first: Pod; second: Pod; rank?: [number, number] }[] = [
    { name: 'unassigned before assigned', first: pod('a'), second: pod('b', { node: 'n1' }) },
    { name: 'Pending before Running', first: pod('a', { node: 'n', phase: 'Pending' }), second: pod('b', { node: 'n' }) },
    { name: 'Unknown before Running', first: pod('a', { node: 'n', phase: 'Unknown' }), second: pod('b', { node: 'n' }) },
    { name: 'not ready before ready', first: pod('a', { node: 'n', ready: false }), second: pod('b', { node: 'n' }) },
    { name: 'lower deletion cost first', first: pod('a', { node: 'n', cost: '-5' }), second: pod('b', { node: 'n', cost: '10' }) },
    { name: 'more colocated siblings first', first: pod('a', { node: 'n1' }), second: pod('b', { node: 'n2' }), rank: [3, 1] },
    { name: 'ready more recently first (different log2 bucket)', first: pod('a', { node: 'n', readyAgo: 1000 }), second: pod('b', { node: 'n', readyAgo: 100_000 }) },
    { name: 'more restarts first', first: pod('a', { node: 'n', restarts: 5 }), second: pod('b', { node: 'n', restarts: 1 }) },
    { name: 'newer first', first: pod('a', { node: 'n', createdAgo: 1000 }), second: pod('b', { node: 'n', createdAgo: 1_000_000 }) },
    { name: 'same log2 bucket: by uid', first: pod('x', { node: 'n', createdAgo: 1_000_000, uid: 'a' }), second: pod('y', { node: 'n', createdAgo: 1_000_001, uid: 'b' }) },
  ];
  for (const c of cases) {
    const [ra, rb] = c.rank ?? [0, 0];
    assert.ok(comparePodsForDeletion({ pod: c.first, rank: ra }, { pod: c.second, rank: rb }, now) < 0, c.name);
    assert.ok(comparePodsForDeletion({ pod: c.second, rank: rb }, { pod: c.first, rank: ra }, now) > 0, `${c.name} (reversed)`);
  }
});

test('podsToDelete picks the least valuable pods, ranked by siblings on the same node', () => {
  const pods = [pod('ready-old', { node: 'n1' }), pod('pending', { phase: 'Pending' }), pod('notready', { node: 'n2', ready: false }), pod('crowded', { node: 'n3' })];
  const related = [...pods, pod('sib1', { node: 'n3' }), pod('sib2', { node: 'n3' })];
  assert.deepEqual(podsToDelete(pods, related, 3, now).map((p) => p.metadata.name), ['pending', 'notready', 'crowded']);
  assert.equal(podsToDelete(pods, related, 9, now).length, 4);
});
