// core/v1 ObjectReference, the reference Events ("regarding", "related"), EndpointSlices
// ("targetRef") and core kinds carry. An atomic struct as upstream marks it; kept here, below
// every group, so all of them can use it.

import type { Schema } from '../../schema.ts';
import { obj, str } from '../../schema.ts';

export const objectReferenceSchema: Schema = obj(
  {
    kind: str('Kind of the referent.'),
    namespace: str('Namespace of the referent.'),
    name: str('Name of the referent.'),
    uid: str('UID of the referent.'),
    apiVersion: str('API version of the referent.'),
    resourceVersion: str('Specific resourceVersion to which this reference is made, if any.'),
    fieldPath: str(
      'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].',
    ),
  },
  { description: 'ObjectReference contains enough information to let you inspect or modify the referred object.', 'x-kubernetes-map-type': 'atomic' },
);
