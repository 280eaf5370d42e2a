// rbac.authorization.k8s.io/v1: Role, ClusterRole, RoleBinding, ClusterRoleBinding.
// Upstream names RBAC objects by the minimal rule (a URL path segment, so "system:node"
// is valid): `nameValidator` is that rule for the registry to use instead of DNS subdomains.

import { validatePathSegmentName } from '../../../machinery/validation.ts';
import type { NameValidator } from '../../../machinery/validation.ts';
import type { KindDefinition } from '../../kind.ts';
import { clusterRole } from './cluster-role.ts';
import { clusterRoleBinding } from './cluster-role-binding.ts';
import { role } from './role.ts';
import { roleBinding } from './role-binding.ts';

export const nameValidator: NameValidator = validatePathSegmentName;

export const kinds: KindDefinition[] = [clusterRoleBinding, clusterRole, roleBinding, role].map((k) => ({ ...k, nameValidator }));

export { role, roleSchema } from './role.ts';
export { clusterRole, clusterRoleSchema, aggregationRuleSchema } from './cluster-role.ts';
export { roleBinding, roleBindingSchema } from './role-binding.ts';
export { clusterRoleBinding, clusterRoleBindingSchema } from './cluster-role-binding.ts';
export { policyRuleSchema } from './policy-rule.ts';
export { subjectSchema, roleRefSchema, subjectsStrings } from './binding.ts';
