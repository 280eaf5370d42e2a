import assert from 'node:assert/strict';
import { it } from 'node:test';
import { decodeObject, encodeObject, rawWithVersion } from './codec.ts';

const joined = (chunks: Uint8Array[] | undefined) => (chunks ? Buffer.concat(chunks).toString('utf8') : undefined);

it('stores objects without their resourceVersion and splices it back without parsing', () => {
  const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', resourceVersion: '7' }, data: { k: 'v' } };
  const stored = encodeObject(object);
  assert.ok(!new TextDecoder().decode(stored).includes('resourceVersion'));
  const raw = joined(rawWithVersion(stored, 42))!;
  assert.deepEqual(JSON.parse(raw), { ...object, metadata: { name: 'a', resourceVersion: '42' } });
  assert.deepEqual(decodeObject({ key: new Uint8Array(0), value: stored, createRevision: 1, modRevision: 42, version: 1, lease: 0n }), JSON.parse(raw));
  const bare = encodeObject({ apiVersion: 'v1', kind: 'X' });
  assert.deepEqual(JSON.parse(joined(rawWithVersion(bare, 3))!), { apiVersion: 'v1', kind: 'X', metadata: { resourceVersion: '3' } });
  assert.equal(rawWithVersion(new TextEncoder().encode('{"kind":"Old","metadata":{}}'), 1), undefined, 'other layouts are left to the parser');
});
