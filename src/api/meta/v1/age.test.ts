import assert from 'node:assert/strict';
import { test } from 'node:test';
import { translateTimestampSince } from './age.ts';



test('translateTimestampSince', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');
  assert.equal(translateTimestampSince('2024-05-01T11:59:30Z', now), '30s');
  assert.equal(translateTimestampSince(undefined, now), '<unknown>');
  assert.equal(translateTimestampSince(null, now), '<unknown>');
  assert.equal(translateTimestampSince('not a time', now), '<unknown>');
});
