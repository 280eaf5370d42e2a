import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../kind.ts';
import { priorityClass } from './priority-class.ts';

function pc(name: string, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name, creationTimestamp: '2024-05-01T11:00:00Z' }, value: 1000, ...extra };
}

function messages(object: KubeObject): string[] {
  return priorityClass.strategy!.validate!(object).map((c) => `${c.field}: ${c.message}`);
}

test('preemptionPolicy defaults to PreemptLowerPriority', () => {
  const p = pc('high');
  priorityClass.strategy!.defaults!(p);
  assert.equal(p.preemptionPolicy, 'PreemptLowerPriority');
  assert.deepEqual(messages(p), []);
});

test('system classes validate only with their fixed values', () => {
  assert.deepEqual(messages(pc('system-node-critical', { value: 2000001000 })), []);
  assert.deepEqual(messages(pc('system-node-critical', { value: 5 })), [
    "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: value of system-node-critical PriorityClass must be 2000001000",
  ]);
  assert.deepEqual(messages(pc('system-mine')), [
    "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class",
  ]);
});

test('invalid classes give upstream messages', () => {
  assert.deepEqual(messages(pc('huge', { value: 1000000001 })), ['value: Forbidden: maximum allowed value of a user defined priority is 1000000000']);
  assert.deepEqual(messages(pc('p', { preemptionPolicy: 'Sometimes' })), [
    'preemptionPolicy: Unsupported value: "Sometimes": supported values: "PreemptLowerPriority", "Never"',
  ]);
});

test('value and preemptionPolicy are immutable', () => {
  const old = pc('high', { preemptionPolicy: 'PreemptLowerPriority' });
  const next = pc('high', { value: 2000, preemptionPolicy: 'Never' });
  assert.deepEqual(
    priorityClass.strategy!.validateUpdate!(next, old).map((c) => `${c.field}: ${c.message}`),
    ['value: Forbidden: may not be changed in an update.', 'preemptionPolicy: Invalid value: "Never": field is immutable'],
  );
});

test('generation is 1 from creation', () => {
  const p = pc('high');
  priorityClass.strategy!.prepareForCreate!(p);
  assert.equal(p.metadata!.generation, 1);
  assert.equal(priorityClass.generation, undefined);
});

test('the table as kubectl prints it', () => {
  assert.deepEqual(priorityClass.table!.columns.map((c) => [c.name, c.type, c.priority]), [
    ['Value', 'integer', 0],
    ['Global-Default', 'boolean', 0],
    ['Age', 'string', 0],
    ['PreemptionPolicy', 'string', 0],
  ]);
  const now = Date.parse('2024-05-01T12:00:00Z');
  assert.deepEqual(priorityClass.table!.cells(pc('high', { preemptionPolicy: 'Never', globalDefault: true }), now), [1000, true, '60m', 'Never']);
  assert.deepEqual(priorityClass.table!.cells(pc('low'), now), [1000, false, '60m', '']);
});
