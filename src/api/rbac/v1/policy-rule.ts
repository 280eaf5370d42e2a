// rbac/v1 PolicyRule: the schema (every list atomic, as upstream marks them) and
// validatePolicyRule with upstream's messages.

import type { StatusCause } from '../../../machinery/status.ts';
import type { Schema } from '../../schema.ts';
import { list, obj, str } from '../../schema.ts';
import { invalid, required } from '../../meta/v1/field.ts';
import { arr, obj as asObject, strings } from '../../meta/v1/unstructured.ts';

const atomicStrings = (description: string): Schema => list(str(), description, { 'x-kubernetes-list-type': 'atomic' });

export const policyRuleSchema: Schema = obj(
  {
    verbs: atomicStrings("Verbs is a list of Verbs that apply to ALL the ResourceKinds contained in this rule. '*' represents all verbs."),
    apiGroups: atomicStrings(
      'APIGroups is the name of the APIGroup that contains the resources.  If multiple API groups are specified, any action requested against one of the enumerated resources in any API group will be allowed. "" represents the core API group and "*" represents all API groups.',
    ),
    resources: atomicStrings("Resources is a list of resources this rule applies to. '*' represents all resources."),
    resourceNames: atomicStrings('ResourceNames is an optional white list of names that the rule applies to.  An empty set means that everything is allowed.'),
    nonResourceURLs: atomicStrings(
      'NonResourceURLs is a set of partial urls that a user should have access to.  *s are allowed, but only as the full, final step in the path Since non-resource URLs are not namespaced, this field is only applicable for ClusterRoles referenced from a ClusterRoleBinding. Rules can either apply to API resources (such as "pods" or "secrets") or non-resource URL paths (such as "/api"),  but not both.',
    ),
  },
  {
    description: 'PolicyRule holds information that describes a policy rule, but does not contain information about who the rule applies to or which namespace the rule applies to.',
    required: ['verbs'],
  },
);

export const policyRulesSchema: Schema = list(policyRuleSchema, 'Rules holds all the PolicyRules for this role', { 'x-kubernetes-list-type': 'atomic' });

export function validatePolicyRule(value: unknown, namespaced: boolean, path: string): StatusCause[] {
  const rule = asObject(value);
  const errs: StatusCause[] = [];
  if (arr(rule.verbs).length === 0) errs.push(required(`${path}.verbs`, 'verbs must contain at least one value'));
  const nonResourceURLs = strings(rule.nonResourceURLs);
  if (nonResourceURLs.length > 0) {
    if (namespaced) errs.push(invalid(`${path}.nonResourceURLs`, nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
    if (arr(rule.apiGroups).length > 0 || arr(rule.resources).length > 0 || arr(rule.resourceNames).length > 0) {
      errs.push(invalid(`${path}.nonResourceURLs`, nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if (arr(rule.apiGroups).length === 0) errs.push(required(`${path}.apiGroups`, 'resource rules must supply at least one api group'));
  if (arr(rule.resources).length === 0) errs.push(required(`${path}.resources`, 'resource rules must supply at least one resource'));
  if (arr(rule.resourceNames).length > 0 && arr(rule.resources).length > 1) {
    errs.push(required(`${path}.resourceNames`, 'resource names cannot apply to multiple resources'));
  }
  return errs;
}

export function validateRules(rules: unknown, namespaced: boolean): StatusCause[] {
  return arr(rules).flatMap((rule, i) => validatePolicyRule(rule, namespaced, `rules[${i}]`));
}
