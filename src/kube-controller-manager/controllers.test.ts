import assert from 'node:assert/strict';
import { test } from 'node:test';
import { enabledControllers } from './controllers.ts';

test('--controllers selects as upstream IsControllerEnabled, by name or alias', () => {
  const names = (sel: string[]) => enabledControllers(sel).map((c) => c.name).sort();
  const all = ['deployment-controller', 'garbage-collector-controller', 'namespace-controller', 'replicaset-controller', 'serviceaccount-controller'];
  assert.deepEqual(names(['*']), all);
  assert.deepEqual(names(['*', '-garbagecollector']), all.filter((n) => n !== 'garbage-collector-controller'));
  assert.deepEqual(names(['replicaset', 'deployment-controller']), ['deployment-controller', 'replicaset-controller']);
  assert.deepEqual(names(['-namespace', 'namespace', '*']), all.filter((n) => n !== 'namespace-controller'), 'the first mention wins');
  assert.deepEqual(names([]), []);
  assert.throws(() => enabledControllers(['*', '-nope']), /"nope" is not in the list of known controllers/);
});
