import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KindDefinition, KubeObject } from '../../kind.ts';
import { clusterRole } from './cluster-role.ts';
import { clusterRoleBinding } from './cluster-role-binding.ts';
import { nameValidator } from './index.ts';
import { role } from './role.ts';
import { roleBinding } from './role-binding.ts';

const now = Date.parse('2024-05-01T12:00:00Z');
const meta = (name: string, namespace?: string) => ({ name, ...(namespace ? { namespace } : {}), creationTimestamp: '2024-05-01T10:00:00Z' });

function messages(def: KindDefinition, object: KubeObject): string[] {
  return def.strategy!.validate!(object).map((c) => `${c.field}: ${c.message}`);
}

test('roles validate their rules', () => {
  const ok: KubeObject = { metadata: meta('pod-reader', 'default'), rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] };
  assert.deepEqual(messages(role, ok), []);
  assert.deepEqual(messages(role, { metadata: meta('r', 'default'), rules: [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }] }), [
    'rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs',
  ]);
  assert.deepEqual(messages(role, { metadata: meta('r', 'default'), rules: [{}] }), [
    'rules[0].verbs: Required value: verbs must contain at least one value',
    'rules[0].apiGroups: Required value: resource rules must supply at least one api group',
    'rules[0].resources: Required value: resource rules must supply at least one resource',
  ]);
  assert.deepEqual(messages(role, { metadata: meta('r', 'default'), rules: [{ apiGroups: [''], resources: ['pods', 'secrets'], resourceNames: ['a'], verbs: ['get'] }] }), [
    'rules[0].resourceNames: Required value: resource names cannot apply to multiple resources',
  ]);
  assert.deepEqual(role.table!.cells(ok, now), ['2024-05-01T10:00:00Z']);
  assert.deepEqual(role.table!.columns.map((c) => c.name), ['Created At']);
});

test('cluster roles allow non-resource URLs and check aggregation rules', () => {
  assert.deepEqual(messages(clusterRole, { metadata: meta('system:discovery'), rules: [{ nonResourceURLs: ['/api', '/api/*'], verbs: ['get'] }] }), []);
  assert.deepEqual(messages(clusterRole, { metadata: meta('agg'), aggregationRule: {} }), [
    'aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil',
  ]);
  assert.deepEqual(messages(clusterRole, { metadata: meta('agg'), aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate-to-view': 'true' } }] } }), []);
});

test('RBAC names only need to be path segments', () => {
  assert.deepEqual(nameValidator('system:controller:node-controller', false), []);
  assert.deepEqual(nameValidator('a/b', false), ["may not contain '/'"]);
});

test('bindings default apiGroups', () => {
  const rb: KubeObject = {
    metadata: meta('read-pods', 'default'),
    roleRef: { kind: 'Role', name: 'pod-reader' },
    subjects: [{ kind: 'User', name: 'jane' }, { kind: 'ServiceAccount', name: 'default', namespace: 'default' }, { kind: 'Group', name: 'devs' }],
  };
  roleBinding.strategy!.defaults!(rb);
  assert.deepEqual(rb.roleRef, { kind: 'Role', name: 'pod-reader', apiGroup: 'rbac.authorization.k8s.io' });
  assert.deepEqual(
    (rb.subjects as { apiGroup: string }[]).map((s) => s.apiGroup),
    ['rbac.authorization.k8s.io', '', 'rbac.authorization.k8s.io'],
  );
  assert.deepEqual(messages(roleBinding, rb), []);
});

test('invalid bindings give upstream messages', () => {
  const crb: KubeObject = {
    metadata: meta('admins'),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'admin' },
    subjects: [{ kind: 'ServiceAccount', name: 'builder' }, { kind: 'Robot', name: 'r2' }, { kind: 'User', name: 'bob', apiGroup: 'example.com' }],
  };
  assert.deepEqual(messages(clusterRoleBinding, crb), [
    'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
    'subjects[0].namespace: Required value',
    'subjects[1].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
    'subjects[2].apiGroup: Unsupported value: "example.com": supported values: "rbac.authorization.k8s.io"',
  ]);
});

test('roleRef cannot change', () => {
  const old: KubeObject = { metadata: meta('b', 'default'), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'a' } };
  const next: KubeObject = { metadata: meta('b', 'default'), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' } };
  assert.deepEqual(
    roleBinding.strategy!.validateUpdate!(next, old).map((c) => `${c.field}: ${c.message}`),
    ['roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"view"}: cannot change roleRef'],
  );
  assert.deepEqual(roleBinding.strategy!.validateUpdate!(old, old), []);
});

test('binding tables as kubectl prints them', () => {
  assert.deepEqual(
    roleBinding.table!.columns.map((c) => [c.name, c.priority]),
    [
      ['Role', 0],
      ['Age', 0],
      ['Users', 1],
      ['Groups', 1],
      ['ServiceAccounts', 1],
    ],
  );
  const rb: KubeObject = {
    metadata: meta('read-pods', 'default'),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    subjects: [
      { kind: 'User', name: 'jane' },
      { kind: 'User', name: 'joe' },
      { kind: 'ServiceAccount', name: 'default', namespace: 'kube-system' },
    ],
  };
  assert.deepEqual(roleBinding.table!.cells(rb, now), ['ClusterRole/view', '120m', 'jane, joe', '', 'kube-system/default']);
  assert.deepEqual(clusterRoleBinding.table!.cells({ ...rb, metadata: meta('x') }, now), ['ClusterRole/view', '120m', 'jane, joe', '', 'kube-system/default']);
});
