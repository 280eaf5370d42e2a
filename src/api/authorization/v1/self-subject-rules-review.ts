// authorization.k8s.io/v1 SelfSubjectRulesReview: "what may I do in this namespace?"
// (kubectl auth can-i --list). Create only; upstream validates nothing in it.

import type { KindDefinition } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import type { Schema } from '../../schema.ts';
import { bool, list, obj, str } from '../../schema.ts';
import { defaultTable } from '../../meta/v1/default-table.ts';

const atomicStrings = (description: string): Schema => list(str(), description, { 'x-kubernetes-list-type': 'atomic' });

export const resourceRuleSchema: Schema = obj(
  {
    verbs: atomicStrings('Verb is a list of kubernetes resource API verbs, like: get, list, watch, create, update, delete, proxy.  "*" means all.'),
    apiGroups: atomicStrings('APIGroups is the name of the APIGroup that contains the resources.  If multiple API groups are specified, any action requested against one of the enumerated resources in any API group will be allowed.  "*" means all.'),
    resources: atomicStrings('Resources is a list of resources this rule applies to.  "*" means all in the specified apiGroups.\n "*/foo" represents the subresource \'foo\' for all resources in the specified apiGroups.'),
    resourceNames: atomicStrings('ResourceNames is an optional white list of names that the rule applies to.  An empty set means that everything is allowed.  "*" means all.'),
  },
  { description: 'ResourceRule is the list of actions the subject is allowed to perform on resources. The list ordering isn\'t significant, may contain duplicates, and possibly be incomplete.', required: ['verbs'] },
);

export const nonResourceRuleSchema: Schema = obj(
  {
    verbs: atomicStrings('Verb is a list of kubernetes non-resource API verbs, like: get, post, put, delete, patch, head, options.  "*" means all.'),
    nonResourceURLs: atomicStrings('NonResourceURLs is a set of partial urls that a user should have access to.  *s are allowed, but only as the full, final step in the path.  "*" means all.'),
  },
  { description: 'NonResourceRule holds information that describes a rule for the non-resource', required: ['verbs'] },
);

export const subjectRulesReviewStatusSchema: Schema = obj(
  {
    resourceRules: list(resourceRuleSchema, "ResourceRules is the list of actions the subject is allowed to perform on resources. The list ordering isn't significant, may contain duplicates, and possibly be incomplete.", {
      'x-kubernetes-list-type': 'atomic',
    }),
    nonResourceRules: list(nonResourceRuleSchema, "NonResourceRules is the list of actions the subject is allowed to perform on non-resources. The list ordering isn't significant, may contain duplicates, and possibly be incomplete.", {
      'x-kubernetes-list-type': 'atomic',
    }),
    incomplete: bool('Incomplete is true when the rules returned by this call are incomplete. This is most commonly encountered when an authorizer, such as an external authorizer, doesn\'t support rules evaluation.'),
    evaluationError: str("EvaluationError can appear in combination with Rules. It indicates an error occurred during rule evaluation, such as an authorizer that doesn't support rule evaluation, and that ResourceRules and/or NonResourceRules may be incomplete."),
  },
  {
    description:
      "SubjectRulesReviewStatus contains the result of a rules check. This check can be incomplete depending on the set of authorizers the server is configured with and any errors experienced during evaluation. Because authorization rules are additive, if a rule appears in a list it's safe to assume the subject has that permission, even if that list is incomplete.",
    required: ['resourceRules', 'nonResourceRules', 'incomplete'],
  },
);

export const selfSubjectRulesReviewSchema: Schema = kindSchema(
  "SelfSubjectRulesReview enumerates the set of actions the current user can perform within a namespace. The returned list of actions may be incomplete depending on the server's authorization mode, and any errors experienced during the evaluation. SelfSubjectRulesReview should be used by UIs to show/hide actions, or to quickly let an end user reason about their permissions. It should NOT Be used by external systems to drive authorization decisions as this raises confused deputy, cache lifetime/revocation, and correctness concerns. SubjectAccessReview, and LocalAccessReview are the correct way to defer authorization decisions to the API server.",
  {
    spec: obj({ namespace: str('Namespace to evaluate rules for. Required.') }, { description: 'Spec holds information about the request being evaluated.' }),
    status: { ...subjectRulesReviewStatusSchema, description: 'Status is filled in by the server and indicates the set of actions a user can perform.' },
  },
  ['spec'],
);

export const selfSubjectRulesReview: KindDefinition = {
  group: 'authorization.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectRulesReview',
  resource: 'selfsubjectrulesreviews',
  namespaced: false,
  verbs: ['create'],
  schema: selfSubjectRulesReviewSchema,
  table: defaultTable,
};
