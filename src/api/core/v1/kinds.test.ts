import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kinds as appsV1 } from '../../apps/v1/index.ts';
import { kinds as batchV1 } from '../../batch/v1/index.ts';
import { kinds as coreV1 } from './index.ts';

const all = [...coreV1, ...appsV1, ...batchV1];

test('every kind has a full schema, a table and unique names', () => {
  const resources = new Set<string>();
  const shortNames = new Set<string>();
  for (const k of all) {
    const id = `${k.group}/${k.resource}`;
    assert.ok(!resources.has(id), id);
    resources.add(id);
    for (const s of k.shortNames ?? []) {
      assert.ok(!shortNames.has(s), s);
      shortNames.add(s);
    }
    assert.deepEqual(Object.keys(k.schema.properties ?? {}).slice(0, 3), ['apiVersion', 'kind', 'metadata'], k.kind);
    assert.ok(k.table, `${k.kind} has a table`);
    assert.ok(!k.table.columns.some((c) => c.name === 'Name' && c.priority === 0), `${k.kind} leaves NAME to the server`);
  }
  assert.equal(all.length, 21);
});

test('every table copes with an empty object and has one cell per column', () => {
  for (const k of all) {
    const cells = k.table!.cells({ metadata: { name: 'x' } }, Date.now());
    assert.equal(cells.length, k.table!.columns.length, k.kind);
  }
});

test('every strategy copes with an empty object', () => {
  for (const k of all) {
    const o = { metadata: { name: 'x', namespace: k.namespaced ? 'default' : undefined } };
    k.strategy?.defaults?.(o);
    k.strategy?.prepareForCreate?.(o);
    const errors = k.strategy?.validate?.(o) ?? [];
    assert.ok(Array.isArray(errors), k.kind);
    assert.ok(Array.isArray(k.strategy?.validateUpdate?.(structuredClone(o), o) ?? []), k.kind);
  }
});

test('workload kinds count generations and expose scale where upstream does', () => {
  const byKind = Object.fromEntries(all.map((k) => [k.kind, k]));
  for (const kind of ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ReplicationController', 'Job', 'CronJob']) assert.equal(byKind[kind].generation, true, kind);
  for (const kind of ['Deployment', 'ReplicaSet', 'StatefulSet', 'ReplicationController']) assert.equal(byKind[kind].scale?.specReplicasPath, '.spec.replicas', kind);
  assert.equal(byKind.DaemonSet.scale, undefined);
  assert.deepEqual(
    all.filter((k) => k.categories?.includes('all')).map((k) => k.kind).sort(),
    ['CronJob', 'DaemonSet', 'Deployment', 'Job', 'Pod', 'ReplicaSet', 'ReplicationController', 'Service', 'StatefulSet'],
  );
});
