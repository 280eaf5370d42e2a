import assert from 'node:assert/strict';
import { test } from 'node:test';
import { enabledControllers } from './controllers.ts';

test('--controllers selects as upstream IsControllerEnabled, by name or alias', () => {
  const names = (sel: string[]) => enabledControllers(sel).map((c) => c.name).sort();
  const all = [
    'cronjob-controller',
    'daemonset-controller',
    'deployment-controller',
    'disruption-controller',
    'endpoints-controller',
    'endpointslice-controller',
    'garbage-collector-controller',
    'job-controller',
    'namespace-controller',
    'node-lifecycle-controller',
    'pod-garbage-collector-controller',
    'replicaset-controller',
    'replicationcontroller-controller',
    'resourcequota-controller',
    'root-ca-certificate-publisher-controller',
    'serviceaccount-controller',
    'statefulset-controller',
    'taint-eviction-controller',
    'ttl-after-finished-controller',
  ];
  assert.deepEqual(names(['*']), all);
  assert.deepEqual(names(['*', '-garbagecollector']), all.filter((n) => n !== 'garbage-collector-controller'));
  assert.deepEqual(names(['replicaset', 'deployment-controller']), ['deployment-controller', 'replicaset-controller']);
  assert.deepEqual(names(['root-ca-cert-publisher']), ['root-ca-certificate-publisher-controller']);
  assert.deepEqual(names(['disruption']), ['disruption-controller']);
  assert.deepEqual(names(['-namespace', 'namespace', '*']), all.filter((n) => n !== 'namespace-controller'), 'the first mention wins');
  assert.deepEqual(names([]), []);
  assert.throws(() => enabledControllers(['*', '-nope']), /"nope" is not in the list of known controllers/);
});
