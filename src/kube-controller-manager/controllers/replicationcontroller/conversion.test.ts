import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../../types.ts';
import { ownerReferencesToRC, podAsSeenByReplicaSets, toReplicaSet, toReplicationController, type ReplicationController } from './conversion.ts';

test('a ReplicationController converts to a ReplicaSet and back without loss', () => {
  const rc: ReplicationController = {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name: 'web', namespace: 'ns', uid: 'u', resourceVersion: '5', generation: 2 },
    spec: { replicas: 2, minReadySeconds: 5, selector: { app: 'web' }, template: { metadata: { labels: { app: 'web' } }, spec: {} } },
    status: { replicas: 1, readyReplicas: 1, observedGeneration: 2, conditions: [{ type: 'ReplicaFailure', status: 'True' }] },
  };
  const rs = toReplicaSet(rc);
  assert.equal(rs.kind, 'ReplicaSet');
  assert.deepEqual(rs.spec.selector, { matchLabels: { app: 'web' } });
  assert.equal(rs.spec.minReadySeconds, 5);
  assert.deepEqual(toReplicationController(rs), rc);
});

test('pod owner references switch kind both ways, leaving other owners alone', () => {
  const rcRef = { apiVersion: 'v1', kind: 'ReplicationController', name: 'web', uid: 'u', controller: true };
  const other = { apiVersion: 'example.com/v1', kind: 'Thing', name: 't', uid: 't' };
  const pod: Pod = { metadata: { name: 'p', ownerReferences: [rcRef, other] } };
  const seen = podAsSeenByReplicaSets(pod);
  assert.deepEqual(seen.metadata.ownerReferences, [{ ...rcRef, apiVersion: 'apps/v1', kind: 'ReplicaSet' }, other]);
  assert.deepEqual(ownerReferencesToRC(seen.metadata.ownerReferences!), [rcRef, other]);
  const unowned: Pod = { metadata: { name: 'q' } };
  assert.equal(podAsSeenByReplicaSets(unowned), unowned, 'no copy when nothing changes');
});
