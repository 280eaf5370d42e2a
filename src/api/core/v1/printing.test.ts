import assert from 'node:assert/strict';
import { test } from 'node:test';
import { age, formatLabelSelector, formatLabels, labelSelectorString } from '../../printing.ts';



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
