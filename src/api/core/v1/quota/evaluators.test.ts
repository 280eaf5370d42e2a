import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../kind.ts';
import { evaluatorFor, quotaMatches, type ScopeRequirement } from './evaluators.ts';
import { formatResourceList } from './resource-list.ts';

const now = Date.UTC(2025, 0, 1, 12);
const pods = evaluatorFor('', 'pods');
const usage = (group: string, resource: string, obj: KubeObject) => formatResourceList(evaluatorFor(group, resource).usage(obj, now));

function pod(spec: Record<string, unknown>, extra: Partial<KubeObject> = {}): KubeObject {
  return { metadata: { name: 'p', namespace: 'ns' }, spec, ...extra };
}

const container = (name: string, requests?: Record<string, string>, limits?: Record<string, string>, more: Record<string, unknown> = {}) => ({ name, image: 'i', resources: { requests, limits }, ...more });

test('a pod is charged its containers’ requests and limits, init containers by their peak, sidecars on top, plus overhead', () => {
  const spec = {
    containers: [container('a', { cpu: '100m', memory: '64Mi' }, { cpu: '200m', memory: '128Mi' }), container('b', { cpu: '300m', 'example.com/gpu': '1', 'hugepages-2Mi': '4Mi' })],
    initContainers: [container('setup', { cpu: '1', memory: '32Mi' }), container('sidecar', { cpu: '50m' }, undefined, { restartPolicy: 'Always' })],
    overhead: { cpu: '10m' },
  };
  assert.deepEqual(usage('', 'pods', pod(spec)), {
    'count/pods': '1',
    // max(containers 400m + sidecar 50m, setup 1 alone: it runs before the sidecar) + overhead 10m
    cpu: '1010m',
    'hugepages-2Mi': '4Mi',
    'limits.cpu': '210m',
    'limits.memory': '128Mi',
    memory: '64Mi',
    pods: '1',
    'requests.cpu': '1010m',
    'requests.example.com/gpu': '1',
    'requests.hugepages-2Mi': '4Mi',
    'requests.memory': '64Mi',
  });
});

test('terminal pods and pods past their deletion grace period count only as objects', () => {
  const spec = { containers: [container('a', { cpu: '1' })] };
  assert.deepEqual(usage('', 'pods', pod(spec, { status: { phase: 'Succeeded' } })), { 'count/pods': '1' });
  const gone = pod(spec, { metadata: { name: 'p', deletionTimestamp: new Date(now - 60_000).toISOString(), deletionGracePeriodSeconds: 30 } });
  assert.deepEqual(usage('', 'pods', gone), { 'count/pods': '1' });
  const leaving = pod(spec, { metadata: { name: 'p', deletionTimestamp: new Date(now - 10_000).toISOString(), deletionGracePeriodSeconds: 30 } });
  assert.equal(usage('', 'pods', leaving).pods, '1');
  assert.equal(pods.changesUsage(leaving, { ...leaving, status: { phase: 'Failed' } }, now), true);
  assert.equal(pods.changesUsage(leaving, leaving, now), false);
});

test('a cpu or memory quota needs every container to state it, in upstream’s words', () => {
  const p = pod({ containers: [container('web'), container('log', { cpu: '100m' })], initContainers: [container('init')] });
  const required = pods.matchingResources(['pods', 'requests.cpu', 'limits.memory', 'count/secrets']);
  assert.deepEqual(required, ['limits.memory', 'pods', 'requests.cpu']);
  assert.equal(pods.constraints(required, p), 'must specify limits.memory for: init,log,web; requests.cpu for: init,web');
  assert.equal(pods.constraints(['pods', 'requests.storage'], p), undefined);
});

