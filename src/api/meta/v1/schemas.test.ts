import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  apiGroupListSchema,
  apiResourceListSchema,
  apiVersionsSchema,
  deleteOptionsSchema,
  partialObjectMetadataListSchema,
  statusSchema,
  tableSchema,
  watchEventSchema,
} from './index.ts';

test('envelope schemas carry upstream required fields', () => {
  assert.deepEqual(tableSchema.required, ['columnDefinitions', 'rows']);
  assert.deepEqual(tableSchema.properties?.rows?.items?.required, ['cells']);
  assert.deepEqual(watchEventSchema.required, ['type', 'object']);
  assert.deepEqual(apiResourceListSchema.required, ['groupVersion', 'resources']);
  assert.deepEqual(apiResourceListSchema.properties?.resources?.items?.required, ['name', 'singularName', 'namespaced', 'kind', 'verbs']);
  assert.deepEqual(apiGroupListSchema.required, ['groups']);
  assert.deepEqual(apiVersionsSchema.required, ['versions', 'serverAddressByClientCIDRs']);
  assert.deepEqual(partialObjectMetadataListSchema.required, ['items']);
});

test('Status and DeleteOptions describe their fields', () => {
  assert.deepEqual(Object.keys(statusSchema.properties ?? {}), ['apiVersion', 'kind', 'metadata', 'status', 'message', 'reason', 'details', 'code']);
  assert.equal(deleteOptionsSchema.properties?.propagationPolicy?.type, 'string');
  assert.equal(deleteOptionsSchema.properties?.dryRun?.['x-kubernetes-list-type'], 'atomic');
});
