// What RoleBinding and ClusterRoleBinding share: Subject and RoleRef schemas, upstream's
// defaults (roleRef.apiGroup, the subjects' apiGroup by kind), validation with upstream's
// messages (roleRef kind, subject kinds, immutable roleRef) and the binding table
// (ROLE, AGE; USERS, GROUPS, SERVICEACCOUNTS wide).

import type { StatusCause } from '../../../machinery/status.ts';
import { goQuote, nameIsDNSSubdomain, validatePathSegmentName } from '../../../machinery/validation.ts';
import type { KubeObject, TableConvertor } from '../../kind.ts';
import type { Schema } from '../../schema.ts';
import { list, obj, str } from '../../schema.ts';
import { creationTimestampDescription, translateTimestampSince } from '../../meta/v1/age.ts';
import { goValue, invalid, notSupported, required } from '../../meta/v1/field.ts';
import { arr, isObject, obj as asObject, str as asString } from '../../meta/v1/unstructured.ts';

export const groupName = 'rbac.authorization.k8s.io';

export const subjectSchema: Schema = obj(
  {
    kind: str('Kind of object being referenced. Values defined by this API group are "User", "Group", and "ServiceAccount". If the Authorizer does not recognized the kind value, the Authorizer should report an error.'),
    apiGroup: str('APIGroup holds the API group of the referenced subject. Defaults to "" for ServiceAccount subjects. Defaults to "rbac.authorization.k8s.io" for User and Group subjects.'),
    name: str('Name of the object being referenced.'),
    namespace: str('Namespace of the referenced object.  If the object kind is non-namespace, such as "User" or "Group", and this value is not empty the Authorizer should report an error.'),
  },
  {
    description: 'Subject contains a reference to the object or user identities a role binding applies to.  This can either hold a direct API object reference, or a value for non-objects such as user and group names.',
    required: ['kind', 'name'],
    'x-kubernetes-map-type': 'atomic',
  },
);

export const roleRefSchema: Schema = obj(
  {
    apiGroup: str('APIGroup is the group for the resource being referenced'),
    kind: str('Kind is the type of resource being referenced'),
    name: str('Name is the name of resource being referenced'),
  },
  { description: 'RoleRef contains information that points to the role being used', required: ['apiGroup', 'kind', 'name'], 'x-kubernetes-map-type': 'atomic' },
);

export const subjectsSchema: Schema = list(subjectSchema, 'Subjects holds references to the objects the role applies to.', { 'x-kubernetes-list-type': 'atomic' });

export function defaultBinding(object: KubeObject): void {
  if (isObject(object.roleRef) && !object.roleRef.apiGroup) object.roleRef.apiGroup = groupName;
  for (const subject of arr(object.subjects)) {
    if (!isObject(subject) || subject.apiGroup) continue;
    if (subject.kind === 'ServiceAccount') subject.apiGroup = '';
    else if (subject.kind === 'User' || subject.kind === 'Group') subject.apiGroup = groupName;
  }
}

