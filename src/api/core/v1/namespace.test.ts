import assert from 'node:assert/strict';
import { test } from 'node:test';
import { namespace } from './namespace.ts';
import { create, stored, update } from './strategy-harness.ts';

test('namespaces get the metadata.name label, the kubernetes finalizer and the Active phase', () => {
  const { object, errors } = create(namespace, { metadata: { name: 'team-a' } });
  assert.deepEqual(errors, []);
  assert.deepEqual(object.metadata?.labels, { 'kubernetes.io/metadata.name': 'team-a' });
  assert.deepEqual(object.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(object.status, { phase: 'Active' });
  assert.deepEqual(namespace.table!.cells({ ...object, metadata: { ...object.metadata, creationTimestamp: '2024-01-01T00:00:00Z' } }, Date.parse('2024-01-01T00:00:30Z')), ['Active', '30s']);
  assert.equal(namespace.fields!['status.phase'](object), 'Active');
});

test('namespace names are DNS labels', () => {
  assert.deepEqual(create(namespace, { metadata: { name: 'a.b' } }).errors, ['metadata.name: Invalid value: "a.b": must not contain dots']);
});

test('updates of the main resource keep spec and status', () => {
  const old = stored(namespace, { metadata: { name: 'x' } });
  const next = structuredClone(old);
  next.spec = { finalizers: [] };
  next.status = { phase: 'Terminating' };
  const out = update(namespace, next, old);
  assert.deepEqual(out.errors, []);
  assert.deepEqual(out.object.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(out.object.status, { phase: 'Active' });
});
