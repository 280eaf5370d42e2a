import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Deployment, ReplicaSet } from '../../types.ts';
import { resolveFenceposts } from './deployment-util.ts';
import { isScalingEvent, newRSNewReplicas, planNewReplicaSet, planOldReplicaSets, planScale } from './rolling-update.ts';

function deployment(replicas: number, maxSurge: number | string, maxUnavailable: number | string, type = 'RollingUpdate'): Deployment {
  return {
    metadata: { name: 'd', namespace: 'ns', generation: 1 },
    spec: { replicas, strategy: type === 'RollingUpdate' ? { type, rollingUpdate: { maxSurge, maxUnavailable } } : { type } },
  };
}

function replicaSet(name: string, replicas: number, available: number, createdSeconds: number, annotations: Record<string, string> = {}): ReplicaSet {
  return {
    metadata: { name, namespace: 'ns', creationTimestamp: new Date(Date.UTC(2025, 0, 1, 0, 0, createdSeconds)).toISOString(), annotations },
    spec: { replicas },
    status: { replicas, availableReplicas: available },
  };
}

test('maxSurge rounds up, maxUnavailable down, and both zero means one unavailable', () => {
  const cases: [number, number | string, number | string, number, number][] = [
    [10, '25%', '25%', 3, 2],
    [3, '25%', '25%', 1, 0],
    [5, 1, 0, 1, 0],
    [1, '0%', '0%', 0, 1],
    [4, '50%', '10%', 2, 0],
  ];
  for (const [replicas, s, u, surge, unavailable] of cases) assert.deepEqual(resolveFenceposts(deployment(replicas, s, u)), { surge, unavailable }, `${replicas} ${s} ${u}`);
});

test('the new ReplicaSet grows within replicas + maxSurge', () => {
  const cases: { name: string; d: Deployment; old: ReplicaSet[]; newRS: ReplicaSet; want: number | undefined }[] = [
    { name: 'surge 1 over 3 old', d: deployment(3, 1, 0), old: [replicaSet('old', 3, 3, 0)], newRS: replicaSet('new', 0, 0, 10), want: 1 },
    { name: 'at the surge limit: wait', d: deployment(3, 1, 0), old: [replicaSet('old', 3, 3, 0)], newRS: replicaSet('new', 1, 0, 10), want: undefined },
    { name: 'old shrank: grow again', d: deployment(3, 1, 0), old: [replicaSet('old', 2, 2, 0)], newRS: replicaSet('new', 1, 1, 10), want: 2 },
    { name: 'never above replicas', d: deployment(3, 10, 0), old: [replicaSet('old', 0, 0, 0)], newRS: replicaSet('new', 1, 1, 10), want: 3 },
    { name: 'scaled down deployment: shrink new', d: deployment(2, 1, 0), old: [], newRS: replicaSet('new', 5, 5, 10), want: 2 },
    { name: 'already there', d: deployment(3, 1, 0), old: [], newRS: replicaSet('new', 3, 3, 10), want: undefined },
  ];
  for (const c of cases) assert.equal(planNewReplicaSet(c.d, [...c.old, c.newRS], c.newRS), c.want, c.name);
  assert.equal(newRSNewReplicas(deployment(3, 1, 0, 'Recreate'), [], replicaSet('new', 0, 0, 0)), 3);
});

test('old ReplicaSets shrink while availability stays at replicas - maxUnavailable, unhealthy replicas first', () => {
  const plan = (d: Deployment, newRS: ReplicaSet, old: ReplicaSet[]) => planOldReplicaSets(d, newRS, old).map((s) => `${s.rs.metadata.name}:${s.to}`);
  // maxUnavailable 0: one new available pod lets one old go.
  assert.deepEqual(plan(deployment(3, 1, 0), replicaSet('new', 1, 1, 10), [replicaSet('old', 3, 3, 0)]), ['old:2']);
  // New pods not yet available: nothing may go.
  assert.deepEqual(plan(deployment(3, 1, 0), replicaSet('new', 1, 0, 10), [replicaSet('old', 3, 3, 0)]), []);
  // maxUnavailable 1 allows one old pod to go before any new one is available.
  assert.deepEqual(plan(deployment(4, 1, 1), replicaSet('new', 1, 0, 10), [replicaSet('old', 4, 4, 0)]), ['old:3']);
  // Unavailable old replicas are removed first, oldest ReplicaSet first, even below minAvailable counts.
  assert.deepEqual(plan(deployment(4, 1, 0), replicaSet('new', 1, 0, 10), [replicaSet('older', 2, 1, 0), replicaSet('old', 2, 2, 5)]), []);
  assert.deepEqual(plan(deployment(4, 2, 0), replicaSet('new', 2, 2, 10), [replicaSet('older', 2, 0, 0), replicaSet('old', 2, 2, 5)]), ['older:0']);
  // Everything new is available: old go to zero.
  assert.deepEqual(plan(deployment(3, 1, 0), replicaSet('new', 3, 3, 10), [replicaSet('old', 1, 1, 0)]), ['old:0']);
});

test('a scaling event mid-rollout is spread in proportion to ReplicaSet sizes', () => {
  const ann = (desired: number, max: number) => ({ 'deployment.kubernetes.io/desired-replicas': String(desired), 'deployment.kubernetes.io/max-replicas': String(max) });
  // 10 replicas, surge 3 (13 allowed), rollout half way: old 8, new 5; scaled to 20 → 23 allowed.
  const d = deployment(20, 3, 2);
  const old = replicaSet('old', 8, 8, 0, ann(10, 13));
  const newRS = replicaSet('new', 5, 0, 10, ann(10, 13));
  assert.ok(isScalingEvent(d, [old, newRS]));
  const steps = planScale(d, newRS, [old]).map((s) => `${s.rs.metadata.name}:${s.to}`);
  // 8*23/13 = 14.2 → 14 (+6); 5*23/13 = 8.8 → 9 (+4); 10 added = 23 - 13.
  assert.deepEqual(steps.sort(), ['new:9', 'old:14']);
  // With one active ReplicaSet it simply gets every replica.
  assert.deepEqual(planScale(deployment(5, 1, 0), replicaSet('new', 3, 3, 10, ann(3, 4)), [replicaSet('old', 0, 0, 0)]).map((s) => `${s.rs.metadata.name}:${s.to}`), ['new:5']);
  assert.ok(!isScalingEvent(deployment(3, 1, 0), [replicaSet('new', 3, 3, 10, ann(3, 4))]));
});
