// How objects are kept in the store: JSON bytes without metadata.resourceVersion, which
// is the key's mod revision and is filled in when an object is read back (as upstream's
// etcd3 storage does), so a stored object never contradicts its own revision.

import type { KubeObject } from '../../api/kind.ts';
import type { KeyValue } from '../../store/store.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeObject(object: KubeObject): Uint8Array {
  const meta = object.metadata;
  if (meta && 'resourceVersion' in meta) {
    const { resourceVersion: _rv, ...rest } = meta;
    return encoder.encode(JSON.stringify({ ...object, metadata: rest }));
  }
  return encoder.encode(JSON.stringify(object));
}

export function decodeObject(kv: KeyValue): KubeObject {
  const object = JSON.parse(decoder.decode(kv.value)) as KubeObject;
  object.metadata = { ...object.metadata, resourceVersion: String(kv.modRevision) };
  return object;
}

export function decodeValue(value: Uint8Array, revision: number): KubeObject {
  const object = JSON.parse(decoder.decode(value)) as KubeObject;
  object.metadata = { ...object.metadata, resourceVersion: String(revision) };
  return object;
}
