// How objects are kept in the store: JSON bytes without metadata.resourceVersion, which
// is the key's mod revision and is filled in when an object is read back (as upstream's
// etcd3 storage does), so a stored object never contradicts its own revision.

import type { KubeObject } from '../../api/kind.ts';
import type { KeyValue } from '../../store/store.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// Objects are written with metadata first, so a list can be served without decoding each
// object: its resourceVersion is spliced in right after the opening `{"metadata":{`.
const metadataOpening = '{"metadata":{';

export function encodeObject(object: KubeObject): Uint8Array {
  const { resourceVersion: _rv, ...meta } = object.metadata ?? {};
  const { metadata: _m, ...rest } = object;
  return encoder.encode(JSON.stringify({ metadata: meta, ...rest }));
}

const opening = encoder.encode(metadataOpening);

/**
 * The stored JSON with its resourceVersion, without parsing it: chunks to concatenate, or
 * undefined when the bytes are not in our layout.
 */
export function rawWithVersion(value: Uint8Array, revision: number): Uint8Array[] | undefined {
  if (value.length < opening.length) return undefined;
  for (let i = 0; i < opening.length; i++) if (value[i] !== opening[i]) return undefined;
  const empty = value[opening.length] === 0x7d; // '}'
  const field = encoder.encode(`${metadataOpening}"resourceVersion":"${revision}"${empty ? '' : ','}`);
  return [field, value.subarray(opening.length)];
}

export function decodeObject(kv: KeyValue): KubeObject {
  const object = JSON.parse(decoder.decode(kv.value)) as KubeObject;
  object.metadata = { ...object.metadata, resourceVersion: String(kv.modRevision) };
  return object;
}

// The bytes each object was last stored as, so that the answer to a create or update sends them
// (with the resourceVersion spliced in) instead of encoding the same object once more.
const storedForms = new WeakMap<KubeObject, { value: Uint8Array; revision: number }>();

/** Remembers that `object` (as it is now, with this revision) was stored as `value`. */
export function rememberStored(object: KubeObject, value: Uint8Array, revision: number): void {
  storedForms.set(object, { value, revision });
}

/**
 * The JSON of an object the store just wrote, as chunks to concatenate; undefined when it was
 * not remembered or its resourceVersion changed since.
 */
export function storedJson(object: KubeObject): Uint8Array[] | undefined {
  const stored = storedForms.get(object);
  if (!stored || object.metadata?.resourceVersion !== String(stored.revision)) return undefined;
  return rawWithVersion(stored.value, stored.revision);
}