test('pod scopes: Terminating, BestEffort, PriorityClass selectors, cross-namespace affinity', () => {
  const bestEffort = pod({ containers: [container('a')], activeDeadlineSeconds: 30, priorityClassName: 'high' });
  const burstable = pod({ containers: [container('a', { cpu: '1' })] });
  const is = (s: ScopeRequirement, p: KubeObject) => pods.matchesScope(s, p);
  assert.equal(is({ scopeName: 'Terminating', operator: 'Exists' }, bestEffort), true);
  assert.equal(is({ scopeName: 'NotTerminating', operator: 'Exists' }, burstable), true);
  assert.equal(is({ scopeName: 'BestEffort', operator: 'Exists' }, bestEffort), true);
  assert.equal(is({ scopeName: 'NotBestEffort', operator: 'Exists' }, burstable), true);
  assert.equal(is({ scopeName: 'PriorityClass', operator: 'In', values: ['high', 'mid'] }, bestEffort), true);
  assert.equal(is({ scopeName: 'PriorityClass', operator: 'NotIn', values: ['high'] }, bestEffort), false);
  assert.equal(is({ scopeName: 'PriorityClass', operator: 'NotIn', values: ['high'] }, burstable), true);
  assert.equal(is({ scopeName: 'PriorityClass', operator: 'Exists' }, burstable), false);
  assert.equal(is({ scopeName: 'PriorityClass', operator: 'DoesNotExist' }, burstable), true);
  const affinity = pod({ containers: [], affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: { namespaces: ['other'], topologyKey: 'k' } }] } } });
  assert.equal(is({ scopeName: 'CrossNamespacePodAffinity', operator: 'Exists' }, affinity), true);
  assert.equal(is({ scopeName: 'CrossNamespacePodAffinity', operator: 'Exists' }, burstable), false);
});

test('a quota matches an object when its status.hard tracks the kind and all its scopes match', () => {
  const quota = (hard: Record<string, string>, scopes?: string[]): KubeObject => ({ metadata: { name: 'q' }, spec: { hard, scopes }, status: { hard } });
  const p = pod({ containers: [container('a', { cpu: '1' })] });
  assert.equal(quotaMatches(pods, quota({ pods: '1' }), p), true);
  assert.equal(quotaMatches(pods, quota({ secrets: '1' }), p), false);
  assert.equal(quotaMatches(pods, quota({ pods: '1' }, ['BestEffort']), p), false);
  assert.equal(quotaMatches(evaluatorFor('', 'secrets'), quota({ secrets: '1' }, ['BestEffort']), { metadata: { name: 's' } }), false, 'scoped quotas count pods only');
  assert.equal(quotaMatches(pods, { metadata: { name: 'q' }, spec: { hard: { pods: '1' } } }, p), false, 'not before the controller filled status.hard');
});

test('services count node ports and load balancers by type', () => {
  const ports = [{ port: 80 }, { port: 443, nodePort: 30443 }];
  assert.deepEqual(usage('', 'services', { spec: { type: 'ClusterIP', ports } }), { 'count/services': '1', services: '1', 'services.loadbalancers': '0', 'services.nodeports': '0' });
  assert.deepEqual(usage('', 'services', { spec: { type: 'NodePort', ports } })['services.nodeports'], '2');
  const lb = usage('', 'services', { spec: { type: 'LoadBalancer', ports, allocateLoadBalancerNodePorts: false } });
  assert.deepEqual([lb['services.loadbalancers'], lb['services.nodeports']], ['1', '1']);
  const services = evaluatorFor('', 'services');
  assert.equal(services.changesUsage({ spec: { type: 'ClusterIP' } }, { spec: { type: 'NodePort' } }, now), true);
  assert.equal(services.changesUsage({ spec: { type: 'ClusterIP' } }, { spec: { type: 'ClusterIP', selector: {} } }, now), false);
});

test('claims are charged storage in whole bytes, also per storage class', () => {
  const pvc = { metadata: { name: 'c' }, spec: { storageClassName: 'gold', resources: { requests: { storage: '1500m' } } } };
  assert.deepEqual(usage('', 'persistentvolumeclaims', pvc), {
    'count/persistentvolumeclaims': '1',
    'gold.storageclass.storage.k8s.io/persistentvolumeclaims': '1',
    'gold.storageclass.storage.k8s.io/requests.storage': '2',
    persistentvolumeclaims: '1',
    'requests.storage': '2',
  });
  const pvcs = evaluatorFor('', 'persistentvolumeclaims');
  assert.deepEqual(pvcs.matchingResources(['bronze.storageclass.storage.k8s.io/requests.storage', 'requests.storage', 'pods']), [
    'bronze.storageclass.storage.k8s.io/requests.storage',
    'requests.storage',
  ]);
});

test('any other kind is counted as count/<resource>.<group>, four core kinds also under their old names', () => {
  assert.deepEqual(usage('apps', 'deployments', { metadata: { name: 'd' } }), { 'count/deployments.apps': '1' });
  assert.deepEqual(usage('', 'secrets', { metadata: { name: 's' } }), { 'count/secrets': '1', secrets: '1' });
  assert.deepEqual(usage('', 'endpoints', { metadata: { name: 'e' } }), { 'count/endpoints': '1' });
  assert.deepEqual(evaluatorFor('', 'configmaps').matchingResources(['configmaps', 'count/configmaps', 'count/secrets']), ['configmaps', 'count/configmaps']);
});
