import assert from 'node:assert/strict';
import { test } from 'node:test';
import { microTime, rfc3339 } from './time.ts';

test('metav1.Time drops the fraction; MicroTime keeps six digits', () => {
  const ms = Date.parse('2026-01-02T03:04:05.678Z');
  assert.equal(rfc3339(ms), '2026-01-02T03:04:05Z');
  assert.equal(microTime(ms), '2026-01-02T03:04:05.678000Z');
});

test('formats each second correctly when called in and out of order', () => {
  const base = Date.UTC(2026, 0, 1, 23, 59, 58);
  const seen = [base, base + 999, base + 1000, base + 1500, base, base + 2001].map(rfc3339);
  assert.deepEqual(seen, ['2026-01-01T23:59:58Z', '2026-01-01T23:59:58Z', '2026-01-01T23:59:59Z', '2026-01-01T23:59:59Z', '2026-01-01T23:59:58Z', '2026-01-02T00:00:00Z']);
});