function validateSubject(value: unknown, namespaced: boolean, path: string): StatusCause[] {
  const subject = asObject(value);
  const errs: StatusCause[] = [];
  const name = asString(subject.name);
  const apiGroup = asString(subject.apiGroup);
  if (name === '') errs.push(required(`${path}.name`));
  switch (subject.kind) {
    case 'ServiceAccount':
      if (name !== '') for (const msg of nameIsDNSSubdomain(name, false)) errs.push(invalid(`${path}.name`, name, msg));
      if (apiGroup !== '') errs.push(notSupported(`${path}.apiGroup`, apiGroup, ['']));
      if (!namespaced && asString(subject.namespace) === '') errs.push(required(`${path}.namespace`));
      break;
    case 'User':
      if (name === '') errs.push(invalid(`${path}.name`, name, 'user name cannot be empty'));
      if (apiGroup !== groupName) errs.push(notSupported(`${path}.apiGroup`, apiGroup, [groupName]));
      break;
    case 'Group':
      if (name === '') errs.push(invalid(`${path}.name`, name, 'group name cannot be empty'));
      if (apiGroup !== groupName) errs.push(notSupported(`${path}.apiGroup`, apiGroup, [groupName]));
      break;
    default:
      errs.push(notSupported(`${path}.kind`, asString(subject.kind), ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

/** ValidateRoleBinding / ValidateClusterRoleBinding without the metadata part. */
export function validateBinding(object: KubeObject, namespaced: boolean): StatusCause[] {
  const errs: StatusCause[] = [];
  const roleRef = asObject(object.roleRef);
  const apiGroup = asString(roleRef.apiGroup);
  if (apiGroup !== groupName) errs.push(notSupported('roleRef.apiGroup', apiGroup, [groupName]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  const kind = asString(roleRef.kind);
  if (!kinds.includes(kind)) errs.push(notSupported('roleRef.kind', kind, kinds));
  const name = asString(roleRef.name);
  if (name === '') errs.push(required('roleRef.name'));
  else for (const msg of validatePathSegmentName(name, false)) errs.push(invalid('roleRef.name', name, msg));
  arr(object.subjects).forEach((subject, i) => errs.push(...validateSubject(subject, namespaced, `subjects[${i}]`)));
  return errs;
}

function roleRefGo(roleRef: Record<string, unknown>): string {
  return `rbac.RoleRef{APIGroup:${goQuote(asString(roleRef.apiGroup))}, Kind:${goQuote(asString(roleRef.kind))}, Name:${goQuote(asString(roleRef.name))}}`;
}

/** A binding's roleRef never changes: delete and recreate the binding instead. */
export function validateBindingUpdate(object: KubeObject, old: KubeObject): StatusCause[] {
  const next = asObject(object.roleRef);
  const prev = asObject(old.roleRef);
  const same = (['apiGroup', 'kind', 'name'] as const).every((k) => asString(next[k]) === asString(prev[k]));
  return same ? [] : [invalid('roleRef', goValue(roleRefGo(next)), 'cannot change roleRef')];
}

/** rbac.SubjectsStrings: users, groups and "namespace/name" service accounts. */
export function subjectsStrings(subjects: unknown): { users: string[]; groups: string[]; serviceAccounts: string[] } {
  const users: string[] = [];
  const groups: string[] = [];
  const serviceAccounts: string[] = [];
  for (const value of arr(subjects)) {
    const s = asObject(value);
    const name = asString(s.name);
    if (s.kind === 'ServiceAccount') serviceAccounts.push(`${asString(s.namespace)}/${name}`);
    else if (s.kind === 'User') users.push(name);
    else if (s.kind === 'Group') groups.push(name);
  }
  return { users, groups, serviceAccounts };
}

export function bindingTable(what: 'roleBinding' | 'clusterRoleBinding', roleRefDescription: string): TableConvertor {
  return {
    columns: [
      { name: 'Role', type: 'string', description: roleRefDescription, priority: 0 },
      { name: 'Age', type: 'string', description: creationTimestampDescription, priority: 0 },
      { name: 'Users', type: 'string', description: `Users in the ${what}`, priority: 1 },
      { name: 'Groups', type: 'string', description: `Groups in the ${what}`, priority: 1 },
      { name: 'ServiceAccounts', type: 'string', description: `ServiceAccounts in the ${what}`, priority: 1 },
    ],
    cells: (object, now) => {
      const roleRef = asObject(object.roleRef);
      const { users, groups, serviceAccounts } = subjectsStrings(object.subjects);
      return [
        `${asString(roleRef.kind)}/${asString(roleRef.name)}`,
        translateTimestampSince(object.metadata?.creationTimestamp, now),
        users.join(', '),
        groups.join(', '),
        serviceAccounts.join(', '),
      ];
    },
  };
}
