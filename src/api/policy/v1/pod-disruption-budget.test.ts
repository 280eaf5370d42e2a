import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../kind.ts';
import { evictionSchema } from './index.ts';
import { podDisruptionBudget } from './pod-disruption-budget.ts';

function pdb(spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: '2024-05-01T11:58:00Z' },
    spec,
    ...(status ? { status } : {}),
  };
}

function messages(object: KubeObject): string[] {
  return podDisruptionBudget.strategy!.validate!(object).map((c) => `${c.field}: ${c.message}`);
}

test('a typical budget validates', () => {
  assert.deepEqual(messages(pdb({ minAvailable: 2, selector: { matchLabels: { app: 'web' } } })), []);
  assert.deepEqual(messages(pdb({ maxUnavailable: '25%', selector: { matchLabels: { app: 'web' } }, unhealthyPodEvictionPolicy: 'AlwaysAllow' })), []);
});

test('invalid budgets give upstream messages', () => {
  assert.deepEqual(messages(pdb({ minAvailable: 1, maxUnavailable: 1 })), [
    'spec: Invalid value: {"minAvailable":1,"maxUnavailable":1}: minAvailable and maxUnavailable cannot be both set',
  ]);
  assert.deepEqual(messages(pdb({ minAvailable: -1 })), ['spec.minAvailable: Invalid value: -1: must be greater than or equal to 0']);
  assert.deepEqual(messages(pdb({ maxUnavailable: '150%' })), ['spec.maxUnavailable: Invalid value: 150%: must not be greater than 100%']);
  assert.deepEqual(messages(pdb({ minAvailable: 'half' })), [
    "spec.minAvailable: Invalid value: half: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
  ]);
  assert.deepEqual(messages(pdb({ unhealthyPodEvictionPolicy: 'Never' })), [
    'spec.unhealthyPodEvictionPolicy: Unsupported value: "Never": supported values: "AlwaysAllow", "IfHealthyBudget"',
  ]);
});

test('status starts at zero; generation and status are the server\'s', () => {
  const p = pdb({ minAvailable: 1 }, { disruptionsAllowed: 9 });
  podDisruptionBudget.strategy!.prepareForCreate!(p);
  assert.deepEqual(p.status, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });
  assert.equal(podDisruptionBudget.status, true);
  assert.equal(podDisruptionBudget.generation, true);
  assert.deepEqual(podDisruptionBudget.shortNames, ['pdb']);
});

test('the table as kubectl prints it', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');
  assert.deepEqual(podDisruptionBudget.table!.columns.map((c) => c.name), ['Min Available', 'Max Unavailable', 'Allowed Disruptions', 'Age']);
  assert.deepEqual(podDisruptionBudget.table!.cells(pdb({ minAvailable: 2 }, { disruptionsAllowed: 1 }), now), ['2', 'N/A', 1, '2m']);
  assert.deepEqual(podDisruptionBudget.table!.cells(pdb({ maxUnavailable: '10%' }), now), ['N/A', '10%', 0, '2m']);
});

test('the eviction body carries delete options', () => {
  assert.ok(evictionSchema.properties?.deleteOptions?.properties?.gracePeriodSeconds);
  assert.ok(evictionSchema.properties?.metadata);
});
