// The schema parts every kind shares: ObjectMeta, and the apiVersion/kind/metadata envelope.

import type { Schema } from './schema.ts';
import { bool, int64, list, listMap, obj, str, stringMap, time, freeform, set } from './schema.ts';

export const ownerReference: Schema = obj(
  {
    apiVersion: str('API version of the referent.'),
    kind: str('Kind of the referent.'),
    name: str('Name of the referent.'),
    uid: str('UID of the referent.'),
    controller: bool('If true, this reference points to the managing controller.'),
    blockOwnerDeletion: bool('If true, the owner cannot be deleted from the key-value store until this reference is removed (foreground deletion).'),
  },
  { required: ['apiVersion', 'kind', 'name', 'uid'], 'x-kubernetes-map-type': 'atomic' },
);

export const objectMeta: Schema = obj(
  {
    name: str('Name must be unique within a namespace.'),
    generateName: str('Prefix the server uses to generate a unique name when name is not set.'),
    namespace: str('Namespace defines the space within which each name must be unique.'),
    selfLink: str('Deprecated: not set by the server.'),
    uid: str('UID is the unique in time and space value for this object, set by the server.'),
    resourceVersion: str('An opaque value that represents the internal version of this object, for optimistic concurrency and watches.'),
    generation: int64('A sequence number representing a specific generation of the desired state.'),
    creationTimestamp: time('When this object was created, set by the server.'),
    deletionTimestamp: time('When this object will be deleted, set by the server when a graceful deletion is requested.'),
    deletionGracePeriodSeconds: int64('Seconds allowed for this object to gracefully terminate before it is removed.'),
    labels: stringMap('Map of string keys and values that can be used to organize and categorize objects; used by selectors.'),
    annotations: stringMap('Unstructured key value map stored with a resource that tools may set to store and retrieve arbitrary metadata.'),
    ownerReferences: listMap(ownerReference, ['uid'], 'Objects depended on by this object; it is garbage collected when all are deleted.'),
    finalizers: { ...set(str(), 'Must be empty before the object is deleted from the registry.'), 'x-kubernetes-patch-strategy': 'merge' },
    managedFields: list(freeform('A field set managed by one manager (server-side apply).'), 'Which manager owns which fields.'),
  },
  { description: 'Standard object metadata.' },
);

/** Listing metadata: resourceVersion and the continue token. */
export const listMeta: Schema = obj({
  resourceVersion: str(),
  continue: str(),
  remainingItemCount: int64(),
  selfLink: str(),
});

/** The schema of a whole object: apiVersion, kind, metadata plus the kind's own fields. */
export function kindSchema(description: string, properties: Record<string, Schema>, required?: string[]): Schema {
  return obj(
    {
      apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
      kind: str('Kind is a string value representing the REST resource this object represents.'),
      metadata: objectMeta,
      ...properties,
    },
    { description, ...(required ? { required } : {}) },
  );
}
