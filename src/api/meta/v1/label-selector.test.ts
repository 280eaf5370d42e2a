import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateLabelSelector } from './label-selector.ts';

function messages(selector: unknown): string[] {
  return validateLabelSelector(selector, 'spec.selector').map((c) => `${c.field}: ${c.message}`);
}

test('valid selectors pass', () => {
  assert.deepEqual(messages({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }] }), []);
  assert.deepEqual(messages(undefined), []);
});

test('invalid selectors give upstream messages', () => {
  assert.deepEqual(messages({ matchExpressions: [{ key: 'tier', operator: 'In' }] }), [
    "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
  ]);
  assert.deepEqual(messages({ matchExpressions: [{ key: 'tier', operator: 'Exists', values: ['a'] }] }), [
    "spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
  ]);
  assert.deepEqual(messages({ matchExpressions: [{ key: 'tier', operator: 'Maybe' }] }), [
    'spec.selector.matchExpressions[0].operator: Invalid value: "Maybe": not a valid selector operator',
  ]);
  assert.deepEqual(messages({ matchLabels: { app: 'a b' } }), [
    "spec.selector.matchLabels: Invalid value: \"a b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
  ]);
});
