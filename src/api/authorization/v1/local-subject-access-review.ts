// authorization.k8s.io/v1 LocalSubjectAccessReview: a SubjectAccessReview confined to one
// namespace, so namespace admins may ask it (create only).

import type { StatusCause } from '../../../machinery/status.ts';
import type { KindDefinition, KubeObject } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import type { Schema } from '../../schema.ts';
import { defaultTable } from '../../meta/v1/default-table.ts';
import { invalid } from '../../meta/v1/field.ts';
import { isObject, obj as asObject, str as asString } from '../../meta/v1/unstructured.ts';
import { subjectAccessReviewSpecSchema, subjectAccessReviewStatusSchema, validateEmptyMetadata, validateSubjectAccessReviewSpec } from './attributes.ts';

export const localSubjectAccessReviewSchema: Schema = kindSchema(
  'LocalSubjectAccessReview checks whether or not a user or group can perform an action in a given namespace. Having a namespace scoped resource makes it much easier to grant namespace scoped policy that includes permissions checking.',
  {
    spec: {
      ...subjectAccessReviewSpecSchema,
      description: 'Spec holds information about the request being evaluated.  spec.namespace must be equal to the namespace you made the request against.  If empty, it is defaulted.',
    },
    status: { ...subjectAccessReviewStatusSchema, description: 'Status is filled in by the server and indicates whether the request is allowed or not' },
  },
  ['spec'],
);

function validate(object: KubeObject): StatusCause[] {
  const spec = asObject(object.spec);
  const errs = [...validateSubjectAccessReviewSpec(spec), ...validateEmptyMetadata(object, true)];
  const namespace = object.metadata?.namespace ?? '';
  if (isObject(spec.resourceAttributes)) {
    const requested = asString(spec.resourceAttributes.namespace);
    if (requested !== namespace) errs.push(invalid('spec.resourceAttributes.namespace', requested, 'must match metadata.namespace'));
  }
  if (isObject(spec.nonResourceAttributes)) {
    errs.push(invalid('spec.nonResourceAttributes', spec.nonResourceAttributes, 'disallowed on this kind of request'));
  }
  return errs;
}

export const localSubjectAccessReview: KindDefinition = {
  group: 'authorization.k8s.io',
  version: 'v1',
  kind: 'LocalSubjectAccessReview',
  resource: 'localsubjectaccessreviews',
  namespaced: true,
  verbs: ['create'],
  schema: localSubjectAccessReviewSchema,
  table: defaultTable,
  strategy: { validate },
};
