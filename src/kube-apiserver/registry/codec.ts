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

/** An object's stored bytes (in our layout) and the revision that is its resourceVersion. */
export interface StoredBytes {
  readonly value: Uint8Array;
  readonly revision: number;
}

function inLayout(value: Uint8Array): boolean {
  if (value.length < opening.length) return false;
  for (let i = 0; i < opening.length; i++) if (value[i] !== opening[i]) return false;
  return true;
}

/** The bytes of a key-value to serve from, re-encoded into our layout when written in another. */
export function storedBytes(kv: KeyValue): StoredBytes {
  return { value: inLayout(kv.value) ? kv.value : encodeObject(decodeObject(kv)), revision: kv.modRevision };
}

/** The field spliced in after the opening: `"resourceVersion":"N"` and a comma unless the metadata is empty. */
function versionField(stored: StoredBytes): string {
  const empty = stored.value[opening.length] === 0x7d; // '}'
  return `"resourceVersion":"${stored.revision}"${empty ? '' : ','}`;
}

/** The length in bytes of the JSON served for `stored`. */
export function servedLength(stored: StoredBytes): number {
  return stored.value.length + versionField(stored).length; // the field is ASCII
}

/** Writes the JSON served for `stored` into `target` at `offset`; returns the offset after it. */
export function writeServed(stored: StoredBytes, target: Buffer, offset: number): number {
  target.set(opening, offset);
  offset += opening.length;
  offset += target.write(versionField(stored), offset, 'latin1');
  target.set(stored.value.subarray(opening.length), offset);
  return offset + stored.value.length - opening.length;
}

/**
 * The stored JSON with its resourceVersion, without parsing it; undefined when the bytes
 * are not in our layout.
 */
export function rawWithVersion(value: Uint8Array, revision: number): Buffer | undefined {
  if (!inLayout(value)) return undefined;
  const stored = { value, revision };
  const out = Buffer.allocUnsafe(servedLength(stored));
  writeServed(stored, out, 0);
  return out;
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
 * The JSON of an object the store just wrote; undefined when it was not remembered or its
 * resourceVersion changed since.
 */
export function storedJson(object: KubeObject): Buffer | undefined {
  const stored = storedForms.get(object);
  if (!stored || object.metadata?.resourceVersion !== String(stored.revision)) return undefined;
  return rawWithVersion(stored.value, stored.revision);
}
