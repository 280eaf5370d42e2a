// rbac.authorization.k8s.io/v1 Role: namespaced rules. No printer upstream, so the default
// CREATED AT table.

import type { KindDefinition } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import type { Schema } from '../../schema.ts';
import { defaultTable } from '../../meta/v1/default-table.ts';
import { policyRulesSchema, validateRules } from './policy-rule.ts';

export const roleSchema: Schema = kindSchema('Role is a namespaced, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding.', {
  rules: policyRulesSchema,
});

export const role: KindDefinition = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  kind: 'Role',
  resource: 'roles',
  namespaced: true,
  schema: roleSchema,
  table: defaultTable,
  strategy: { validate: (object) => validateRules(object.rules, true) },
};
