import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApiResourceInfo } from '../../discovery.ts';
import type { KubeObject } from '../../types.ts';
import { Graph } from './graph.ts';

const rsResource: ApiResourceInfo = { group: 'apps', version: 'v1', resource: 'replicasets', kind: 'ReplicaSet', namespaced: true, verbs: ['list', 'watch', 'delete'] };
const podResource: ApiResourceInfo = { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true, verbs: ['list', 'watch', 'delete'] };

const owner = (extra: Partial<NonNullable<KubeObject['metadata']>> = {}): KubeObject => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs', namespace: 'ns', uid: 'o', ...extra } });
const dependent = (uid: string, block = true): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: uid, namespace: 'ns', uid, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'o', controller: true, blockOwnerDeletion: block }] },
});

test('the graph reports what the collector must look at as objects change', () => {
  const g = new Graph();
  assert.deepEqual(g.observe(dependent('p1'), podResource).attemptToDelete, ['p1'], 'owner not seen yet: verify it');
  assert.deepEqual(g.observe(owner(), rsResource), { attemptToDelete: [], attemptToOrphan: [] });
  g.observe(dependent('p2', false), podResource);
  assert.deepEqual(g.blockingDependents('o').map((n) => n.uid), ['p1']);
  // Foreground deletion starts: the owner and each dependent are checked.
  const fg = g.observe(owner({ deletionTimestamp: 't', finalizers: ['foregroundDeletion'] }), rsResource);
  assert.deepEqual(fg.attemptToDelete.sort(), ['o', 'p1', 'p2']);
  // A dependent going away wakes the waiting owner; the owner going away wakes its dependents.
  assert.deepEqual(g.forget('p1').attemptToDelete, ['o']);
  assert.deepEqual(g.forget('o').attemptToDelete, ['p2']);
  // Orphan deletion.
  const g2 = new Graph();
  g2.observe(owner(), rsResource);
  assert.deepEqual(g2.observe(owner({ deletionTimestamp: 't', finalizers: ['orphan'] }), rsResource).attemptToOrphan, ['o']);
});
