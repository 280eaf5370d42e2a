import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rfc3339, type Deployment, type ReplicaSet } from '../../types.ts';
import { computeHash, equalIgnoreHash } from './deployment-util.ts';
import { rolloutStatus, stuckRequeueAfter } from './progress.ts';

const now = Date.UTC(2025, 0, 1, 12);

function d(status: Deployment['status'] = {}): Deployment {
  return {
    metadata: { name: 'web', namespace: 'ns', generation: 2 },
    spec: { replicas: 3, progressDeadlineSeconds: 600, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } },
    status,
  };
}

const rs = (name: string, replicas: number, ready: number): ReplicaSet => ({
  metadata: { name },
  spec: { replicas },
  status: { replicas, readyReplicas: ready, availableReplicas: ready },
});

test('rollout conditions carry upstream reasons as the rollout moves, completes and stalls', () => {
  const newRS = rs('web-new', 1, 0);
  const moving = rolloutStatus(d({ replicas: 3, updatedReplicas: 0 }), [rs('web-old', 3, 3), newRS], newRS, now);
  assert.deepEqual(
    moving.conditions?.map((c) => [c.type, c.status, c.reason, c.message]),
    [
      ['Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'],
      ['Progressing', 'True', 'ReplicaSetUpdated', 'ReplicaSet "web-new" is progressing.'],
    ],
  );
  assert.equal(moving.updatedReplicas, 1);
  assert.equal(moving.replicas, 4);
  assert.equal(moving.observedGeneration, 2);

  const doneRS = rs('web-new', 3, 3);
  const done = rolloutStatus(d(moving), [rs('web-old', 0, 0), doneRS], doneRS, now);
  assert.deepEqual(done.conditions?.find((c) => c.type === 'Progressing')?.reason, 'NewReplicaSetAvailable');
  assert.equal(done.unavailableReplicas, undefined, 'zero counts are omitted');

  const stale = { ...moving, conditions: moving.conditions!.map((c) => ({ ...c, lastUpdateTime: rfc3339(now - 700_000) })) };
  const stalled = rolloutStatus(d(stale), [rs('web-old', 3, 3), newRS], newRS, now);
  assert.deepEqual(stalled.conditions?.find((c) => c.type === 'Progressing')?.reason, 'ProgressDeadlineExceeded');
  const unavailable = rolloutStatus(d(), [rs('web-new', 3, 1)], rs('web-new', 3, 1), now);
  assert.equal(unavailable.conditions?.find((c) => c.type === 'Available')?.reason, 'MinimumReplicasUnavailable');
});

test('a stuck rollout is looked at again when its progress deadline runs out', () => {
  const status = { conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', lastUpdateTime: rfc3339(now - 100_000) }] };
  assert.equal(stuckRequeueAfter(d(status), status, now), 501_000);
});

test('templates compare equal ignoring the hash label and null creationTimestamp; the hash is stable', () => {
  const a = { metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } }, spec: { containers: [{ name: 'c' }] } };
  const b = { metadata: { creationTimestamp: null, labels: { app: 'web' } }, spec: { containers: [{ name: 'c' }] } };
  assert.ok(equalIgnoreHash(a, b));
  assert.ok(!equalIgnoreHash(a, { ...b, spec: { containers: [{ name: 'd' }] } }));
  assert.equal(computeHash(b.spec, undefined), computeHash({ containers: [{ name: 'c' }] }, undefined));
  assert.notEqual(computeHash(b.spec, undefined), computeHash(b.spec, 1));
  assert.match(computeHash(b.spec, undefined), /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
});
