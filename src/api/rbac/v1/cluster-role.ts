// rbac.authorization.k8s.io/v1 ClusterRole: cluster-wide rules, optionally aggregated from
// other ClusterRoles by label selectors (the clusterrole-aggregation controller fills rules).
// Default CREATED AT table, as upstream.

import type { StatusCause } from '../../../machinery/status.ts';
import type { KindDefinition, KubeObject } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import type { Schema } from '../../schema.ts';
import { list, obj } from '../../schema.ts';
import { defaultTable } from '../../meta/v1/default-table.ts';
import { required } from '../../meta/v1/field.ts';
import { labelSelectorSchema, validateLabelSelector } from '../../meta/v1/label-selector.ts';
import { arr, isObject } from '../../meta/v1/unstructured.ts';
import { policyRulesSchema, validateRules } from './policy-rule.ts';

export const aggregationRuleSchema: Schema = obj(
  {
    clusterRoleSelectors: list(
      labelSelectorSchema,
      "ClusterRoleSelectors holds a list of selectors which will be used to find ClusterRoles and create the rules. If any of the selectors match, then the ClusterRole's permissions will be added",
      { 'x-kubernetes-list-type': 'atomic' },
    ),
  },
  { description: 'AggregationRule describes how to locate ClusterRoles to aggregate into the ClusterRole' },
);

export const clusterRoleSchema: Schema = kindSchema(
  'ClusterRole is a cluster level, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding or ClusterRoleBinding.',
  {
    rules: policyRulesSchema,
    aggregationRule: {
      ...aggregationRuleSchema,
      description:
        'AggregationRule is an optional field that describes how to build the Rules for this ClusterRole. If AggregationRule is set, then the Rules are controller managed and direct changes to Rules will be stomped by the controller.',
    },
  },
);

function validate(object: KubeObject): StatusCause[] {
  const errs = validateRules(object.rules, false);
  if (isObject(object.aggregationRule)) {
    const selectors = arr(object.aggregationRule.clusterRoleSelectors);
    if (selectors.length === 0) {
      errs.push(required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    }
    selectors.forEach((selector, i) => errs.push(...validateLabelSelector(selector, `aggregationRule.clusterRoleSelectors[${i}]`)));
  }
  return errs;
}

export const clusterRole: KindDefinition = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  kind: 'ClusterRole',
  resource: 'clusterroles',
  namespaced: false,
  schema: clusterRoleSchema,
  table: defaultTable,
  strategy: { validate },
};
