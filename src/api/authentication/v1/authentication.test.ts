import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../kind.ts';
import { kinds, tokenRequestSchema } from './index.ts';
import { defaultTokenRequest, validateTokenRequest } from './token-request.ts';

test('reviews are create-only and cluster-scoped', () => {
  assert.deepEqual(
    kinds.map((k) => [k.kind, k.resource, k.verbs, k.namespaced]),
    [
      ['SelfSubjectReview', 'selfsubjectreviews', ['create'], false],
      ['TokenReview', 'tokenreviews', ['create'], false],
    ],
  );
});

test('token requests default to an hour', () => {
  const tr: KubeObject = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: ['https://kubernetes.default.svc'] } };
  defaultTokenRequest(tr);
  assert.equal((tr.spec as { expirationSeconds: number }).expirationSeconds, 3600);
  assert.deepEqual(validateTokenRequest(tr), []);
  assert.deepEqual(tokenRequestSchema.required, ['spec']);
});

test('token lifetimes outside upstream limits are refused with upstream messages', () => {
  const short = validateTokenRequest({ spec: { expirationSeconds: 60 } });
  assert.deepEqual(
    short.map((c) => `${c.field}: ${c.message}`),
    ['spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes'],
  );
  const long = validateTokenRequest({ spec: { expirationSeconds: 2 ** 32 + 1 } });
  assert.deepEqual(
    long.map((c) => `${c.field}: ${c.message}`),
    ['spec.expirationSeconds: Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds'],
  );
});
