// authorization/v1 pieces the access reviews share: ResourceAttributes (with the field and
// label selectors of authorize-with-selectors), NonResourceAttributes, the SubjectAccessReview
// status, the spec checks upstream runs, and the "metadata must be empty" rule for reviews
// (ignoring what the API server itself fills in).

import type { StatusCause } from '../../../machinery/status.ts';
import type { KubeObject } from '../../kind.ts';
import type { Schema } from '../../schema.ts';
import { bool, list, mapOf, obj, str } from '../../schema.ts';
import { invalid } from '../../meta/v1/field.ts';
import { labelSelectorRequirementSchema } from '../../meta/v1/label-selector.ts';
import { arr, isObject, obj as asObject, str as asString } from '../../meta/v1/unstructured.ts';

const atomicStrings = (description: string): Schema => list(str(), description, { 'x-kubernetes-list-type': 'atomic' });

export const fieldSelectorRequirementSchema: Schema = obj(
  {
    key: str('key is the field selector key that the requirement applies to.'),
    operator: str("operator represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists, DoesNotExist. The list of operators may grow in the future."),
    values: atomicStrings('values is an array of string values. If the operator is In or NotIn, the values array must be non-empty. If the operator is Exists or DoesNotExist, the values array must be empty.'),
  },
  { description: 'FieldSelectorRequirement is a selector that contains values, a key, and an operator that relates the key and values.', required: ['key', 'operator'] },
);

export const resourceAttributesSchema: Schema = obj(
  {
    namespace: str(
      'Namespace is the namespace of the action being requested.  Currently, there is no distinction between no namespace and all namespaces "" (empty) is defaulted for LocalSubjectAccessReviews "" (empty) is empty for cluster-scoped resources "" (empty) means "all" for namespace scoped resources from a SubjectAccessReview or SelfSubjectAccessReview',
    ),
    verb: str('Verb is a kubernetes resource API verb, like: get, list, watch, create, update, delete, proxy.  "*" means all.'),
    group: str('Group is the API Group of the Resource.  "*" means all.'),
    version: str('Version is the API Version of the Resource.  "*" means all.'),
    resource: str('Resource is one of the existing resource types.  "*" means all.'),
    subresource: str('Subresource is one of the existing resource types.  "" means none.'),
    name: str('Name is the name of the resource being requested for a "get" or deleted for a "delete". "" (empty) means all.'),
    fieldSelector: obj(
      {
        rawSelector: str('rawSelector is the serialization of a field selector that would be included in a query parameter.'),
        requirements: list(fieldSelectorRequirementSchema, 'requirements is the parsed interpretation of a field selector.', { 'x-kubernetes-list-type': 'atomic' }),
      },
      { description: 'fieldSelector describes the limitation on access based on field.  It can only limit access, not broaden it.' },
    ),
    labelSelector: obj(
      {
        rawSelector: str('rawSelector is the serialization of a field selector that would be included in a query parameter.'),
        requirements: list(labelSelectorRequirementSchema, 'requirements is the parsed interpretation of a label selector.', { 'x-kubernetes-list-type': 'atomic' }),
      },
      { description: 'labelSelector describes the limitation on access based on labels.  It can only limit access, not broaden it.' },
    ),
  },
  { description: 'ResourceAttributes includes the authorization attributes available for resource requests to the Authorizer interface' },
);

export const nonResourceAttributesSchema: Schema = obj(
  {
    path: str('Path is the URL path of the request'),
    verb: str('Verb is the standard HTTP verb'),
  },
  { description: 'NonResourceAttributes includes the authorization attributes available for non-resource requests to the Authorizer interface' },
);

export const subjectAccessReviewSpecSchema: Schema = obj(
  {
    resourceAttributes: resourceAttributesSchema,
    nonResourceAttributes: nonResourceAttributesSchema,
    user: str('User is the user you\'re testing for. If you specify "User" but not "Groups", then is it interpreted as "What if User were not a member of any groups'),
    groups: atomicStrings("Groups is the groups you're testing for."),
    extra: mapOf(atomicStrings(''), 'Extra corresponds to the user.Info.GetExtra() method from the authenticator.  Since that is input to the authorizer it needs a reflection here.'),
    uid: str('UID information about the requesting user.'),
  },
  { description: 'SubjectAccessReviewSpec is a description of the access request.  Exactly one of ResourceAuthorizationAttributes and NonResourceAuthorizationAttributes must be set' },
);

export const subjectAccessReviewStatusSchema: Schema = obj(
  {
    allowed: bool('Allowed is required. True if the action would be allowed, false otherwise.'),
    denied: bool('Denied is optional. True if the action would be denied, otherwise false. If both allowed is false and denied is false, then the authorizer has no opinion on whether to authorize the action. Denied may not be true if Allowed is true.'),
    reason: str('Reason is optional.  It indicates why a request was allowed or denied.'),
    evaluationError: str('EvaluationError is an indication that some error occurred during the authorization check. It is entirely possible to get an error and be able to continue determine authorization status in spite of it. For instance, RBAC can be missing a role, but enough roles are still present and bound to reason about the request.'),
  },
  { description: 'SubjectAccessReviewStatus', required: ['allowed'] },
);

/** ValidateSelfSubjectAccessReviewSpec: exactly one kind of attributes. */
export function validateAttributes(spec: Record<string, unknown>): StatusCause[] {
  const errs: StatusCause[] = [];
  const hasResource = isObject(spec.resourceAttributes);
  const hasNonResource = isObject(spec.nonResourceAttributes);
  if (hasResource && hasNonResource) {
    errs.push(invalid('spec.nonResourceAttributes', spec.nonResourceAttributes, 'cannot be specified in combination with resourceAttributes'));
  }
  if (!hasResource && !hasNonResource) {
    errs.push(invalid('spec.resourceAttributes', spec.nonResourceAttributes, 'exactly one of nonResourceAttributes or resourceAttributes must be specified'));
  }
  return errs;
}

/** ValidateSubjectAccessReviewSpec: the attributes, and whom to ask about. */
export function validateSubjectAccessReviewSpec(spec: Record<string, unknown>): StatusCause[] {
  const errs = validateAttributes(spec);
  const user = asString(spec.user);
  if (user === '' && arr(spec.groups).length === 0) errs.push(invalid('spec.user', user, 'at least one of user or group must be specified'));
  return errs;
}

// Set by the API server on every object it handles, so not the user's doing.
const serverOwned = new Set(['uid', 'creationTimestamp', 'resourceVersion', 'generation', 'managedFields', 'selfLink']);

/** Reviews are not stored: upstream refuses any metadata (but the namespace of local reviews). */
export function validateEmptyMetadata(object: KubeObject, allowNamespace: boolean): StatusCause[] {
  const meta = asObject(object.metadata);
  const set = Object.entries(meta).filter(([k, v]) => !serverOwned.has(k) && !(allowNamespace && k === 'namespace') && v !== undefined && v !== null && v !== '');
  if (set.length === 0) return [];
  return [invalid('metadata', meta, allowNamespace ? 'must be empty except for namespace' : 'must be empty')];
}
