import assert from 'node:assert/strict';
import { it } from 'node:test';
import { decodeObject, encodeObject, rawWithVersion, servedLength, storedBytes, writeServed } from './codec.ts';
import type { KeyValue } from '../../store/store.ts';

const kv = (value: Uint8Array, modRevision: number): KeyValue => ({ key: new Uint8Array(0), value, createRevision: 1, modRevision, version: 1, lease: 0n });

it('stores objects without their resourceVersion and splices it back without parsing', () => {
  const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', resourceVersion: '7' }, data: { k: 'v' } };
  const stored = encodeObject(object);
  assert.ok(!new TextDecoder().decode(stored).includes('resourceVersion'));
  const raw = rawWithVersion(stored, 42)!.toString('utf8');
  assert.deepEqual(JSON.parse(raw), { ...object, metadata: { name: 'a', resourceVersion: '42' } });
  assert.deepEqual(decodeObject(kv(stored, 42)), JSON.parse(raw));
  const bare = encodeObject({ apiVersion: 'v1', kind: 'X' });
  assert.deepEqual(JSON.parse(rawWithVersion(bare, 3)!.toString('utf8')), { apiVersion: 'v1', kind: 'X', metadata: { resourceVersion: '3' } });
  assert.equal(rawWithVersion(new TextEncoder().encode('{"kind":"Old","metadata":{}}'), 1), undefined, 'other layouts are left to the parser');
});

it('serves bytes in another layout after re-encoding them, and writes each item at an offset with its exact length', () => {
  const old = storedBytes(kv(new TextEncoder().encode('{"kind":"Old","metadata":{"name":"ü"},"data":{"k":"é"}}'), 9));
  const plain = storedBytes(kv(encodeObject({ apiVersion: 'v1', kind: 'X', metadata: { name: 'n' } }), 12345));
  const empty = storedBytes(kv(encodeObject({ apiVersion: 'v1', kind: 'Y' }), 1));
  const target = Buffer.alloc(4 + servedLength(old) + servedLength(plain) + servedLength(empty));
  let offset = writeServed(old, target, 4);
  assert.equal(offset, 4 + servedLength(old));
  offset = writeServed(plain, target, offset);
  offset = writeServed(empty, target, offset);
  assert.equal(offset, target.length);
  // servedLength counts bytes: the multibyte characters of the first object must not shift the others.
  assert.deepEqual(JSON.parse(target.subarray(4, 4 + servedLength(old)).toString('utf8')), { kind: 'Old', metadata: { name: 'ü', resourceVersion: '9' }, data: { k: 'é' } });
  assert.deepEqual(JSON.parse(target.subarray(4 + servedLength(old), 4 + servedLength(old) + servedLength(plain)).toString('utf8')), { apiVersion: 'v1', kind: 'X', metadata: { name: 'n', resourceVersion: '12345' } });
  assert.deepEqual(JSON.parse(target.subarray(target.length - servedLength(empty)).toString('utf8')), { apiVersion: 'v1', kind: 'Y', metadata: { resourceVersion: '1' } });
});
