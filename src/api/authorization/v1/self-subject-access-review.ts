// authorization.k8s.io/v1 SelfSubjectAccessReview: "may I do this?" (kubectl auth can-i).
// Create only; the requester is the subject.

import type { KindDefinition } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import type { Schema } from '../../schema.ts';
import { obj } from '../../schema.ts';
import { defaultTable } from '../../meta/v1/default-table.ts';
import { obj as asObject } from '../../meta/v1/unstructured.ts';
import { nonResourceAttributesSchema, resourceAttributesSchema, subjectAccessReviewStatusSchema, validateAttributes, validateEmptyMetadata } from './attributes.ts';

export const selfSubjectAccessReviewSpecSchema: Schema = obj(
  {
    resourceAttributes: { ...resourceAttributesSchema, description: 'ResourceAuthorizationAttributes describes information for a resource access request' },
    nonResourceAttributes: { ...nonResourceAttributesSchema, description: 'NonResourceAttributes describes information for a non-resource access request' },
  },
  { description: 'SelfSubjectAccessReviewSpec is a description of the access request.  Exactly one of ResourceAuthorizationAttributes and NonResourceAuthorizationAttributes must be set' },
);

export const selfSubjectAccessReviewSchema: Schema = kindSchema(
  'SelfSubjectAccessReview checks whether or the current user can perform an action.  Not filling in a spec.namespace means "in all namespaces".  Self is a special case, because users should always be able to check whether they can perform an action',
  {
    spec: { ...selfSubjectAccessReviewSpecSchema, description: 'Spec holds information about the request being evaluated.  user and groups must be empty' },
    status: { ...subjectAccessReviewStatusSchema, description: 'Status is filled in by the server and indicates whether the request is allowed or not' },
  },
  ['spec'],
);

export const selfSubjectAccessReview: KindDefinition = {
  group: 'authorization.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectAccessReview',
  resource: 'selfsubjectaccessreviews',
  namespaced: false,
  verbs: ['create'],
  schema: selfSubjectAccessReviewSchema,
  table: defaultTable,
  strategy: {
    validate: (object) => [...validateAttributes(asObject(object.spec)), ...validateEmptyMetadata(object, false)],
  },
};
