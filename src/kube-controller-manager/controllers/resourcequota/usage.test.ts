import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../api/kind.ts';
import { evaluatorFor } from '../../../api/core/v1/quota/evaluators.ts';
import { quotaStatus, type UsageSource } from './usage.ts';

const now = Date.UTC(2025, 0, 1, 12);

function pod(name: string, cpu?: string, extra: Record<string, unknown> = {}): KubeObject {
  return { metadata: { name, namespace: 'ns' }, spec: { containers: [{ name: 'c', image: 'i', resources: cpu ? { requests: { cpu } } : {} }], ...extra } };
}

function source(group: string, resource: string, objects: KubeObject[] | undefined): UsageSource {
  return { evaluator: evaluatorFor(group, resource), list: (ns) => objects?.filter((o) => o.metadata?.namespace === ns) };
}

function quota(hard: Record<string, string>, extra: { scopes?: string[]; status?: unknown } = {}): KubeObject {
  return { metadata: { name: 'q', namespace: 'ns' }, spec: { hard, scopes: extra.scopes }, status: extra.status };
}

test('status mirrors spec.hard (canonical) and counts usage for exactly the hard resources', () => {
  const sources = [
    source('', 'pods', [pod('a', '250m'), pod('b', '750m'), { ...pod('done', '1'), status: { phase: 'Failed' } }, { ...pod('x', '1'), metadata: { name: 'x', namespace: 'other' } }]),
    source('', 'secrets', [{ metadata: { name: 's', namespace: 'ns' } }]),
    source('apps', 'deployments', []),
    source('', 'services', []),
  ];
  const { status, failed } = quotaStatus(quota({ pods: '10', 'requests.cpu': '2000m', 'count/pods': '5', secrets: '3', 'count/deployments.apps': '1', 'count/widgets.example.com': '1' }), sources, now);
  assert.deepEqual(failed, []);
  assert.deepEqual(status, {
    hard: { 'count/deployments.apps': '1', 'count/pods': '5', 'count/widgets.example.com': '1', pods: '10', 'requests.cpu': '2', secrets: '3' },
    used: { 'count/deployments.apps': '0', 'count/pods': '3', pods: '2', 'requests.cpu': '1', secrets: '1' },
  });
});

test('a quota already reporting its usage needs no write', () => {
  const sources = [source('', 'pods', [pod('a', '500m')])];
  const q = quota({ pods: '2', 'requests.cpu': '1' }, { status: { hard: { pods: '2', 'requests.cpu': '1' }, used: { pods: '1', 'requests.cpu': '500m' } } });
  assert.equal(quotaStatus(q, sources, now).status, undefined);
  const changedSpec = quota({ pods: '3', 'requests.cpu': '1' }, { status: q.status });
  assert.deepEqual(quotaStatus(changedSpec, sources, now).status?.hard, { pods: '3', 'requests.cpu': '1' });
});

test('scoped quotas count only the pods in scope', () => {
  const sources = [source('', 'pods', [pod('best-effort'), pod('burstable', '100m'), pod('job', undefined, { activeDeadlineSeconds: 60 })])];
  assert.deepEqual(quotaStatus(quota({ pods: '5' }, { scopes: ['BestEffort'] }), sources, now).status?.used, { pods: '2' });
  assert.deepEqual(quotaStatus(quota({ pods: '5' }, { scopes: ['NotBestEffort'] }), sources, now).status?.used, { pods: '1' });
  assert.deepEqual(quotaStatus(quota({ pods: '5' }, { scopes: ['Terminating', 'BestEffort'] }), sources, now).status?.used, { pods: '1' });
});

test('resources that cannot be counted yet keep their last usage and are reported', () => {
  const q = quota({ pods: '5', secrets: '5' }, { status: { hard: { pods: '5', secrets: '5' }, used: { pods: '4', secrets: '1' } } });
  const { status, failed } = quotaStatus(q, [source('', 'pods', undefined), source('', 'secrets', [])], now);
  assert.deepEqual(failed, ['pods']);
  assert.deepEqual(status?.used, { pods: '4', secrets: '0' });
});
