// rbac.authorization.k8s.io/v1 RoleBinding: grants a Role or ClusterRole within one
// namespace. roleRef is immutable.

import type { KindDefinition } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import type { Schema } from '../../schema.ts';
import { bindingTable, defaultBinding, roleRefSchema, subjectsSchema, validateBinding, validateBindingUpdate } from './binding.ts';

const roleRefDescription =
  'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.';

export const roleBindingSchema: Schema = kindSchema(
  'RoleBinding references a role, but does not contain it.  It can reference a Role in the same namespace or a ClusterRole in the global namespace. It adds who information via Subjects and namespace information by which namespace it exists in.  RoleBindings in a given namespace only have effect in that namespace.',
  { subjects: subjectsSchema, roleRef: { ...roleRefSchema, description: roleRefDescription } },
  ['roleRef'],
);

export const roleBinding: KindDefinition = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  kind: 'RoleBinding',
  resource: 'rolebindings',
  namespaced: true,
  schema: roleBindingSchema,
  table: bindingTable('roleBinding', roleRefDescription),
  strategy: {
    defaults: defaultBinding,
    validate: (object) => validateBinding(object, true),
    validateUpdate: validateBindingUpdate,
  },
};
