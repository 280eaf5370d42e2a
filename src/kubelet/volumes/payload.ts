// What configMap, secret and downwardAPI volumes (and their projected counterparts) contain: a
// map from relative path to content and mode, built as upstream's MakePayload and CollectData do.
// Without items every key becomes a file named after it; with items only the listed keys, at
// their paths and modes; a listed key that is missing is an error unless the source is optional.

import { extractFieldPathAsString, resourceFieldValue } from '../env/downward-api.ts';
import { ownValue } from '../env/records.ts';
import type { ConfigMap, Pod, ResourceList, Secret } from '../env/types.ts';
import type { FileProjection } from './atomic-writer.ts';
import { aggregate } from './errors.ts';
import type { DownwardAPIVolumeFile, KeyToPath } from './types.ts';

export type Payload = Map<string, FileProjection>;

/** API defaulting's 0644 for configMap, secret, downwardAPI and projected volumes. */
export const defaultFileMode = 0o644;

function fromBase64(data: string): Buffer {
  return Buffer.from(data, 'base64');
}

export function makeConfigMapPayload(items: readonly KeyToPath[] | undefined, configMap: ConfigMap | undefined, defaultMode: number, optional: boolean): Payload {
  const payload: Payload = new Map();
  const data = configMap?.data;
  const binaryData = configMap?.binaryData;
  if (!items || items.length === 0) {
    for (const [key, value] of Object.entries(data ?? {})) payload.set(key, { data: Buffer.from(value), mode: defaultMode });
    for (const [key, value] of Object.entries(binaryData ?? {})) payload.set(key, { data: fromBase64(value), mode: defaultMode });
    return payload;
  }
  for (const item of items) {
    const text = ownValue(data, item.key);
    const binary = ownValue(binaryData, item.key);
    let content: Buffer;
    if (text !== undefined) content = Buffer.from(text);
    else if (binary !== undefined) content = fromBase64(binary);
    else if (optional) continue;
    else throw new Error(`configmap references non-existent config key: ${item.key}`);
    payload.set(item.path, { data: content, mode: item.mode ?? defaultMode });
  }
  return payload;
}

export function makeSecretPayload(items: readonly KeyToPath[] | undefined, secret: Secret | undefined, defaultMode: number, optional: boolean): Payload {
  const payload: Payload = new Map();
  const data = secret?.data;
  if (!items || items.length === 0) {
    for (const [key, value] of Object.entries(data ?? {})) payload.set(key, { data: fromBase64(value), mode: defaultMode });
    return payload;
  }
  for (const item of items) {
    const value = ownValue(data, item.key);
    if (value === undefined) {
      if (optional) continue;
      throw new Error(`references non-existent secret key: ${item.key}`);
    }
    payload.set(item.path, { data: fromBase64(value), mode: item.mode ?? defaultMode });
  }
  return payload;
}

/** downwardAPI files: pod metadata (fieldRef) and container resources (resourceFieldRef, limits defaulted to allocatable). */
export function makeDownwardAPIPayload(items: readonly DownwardAPIVolumeFile[] | undefined, pod: Pod, defaultMode: number, allocatable: ResourceList): Payload {
  const payload: Payload = new Map();
  const errors: Error[] = [];
  for (const item of items ?? []) {
    let text = '';
    try {
      if (item.fieldRef) text = extractFieldPathAsString(pod, item.fieldRef.fieldPath);
      else if (item.resourceFieldRef) text = resourceFieldValue(item.resourceFieldRef, pod, undefined, allocatable);
    } catch (err) {
      errors.push(err as Error);
    }
    payload.set(item.path, { data: Buffer.from(text), mode: item.mode ?? defaultMode });
  }
  const err = aggregate(errors);
  if (err) throw err;
  return payload;
}
