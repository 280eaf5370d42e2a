import assert from 'node:assert/strict';
import { test } from 'node:test';
import { endpoints } from './endpoints.ts';
import { limitRange } from './limitrange.ts';
import { persistentVolume } from './persistentvolume.ts';
import { persistentVolumeClaim } from './persistentvolumeclaim.ts';
import { replicationController } from './replicationcontroller.ts';
import { resourceQuota } from './resourcequota.ts';
import { serviceAccount } from './serviceaccount.ts';
import { create, stored, update } from './strategy-harness.ts';

const now = Date.parse('2024-01-01T01:00:00Z');

test('endpoints: TCP default, ENDPOINTS cell with "+ N more"', () => {
  const ep = stored(endpoints, {
    metadata: { name: 'web' },
    subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { ip: '10.0.0.3' }, { ip: '10.0.0.4' }], ports: [{ port: 80 }] }],
  });
  assert.equal((ep.subsets as any)[0].ports[0].protocol, 'TCP');
  assert.deepEqual(endpoints.table!.cells(ep, now), ['10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 1 more...', '60m']);
  assert.deepEqual(endpoints.table!.cells({ metadata: { name: 'x' } }, now)[0], '<none>');
  assert.deepEqual(create(endpoints, { metadata: { name: 'web' }, subsets: [{ addresses: [{ ip: '127.0.0.1' }] }] }).errors, [
    'subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
  ]);
});

test('service accounts print their secrets count', () => {
  const sa = stored(serviceAccount, { metadata: { name: 'default' }, secrets: [{ name: 'tok' }] });
  assert.deepEqual(serviceAccount.table!.cells(sa, now), [1, '60m']);
});

test('persistent volumes: defaults, Pending, table', () => {
  const pv = stored(persistentVolume, {
    metadata: { name: 'pv1' },
    spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce', 'ReadOnlyMany'], hostPath: { path: '/data' }, storageClassName: 'local' },
  });
  const spec = pv.spec as any;
  assert.equal(spec.persistentVolumeReclaimPolicy, 'Retain');
  assert.equal(spec.volumeMode, 'Filesystem');
  assert.equal((pv.status as any).phase, 'Pending');
  spec.claimRef = { namespace: 'default', name: 'data' };
  assert.deepEqual(persistentVolume.table!.cells(pv, now), ['10Gi', 'RWO,ROX', 'Retain', 'Pending', 'default/data', 'local', '<unset>', '', '60m', 'Filesystem']);
  assert.deepEqual(create(persistentVolume, { metadata: { name: 'pv2' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] } }).errors, [
    'spec: Required value: must specify a volume type',
  ]);
});

test('persistent volume claims: validation, table, expansion only', () => {
  assert.deepEqual(create(persistentVolumeClaim, { metadata: { name: 'c' }, spec: {} }).errors, [
    'spec.accessModes: Required value: at least 1 access mode is required',
    'spec.resources[storage]: Required value',
  ]);
  const claim = stored(persistentVolumeClaim, { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
  assert.deepEqual(claim.status, { phase: 'Pending' });
  assert.deepEqual(persistentVolumeClaim.table!.cells(claim, now), ['Pending', '', '', '', '', '<unset>', '60m', 'Filesystem']);
  const bound = structuredClone(claim);
  (bound.spec as any).volumeName = 'pv1';
  bound.status = { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } };
  assert.deepEqual(persistentVolumeClaim.table!.cells(bound, now).slice(0, 4), ['Bound', 'pv1', '1Gi', 'RWO']);
  const grow = structuredClone(bound);
  (grow.spec as any).resources.requests.storage = '2Gi';
  assert.deepEqual(update(persistentVolumeClaim, grow, bound).errors, []);
  const modes = structuredClone(bound);
  (modes.spec as any).accessModes = ['ReadWriteMany'];
  assert.ok(update(persistentVolumeClaim, modes, bound).errors[0].startsWith('spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
});

test('replication controllers: selector from the template, matching labels, table', () => {
  const rc = stored(replicationController, {
    metadata: { name: 'web' },
    spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
  });
  const spec = rc.spec as any;
  assert.deepEqual(spec.selector, { app: 'web' });
  assert.equal(spec.replicas, 1);
  assert.deepEqual(rc.metadata?.labels, { app: 'web' });
  assert.deepEqual(rc.status, { replicas: 0 });
  assert.deepEqual(replicationController.table!.cells(rc, now), [1, 0, 0, '60m', 'nginx', 'nginx', 'app=web']);
  const errors = create(replicationController, {
    metadata: { name: 'web' },
    spec: { selector: { app: 'other' }, template: { metadata: { labels: { app: 'web' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } } },
  }).errors;
  assert.deepEqual(errors, [
    'spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`',
    'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
  ]);
  assert.equal(replicationController.fields!['status.replicas'](rc), '0');
  assert.deepEqual(replicationController.scale, { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' });
});

test('resource quotas print requests and limits; status is cleared on create', () => {
  const q = stored(resourceQuota, { metadata: { name: 'q' }, spec: { hard: { pods: '10', 'limits.cpu': '4', 'requests.cpu': '2' } }, status: { used: { pods: '99' } } });
  assert.deepEqual(q.status, {});
  q.status = { hard: { pods: '10', 'limits.cpu': '4', 'requests.cpu': '2' }, used: { pods: '3', 'requests.cpu': '500m' } };
  assert.deepEqual(resourceQuota.table!.cells(q, now), ['pods: 3/10, requests.cpu: 500m/2', 'limits.cpu: 0/4', '60m']);
  assert.deepEqual(create(resourceQuota, { metadata: { name: 'q' }, spec: { hard: { widgets: '1' } } }).errors, [
    'spec.hard[widgets]: Invalid value: "widgets": must be a standard resource for quota',
  ]);
});

test('limit ranges default container requests and limits, and print like the default table', () => {
  const lr = stored(limitRange, { metadata: { name: 'lr' }, spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' } }] } });
  assert.deepEqual((lr.spec as any).limits[0].default, { cpu: '2' });
  assert.deepEqual((lr.spec as any).limits[0].defaultRequest, { cpu: '2', memory: '64Mi' });
  assert.deepEqual(limitRange.table!.cells(lr, now), ['2024-01-01T00:00:00Z']);
  assert.deepEqual(create(limitRange, { metadata: { name: 'lr' }, spec: { limits: [{ type: 'Container', min: { cpu: '2' }, max: { cpu: '1' } }] } }).errors, [
    'spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1',
    'spec.limits[0].defaultRequest[cpu]: Invalid value: "1": min value 2 is greater than default request value 1',
    'spec.limits[0].default[cpu]: Invalid value: "2": min value 2 is greater than default value 1',
  ]);
});
