import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goValue, invalid, notSupported, required, semanticEqual, tooMany, validateImmutableField } from './field.ts';

test('bad values print as upstream ErrorBody prints them', () => {
  assert.equal(invalid('a', 'x', 'bad').message, 'Invalid value: "x": bad');
  assert.equal(invalid('a', 5, 'bad').message, 'Invalid value: 5: bad');
  assert.equal(invalid('a', undefined, 'bad').message, 'Invalid value: "null": bad');
  assert.equal(invalid('a', ['/x', '/y'], 'bad').message, 'Invalid value: []string{"/x", "/y"}: bad');
  assert.equal(invalid('a', goValue('rbac.RoleRef{}'), 'bad').message, 'Invalid value: rbac.RoleRef{}: bad');
  assert.equal(notSupported('a', 'x', ['b', 'c']).message, 'Unsupported value: "x": supported values: "b", "c"');
  assert.deepEqual(required('spec.x'), { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.x' });
  assert.equal(tooMany('a', 9, 8).message, 'Too many: 9: must have at most 8 items');
});

test('semantic equality treats nil and empty alike', () => {
  assert.ok(semanticEqual(undefined, []));
  assert.ok(semanticEqual({ a: [] }, {}));
  assert.ok(!semanticEqual({ a: '' }, {}));
  assert.ok(!semanticEqual([1], [2]));
  assert.deepEqual(validateImmutableField('a', 'a', 'f'), []);
  assert.equal(validateImmutableField('b', 'a', 'f')[0]!.message, 'Invalid value: "b": field is immutable');
});
