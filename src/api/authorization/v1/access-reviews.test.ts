import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KindDefinition, KubeObject } from '../../kind.ts';
import { kinds } from './index.ts';
import { localSubjectAccessReview } from './local-subject-access-review.ts';
import { selfSubjectAccessReview } from './self-subject-access-review.ts';
import { subjectAccessReview } from './subject-access-review.ts';

function messages(def: KindDefinition, object: KubeObject): string[] {
  return (def.strategy?.validate?.(object) ?? []).map((c) => `${c.field}: ${c.message}`);
}

test('reviews are create-only', () => {
  for (const def of kinds) assert.deepEqual(def.verbs, ['create'], def.kind);
});

test('kubectl auth can-i validates', () => {
  const ssar: KubeObject = {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    metadata: { creationTimestamp: null, uid: 'filled-by-server' },
    spec: { resourceAttributes: { namespace: 'default', verb: 'get', resource: 'pods' } },
  };
  assert.deepEqual(messages(selfSubjectAccessReview, ssar), []);
});

test('invalid reviews give upstream messages', () => {
  assert.deepEqual(messages(selfSubjectAccessReview, { metadata: {}, spec: {} }), [
    'spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
  ]);
  assert.deepEqual(messages(subjectAccessReview, { metadata: { name: 'x' }, spec: { nonResourceAttributes: { path: '/healthz', verb: 'get' } } }), [
    'spec.user: Invalid value: "": at least one of user or group must be specified',
    'metadata: Invalid value: {"name":"x"}: must be empty',
  ]);
  assert.deepEqual(
    messages(localSubjectAccessReview, {
      metadata: { namespace: 'team-a' },
      spec: { user: 'jane', resourceAttributes: { namespace: 'team-b', verb: 'list', resource: 'pods' } },
    }),
    ['spec.resourceAttributes.namespace: Invalid value: "team-b": must match metadata.namespace'],
  );
});

test('local reviews name their namespace in the attributes too', () => {
  const lsar: KubeObject = { metadata: { namespace: 'team-a' }, spec: { groups: ['devs'], resourceAttributes: { namespace: 'team-a', verb: 'list', resource: 'pods' } } };
  assert.deepEqual(messages(localSubjectAccessReview, lsar), []);
  const unnamed: KubeObject = { metadata: { namespace: 'team-a' }, spec: { groups: ['devs'], resourceAttributes: { verb: 'list', resource: 'pods' } } };
  assert.deepEqual(messages(localSubjectAccessReview, unnamed), ['spec.resourceAttributes.namespace: Invalid value: "": must match metadata.namespace']);
});
