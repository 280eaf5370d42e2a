// rbac.authorization.k8s.io/v1 ClusterRoleBinding: grants a ClusterRole cluster-wide.
// roleRef is immutable.

import type { KindDefinition } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import type { Schema } from '../../schema.ts';
import { bindingTable, defaultBinding, roleRefSchema, subjectsSchema, validateBinding, validateBindingUpdate } from './binding.ts';

const roleRefDescription =
  'RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.';

export const clusterRoleBindingSchema: Schema = kindSchema(
  'ClusterRoleBinding references a ClusterRole, but not contain it.  It can reference a ClusterRole in the global namespace, and adds who information via Subject.',
  { subjects: subjectsSchema, roleRef: { ...roleRefSchema, description: roleRefDescription } },
  ['roleRef'],
);

export const clusterRoleBinding: KindDefinition = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  kind: 'ClusterRoleBinding',
  resource: 'clusterrolebindings',
  namespaced: false,
  schema: clusterRoleBindingSchema,
  table: bindingTable('clusterRoleBinding', roleRefDescription),
  strategy: {
    defaults: defaultBinding,
    validate: (object) => validateBinding(object, false),
    validateUpdate: validateBindingUpdate,
  },
};
