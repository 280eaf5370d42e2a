import assert from 'node:assert/strict';
import { test } from 'node:test';
import { node } from './node.ts';
import { create, stored, update } from './strategy-harness.ts';

const now = Date.parse('2024-01-03T00:00:00Z');

const kubeletNode = {
  metadata: { name: 'worker-1', labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'edge' } },
  spec: { podCIDRs: ['10.244.1.0/24'] },
  status: {
    capacity: { cpu: '4', memory: '8Gi', pods: '110' },
    conditions: [{ type: 'Ready', status: 'True' }],
    addresses: [
      { type: 'InternalIP', address: '192.168.1.10' },
      { type: 'Hostname', address: 'worker-1' },
    ],
    nodeInfo: { kubeletVersion: 'v1.33.0', osImage: 'Debian GNU/Linux 12', kernelVersion: '6.1.0', containerRuntimeVersion: 'containerd://1.7.0' },
  },
};

test('nodes keep the status the kubelet registers them with; allocatable defaults to capacity', () => {
  const { object, errors } = create(node, kubeletNode);
  assert.deepEqual(errors, []);
  assert.deepEqual((object.status as any).allocatable, { cpu: '4', memory: '8Gi', pods: '110' });
  assert.equal(object.metadata?.namespace, undefined);
});

test('node table: status, roles, version and wide columns', () => {
  const n = stored(node, kubeletNode);
  assert.deepEqual(node.table!.cells(n, now), ['Ready', 'control-plane,edge', '2d', 'v1.33.0', '192.168.1.10', '<none>', 'Debian GNU/Linux 12', '6.1.0', 'containerd://1.7.0']);
  const cordoned = structuredClone(n);
  (cordoned.status as any).conditions = [{ type: 'Ready', status: 'False' }];
  cordoned.spec = { unschedulable: true };
  cordoned.metadata!.labels = {};
  assert.deepEqual(node.table!.cells(cordoned, now).slice(0, 2), ['NotReady,SchedulingDisabled', '<none>']);
  const unknown = structuredClone(n);
  unknown.status = {};
  assert.deepEqual(node.table!.cells(unknown, now).slice(0, 1), ['Unknown']);
  assert.equal(node.fields!['spec.unschedulable'](cordoned), 'true');
  assert.equal(node.fields!['spec.unschedulable'](n), 'false');
});

test('taints are validated and pod CIDRs cannot change once set', () => {
  const errors = create(node, { metadata: { name: 'n' }, spec: { taints: [{ key: 'dedicated', value: 'gpu', effect: 'Sometimes' }] } }).errors;
  assert.deepEqual(errors, ['metadata.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"']);
  const old = stored(node, kubeletNode);
  const next = structuredClone(old);
  next.spec = { podCIDRs: ['10.244.2.0/24'] };
  assert.deepEqual(update(node, next, old).errors, ['spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid']);
});
