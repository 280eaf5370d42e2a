import assert from 'node:assert/strict';
import { it } from 'node:test';
import { requestInfo } from './request-info.ts';

const q = (s = '') => new URLSearchParams(s);

it('parses resource paths as upstream RequestInfoFactory does', () => {
  const cases: [string, string, string, Partial<ReturnType<typeof requestInfo>>][] = [
    ['GET', '/api/v1/namespaces/default/pods', '', { verb: 'list', group: '', version: 'v1', namespace: 'default', resource: 'pods', name: '' }],
    ['GET', '/api/v1/namespaces/default/pods/web', '', { verb: 'get', namespace: 'default', resource: 'pods', name: 'web' }],
    ['GET', '/api/v1/pods', 'watch=true', { verb: 'watch', namespace: '', resource: 'pods' }],
    ['GET', '/api/v1/watch/namespaces/x/pods', '', { verb: 'watch', namespace: 'x', resource: 'pods' }],
    ['POST', '/api/v1/namespaces/default/pods/web/binding', '', { verb: 'create', resource: 'pods', name: 'web', subresource: 'binding' }],
    ['GET', '/api/v1/namespaces/kube-system', '', { verb: 'get', resource: 'namespaces', name: 'kube-system', namespace: 'kube-system' }],
    ['PUT', '/api/v1/namespaces/x/status', '', { verb: 'update', resource: 'namespaces', name: 'x', subresource: 'status' }],
    ['PUT', '/api/v1/namespaces/x/finalize', '', { verb: 'update', resource: 'namespaces', name: 'x', subresource: 'finalize' }],
    ['GET', '/api/v1/namespaces', '', { verb: 'list', resource: 'namespaces', name: '' }],
    ['DELETE', '/apis/apps/v1/namespaces/a/deployments', '', { verb: 'deletecollection', group: 'apps', resource: 'deployments' }],
    ['PATCH', '/apis/apps/v1/namespaces/a/deployments/web/scale', '', { verb: 'patch', group: 'apps', subresource: 'scale', name: 'web' }],
    ['GET', '/apis/rbac.authorization.k8s.io/v1/clusterroles/admin', '', { verb: 'get', group: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: 'admin' }],
  ];
  for (const [method, path, query, want] of cases) {
    const got = requestInfo(method, path, q(query));
    assert.equal(got.isResource, true, path);
    for (const [k, v] of Object.entries(want)) assert.equal(got[k as keyof typeof got], v, `${method} ${path}: ${k}`);
  }
});

it('does not take discovery and other paths for resources', () => {
  for (const path of ['/api', '/apis', '/api/v1', '/apis/apps', '/apis/apps/v1', '/healthz', '/openapi/v3']) {
    assert.equal(requestInfo('GET', path, q()).isResource, false, path);
  }
  assert.equal(requestInfo('GET', '/apis/apps', q()).group, 'apps');
});
