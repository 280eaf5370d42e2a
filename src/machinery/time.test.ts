import assert from 'node:assert/strict';
import { test } from 'node:test';
import { microTime, rfc3339 } from './time.ts';

test('metav1.Time drops the fraction; MicroTime keeps six digits', () => {
  const ms = Date.parse('2026-01-02T03:04:05.678Z');
  assert.equal(rfc3339(ms), '2026-01-02T03:04:05Z');
  assert.equal(microTime(ms), '2026-01-02T03:04:05.678000Z');
});
