// authorization.k8s.io/v1 SubjectAccessReview: "may user U (in groups G) do this?", asked by
// a component with the right to ask (create only; the answer comes back in status).

import type { KindDefinition } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import type { Schema } from '../../schema.ts';
import { defaultTable } from '../../meta/v1/default-table.ts';
import { obj as asObject } from '../../meta/v1/unstructured.ts';
import { subjectAccessReviewSpecSchema, subjectAccessReviewStatusSchema, validateEmptyMetadata, validateSubjectAccessReviewSpec } from './attributes.ts';

export const subjectAccessReviewSchema: Schema = kindSchema(
  'SubjectAccessReview checks whether or not a user or group can perform an action.',
  {
    spec: { ...subjectAccessReviewSpecSchema, description: 'Spec holds information about the request being evaluated' },
    status: { ...subjectAccessReviewStatusSchema, description: 'Status is filled in by the server and indicates whether the request is allowed or not' },
  },
  ['spec'],
);

export const subjectAccessReview: KindDefinition = {
  group: 'authorization.k8s.io',
  version: 'v1',
  kind: 'SubjectAccessReview',
  resource: 'subjectaccessreviews',
  namespaced: false,
  verbs: ['create'],
  schema: subjectAccessReviewSchema,
  table: defaultTable,
  strategy: {
    validate: (object) => [...validateSubjectAccessReviewSpec(asObject(object.spec)), ...validateEmptyMetadata(object, false)],
  },
};
