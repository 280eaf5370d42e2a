import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultTable } from './default-table.ts';

test('the default table prints creationTimestamp in RFC 3339 UTC', () => {
  assert.deepEqual(defaultTable.columns.map((c) => [c.name, c.type]), [['Created At', 'date']]);
  assert.deepEqual(defaultTable.cells({ metadata: { creationTimestamp: '2024-05-01T11:00:00Z' } }, 0), ['2024-05-01T11:00:00Z']);
  assert.deepEqual(defaultTable.cells({ metadata: {} }, 0), ['0001-01-01T00:00:00Z']);
});
