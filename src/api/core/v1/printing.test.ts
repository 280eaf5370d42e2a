import assert from 'node:assert/strict';
import { test } from 'node:test';
import { age, formatLabelSelector, formatLabels, humanDuration, labelSelectorString } from '../../printing.ts';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

test('humanDuration matches duration.HumanDuration', () => {
  const cases: [number, string][] = [
    [s, '1s'],
    [70 * s, '70s'],
    [190 * s, '3m10s'],
    [70 * m, '70m'],
    [47 * h, '47h'],
    [49 * h, '2d1h'],
    [(8 * 24 + 2) * h, '8d'],
    [367 * d, '367d'],
    [(365 * 2 * 24 + 25) * h, '2y1d'],
    [(365 * 8 * 24 + 2) * h, '8y'],
    [-2 * s, '<invalid>'],
    [-2 * s + 1, '0s'],
    [0, '0s'],
    [2 * m - 1, '119s'],
    [2 * m, '2m'],
    [2 * m + s, '2m1s'],
    [10 * m - 1, '9m59s'],
    [10 * m + s, '10m'],
    [3 * h - 1, '179m'],
    [3 * h + m, '3h1m'],
    [8 * h - 1, '7h59m'],
    [8 * h + 59 * m, '8h'],
    [2 * d - 1, '47h'],
    [2 * d, '2d'],
    [8 * d - 1, '7d23h'],
    [2 * 365 * d - 1, '729d'],
    [2 * 365 * d + d, '2y1d'],
    [5 * 365 * d, '5y'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `${ms}ms`);
});

test('age is <unknown> without a creationTimestamp', () => {
  const now = Date.parse('2024-01-01T00:10:00Z');
  assert.equal(age({ metadata: {} }, now), '<unknown>');
  assert.equal(age({ metadata: { creationTimestamp: '2024-01-01T00:00:00Z' } }, now), '10m');
});

test('label maps and selectors print like labels.FormatLabels and metav1.FormatLabelSelector', () => {
  assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
  assert.equal(formatLabels(undefined), '<none>');
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(formatLabelSelector(undefined), '<none>');
  assert.equal(
    formatLabelSelector({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['front', 'back'] },
        { key: 'env', operator: 'DoesNotExist' },
        { key: 'zone', operator: 'NotIn', values: ['a'] },
      ],
    }),
    'app=web,!env,tier in (back,front),zone notin (a)',
  );
  assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'x', operator: 'Bogus' }] }), '<error>');
  assert.equal(labelSelectorString({ matchExpressions: [{ key: 'x', operator: 'In', values: [] }] }), undefined);
});
