import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goQuote, invalid, notSupported, tooLong } from './field-errors.ts';
import { isDNS1123Label, isIP, isQualifiedName, isValidLabelValue, nameIsDNSSubdomain } from './names.ts';
import { validateObjectMeta } from './object-meta.ts';
import { parseQuantity } from './quantity.ts';

test('field error bodies are rendered like field.Error.ErrorBody', () => {
  assert.equal(invalid('spec.replicas', -1, 'must be greater than or equal to 0').message, 'Invalid value: -1: must be greater than or equal to 0');
  assert.equal(invalid('metadata.labels', { b: '2', a: '<1>' }, 'x').message, 'Invalid value: {"b":"2","a":"\\u003c1\\u003e"}: x');
  assert.equal(notSupported('spec.type', 'X', ['A', 'B']).message, 'Unsupported value: "X": supported values: "A", "B"');
  assert.equal(tooLong('data', 1048576).message, 'Too long: may not be more than 1048576 bytes');
  assert.equal(goQuote('a"b\n\x01'), '"a\\"b\\n\\x01"');
});

test('name and label formats', () => {
  assert.deepEqual(isDNS1123Label('ok-name'), []);
  assert.deepEqual(isDNS1123Label('a'.repeat(64)), ['must be no more than 63 characters']);
  assert.deepEqual(isQualifiedName('example.com/app'), []);
  assert.deepEqual(isQualifiedName('a/b/c').length, 1);
  assert.deepEqual(isQualifiedName('-bad').length, 1);
  assert.deepEqual(isValidLabelValue(''), []);
  assert.ok(isIP('10.0.0.1') && isIP('2001:db8::1') && isIP('::ffff:1.2.3.4') && !isIP('10.0.0.256') && !isIP('1:2:3'));
});

test('object metadata: required name, namespace and label rules', () => {
  assert.deepEqual(
    validateObjectMeta({ metadata: {} }, true, nameIsDNSSubdomain).map((c) => `${c.field}: ${c.message}`),
    ['metadata.name: Required value: name or generateName is required', 'metadata.namespace: Required value'],
  );
  const errs = validateObjectMeta({ metadata: { name: 'x', namespace: 'ns', labels: { 'bad key!': 'v' }, finalizers: ['custom'] } }, true, nameIsDNSSubdomain);
  assert.equal(errs[0].field, 'metadata.labels');
  assert.ok(errs.some((e) => e.field === 'metadata.finalizers[0]' && e.message === 'Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified'));
  assert.deepEqual(
    validateObjectMeta({ metadata: { name: 'node', namespace: 'ns' } }, false, nameIsDNSSubdomain).map((c) => `${c.field}: ${c.message}`),
    ['metadata.namespace: Forbidden: not allowed on this type'],
  );
});

test('quantities parse exactly', () => {
  assert.equal(parseQuantity('1'), parseQuantity('1000m'));
  assert.equal(parseQuantity('1Gi'), 1024n ** 3n * 1_000_000_000n);
  assert.equal(parseQuantity('0.5'), parseQuantity('500m'));
  assert.equal(parseQuantity('2e3'), parseQuantity('2k'));
  assert.equal(parseQuantity('-1'), -1_000_000_000n);
  assert.equal(parseQuantity('1 G'), undefined);
});
