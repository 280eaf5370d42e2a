import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../kind.ts';
import { lease } from './lease.ts';

function obj(spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'node-1', namespace: 'kube-node-lease', creationTimestamp: '2024-05-01T10:00:00Z' },
    spec,
  };
}

function messages(object: KubeObject): string[] {
  return lease.strategy!.validate!(object).map((c) => `${c.field}: ${c.message}`);
}

test('a node lease validates', () => {
  assert.deepEqual(
    messages(obj({ holderIdentity: 'node-1', leaseDurationSeconds: 40, renewTime: '2024-05-01T10:00:01.123456Z', acquireTime: '2024-05-01T10:00:00.000000Z', leaseTransitions: 0 })),
    [],
  );
});

test('invalid leases give upstream messages', () => {
  assert.deepEqual(messages(obj({ leaseDurationSeconds: 0 })), ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0']);
  assert.deepEqual(messages(obj({ leaseTransitions: -1 })), ['spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0']);
  assert.deepEqual(messages(obj({ strategy: 'Newest' })), ['spec.strategy.strategy: Unsupported value: "Newest": supported values: "OldestEmulationVersion"']);
  assert.deepEqual(messages(obj({ preferredHolder: 'b' })), ['spec.preferredHolder: Forbidden: may only be specified if `strategy` is defined']);
  assert.deepEqual(messages(obj({ strategy: 'example.com/custom', preferredHolder: 'b' })), []);
});

test('the table shows the holder and age', () => {
  assert.deepEqual(lease.table!.columns.map((c) => c.name), ['Holder', 'Age']);
  const now = Date.parse('2024-05-01T13:00:00Z');
  assert.deepEqual(lease.table!.cells(obj({ holderIdentity: 'node-1' }), now), ['node-1', '3h']);
  assert.deepEqual(lease.table!.cells(obj({}), now), ['', '3h']);
});
