// Schemas that many kinds share: label selectors, object references, resource lists, and a
// keyed list that server-side apply merges by key while strategic merge patch replaces it.

import type { Schema } from '../../schema.ts';
import { list, listMap, mapOf, obj, quantity, str, stringMap } from '../../schema.ts';
import { objectReferenceSchema } from '../../meta/v1/object-reference.ts';

export const labelSelectorRequirement: Schema = obj(
  {
    key: str('key is the label key that the selector applies to.'),
    operator: str("operator represents a key's relationship to a set of values."),
    values: list(str(), 'values is an array of string values.', { 'x-kubernetes-list-type': 'atomic' }),
  },
  { required: ['key', 'operator'] },
);

export const labelSelector: Schema = obj(
  {
    matchLabels: stringMap('matchLabels is a map of {key,value} pairs.'),
    matchExpressions: list(labelSelectorRequirement, 'matchExpressions is a list of label selector requirements.', { 'x-kubernetes-list-type': 'atomic' }),
  },
  { 'x-kubernetes-map-type': 'atomic', description: 'A label selector is a label query over a set of resources.' },
);

/** ObjectReference lives in meta/v1, shared with the groups that reference core objects. */
export const objectReference: Schema = objectReferenceSchema;

export const localObjectReference: Schema = obj({ name: str('Name of the referent.') }, { 'x-kubernetes-map-type': 'atomic' });

export const typedLocalObjectReference: Schema = obj(
  {
    apiGroup: str('APIGroup is the group for the resource being referenced.'),
    kind: str('Kind is the type of resource being referenced.'),
    name: str('Name is the name of resource being referenced.'),
  },
  { required: ['kind', 'name'], 'x-kubernetes-map-type': 'atomic' },
);

export const typedObjectReference: Schema = obj(
  {
    apiGroup: str('APIGroup is the group for the resource being referenced.'),
    kind: str('Kind is the type of resource being referenced.'),
    name: str('Name is the name of resource being referenced.'),
    namespace: str('Namespace is the namespace of resource being referenced.'),
  },
  { required: ['kind', 'name'] },
);

/** core.ResourceList: resource name to quantity. */
export function resourceList(description?: string): Schema {
  return mapOf(quantity(), description);
}

/** A list map for server-side apply that strategic merge patch replaces as a whole. */
export function keyedList(items: Schema, keys: string[], description?: string): Schema {
  const s = listMap(items, keys, description);
  delete s['x-kubernetes-patch-merge-key'];
  delete s['x-kubernetes-patch-strategy'];
  return s;
}
