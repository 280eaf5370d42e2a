import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scaleGroupVersionKind, scaleSchema } from './index.ts';

test('the Scale body: spec.replicas, status.replicas and status.selector', () => {
  assert.deepEqual(scaleGroupVersionKind, { group: 'autoscaling', version: 'v1', kind: 'Scale' });
  assert.equal(scaleSchema.properties?.spec?.properties?.replicas?.format, 'int32');
  assert.deepEqual(scaleSchema.properties?.status?.required, ['replicas']);
  assert.equal(scaleSchema.properties?.status?.properties?.selector?.type, 'string');
  assert.ok(scaleSchema.properties?.metadata);
});
