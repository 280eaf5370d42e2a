import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusError } from '../../../machinery/status.ts';
import { configMap } from './configmap.ts';
import { base64ErrorOffset, secret } from './secret.ts';
import { create, stored, update } from './strategy-harness.ts';

const now = Date.parse('2024-01-01T00:00:10Z');

test('config maps: valid keys, DATA counts data and binaryData', () => {
  const cm = stored(configMap, { metadata: { name: 'cfg' }, data: { 'app.properties': 'x=1', KEY: 'v' }, binaryData: { blob: 'AAEC' } });
  assert.deepEqual(configMap.table!.cells(cm, now), [3, '10s']);
  const errors = create(configMap, { metadata: { name: 'cfg' }, data: { 'bad key': 'x', dup: '1' }, binaryData: { dup: 'AA==' } }).errors;
  assert.deepEqual(errors, [
    `data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name', or 'KEY_NAME', or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
    'data[dup]: Invalid value: "dup": duplicate of key present in binaryData',
  ]);
});

test('config maps are limited to 1 MiB in total', () => {
  const big = 'x'.repeat(1024 * 1024 + 1);
  assert.deepEqual(create(configMap, { metadata: { name: 'big' }, data: { a: big } }).errors, ['Too long: may not be more than 1048576 bytes']);
});

test('immutable config maps and secrets reject data changes', () => {
  const old = stored(configMap, { metadata: { name: 'cfg' }, immutable: true, data: { a: '1' } });
  assert.deepEqual(update(configMap, { ...old, data: { a: '2' } }, old).errors, ['data: Forbidden: field is immutable when `immutable` is set']);
  const oldSecret = stored(secret, { metadata: { name: 's' }, immutable: true, data: { a: 'MQ==' } });
  assert.deepEqual(update(secret, { ...oldSecret, data: { a: 'Mg==' } }, oldSecret).errors, ['data: Forbidden: field is immutable when `immutable` is set']);
});

test('secrets: stringData folds into data, type defaults to Opaque', () => {
  const { object, errors } = create(secret, { metadata: { name: 's' }, data: { a: 'YQ==' }, stringData: { b: 'hello', a: 'over' } });
  assert.deepEqual(errors, []);
  assert.deepEqual(object.data, { a: 'b3Zlcg==', b: 'aGVsbG8=' });
  assert.equal(object.stringData, undefined);
  assert.equal(object.type, 'Opaque');
  const s = stored(secret, { metadata: { name: 's' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'Y3J0', 'tls.key': 'a2V5' } });
  assert.deepEqual(secret.table!.cells(s, now), ['kubernetes.io/tls', 2, '10s']);
  assert.equal(secret.fields!.type(s), 'kubernetes.io/tls');
});

test('secret data must be base64: a request that is not fails to decode (400)', () => {
  assert.equal(base64ErrorOffset('aGVsbG8='), undefined);
  assert.equal(base64ErrorOffset('abc'), 0);
  assert.equal(base64ErrorOffset('ab!d'), 2);
  assert.throws(
    () => create(secret, { metadata: { name: 's' }, data: { a: 'not base64!' } }),
    (e: unknown) => e instanceof StatusError && e.code === 400 && e.message === 'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3',
  );
});

test('typed secrets require their keys; the type is immutable', () => {
  assert.deepEqual(create(secret, { metadata: { name: 's' }, type: 'kubernetes.io/tls', data: {} }).errors, ['data[tls.crt]: Required value', 'data[tls.key]: Required value']);
  assert.deepEqual(create(secret, { metadata: { name: 's' }, type: 'kubernetes.io/dockerconfigjson' }).errors, ['data[.dockerconfigjson]: Required value']);
  const old = stored(secret, { metadata: { name: 's' } });
  assert.deepEqual(update(secret, { ...old, type: 'Other' }, old).errors, ['type: Invalid value: "Other": field is immutable']);
});
