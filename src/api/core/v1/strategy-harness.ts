// Runs a kind's strategy the way the generic registry does, for the kinds' tests: defaults,
// then prepareForCreate or prepareForUpdate, then validation, on a copy of the input. The
// result is the stored object and the field errors as "field: message" strings.

import type { KindDefinition, KubeObject } from '../../kind.ts';

export interface Outcome {
  object: KubeObject;
  errors: string[];
}

function render(causes: { field?: string; message?: string }[]): string[] {
  return causes.map((c) => (c.field ? `${c.field}: ${c.message}` : (c.message ?? '')));
}

export function create(kind: KindDefinition, input: KubeObject): Outcome {
  const object = structuredClone(input);
  object.metadata ??= {};
  if (kind.namespaced) object.metadata.namespace ??= 'default';
  kind.strategy?.defaults?.(object);
  kind.strategy?.prepareForCreate?.(object);
  return { object, errors: render(kind.strategy?.validate?.(object) ?? []) };
}

export function update(kind: KindDefinition, input: KubeObject, old: KubeObject): Outcome {
  const object = structuredClone(input);
  object.metadata ??= {};
  object.metadata.resourceVersion ??= old.metadata?.resourceVersion ?? '1';
  if (old.metadata?.namespace) object.metadata.namespace ??= old.metadata.namespace;
  kind.strategy?.defaults?.(object);
  kind.strategy?.prepareForUpdate?.(object, old);
  const errors = [...(kind.strategy?.validate?.(object) ?? []), ...(kind.strategy?.validateUpdate?.(object, old) ?? [])];
  return { object, errors: render(errors) };
}

/** A created object as the registry stores it (uid, resourceVersion, creationTimestamp set). */
export function stored(kind: KindDefinition, input: KubeObject, created = '2024-01-01T00:00:00Z'): KubeObject {
  const copy = structuredClone(input);
  copy.metadata = { uid: '11111111-2222-3333-4444-555555555555', ...copy.metadata };
  const { object, errors } = create(kind, copy);
  if (errors.length) throw new Error(`invalid ${kind.kind}: ${errors.join('; ')}`);
  object.metadata = { ...object.metadata, resourceVersion: '1', creationTimestamp: created };
  return object;
}
