import assert from 'node:assert/strict';
import { test } from 'node:test';
import { service } from './service.ts';
import { create, stored, update } from './strategy-harness.ts';

const now = Date.parse('2024-01-01T00:05:00Z');

test('service defaults: ClusterIP, TCP, targetPort = port, traffic policies, IP families', () => {
  const { object, errors } = create(service, { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
  assert.deepEqual(errors, []);
  assert.deepEqual(object.spec, {
    selector: { app: 'web' },
    ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
    sessionAffinity: 'None',
    type: 'ClusterIP',
    internalTrafficPolicy: 'Cluster',
    ipFamilyPolicy: 'SingleStack',
    ipFamilies: ['IPv4'],
  });
  assert.deepEqual(object.status, { loadBalancer: {} });
});

test('NodePort and LoadBalancer services default their external traffic policy', () => {
  const { object } = create(service, { metadata: { name: 'lb' }, spec: { type: 'LoadBalancer', ports: [{ port: 443, targetPort: 'https' }] } });
  const spec = object.spec as Record<string, unknown>;
  assert.equal(spec.externalTrafficPolicy, 'Cluster');
  assert.equal(spec.allocateLoadBalancerNodePorts, true);
  assert.deepEqual(spec.ports, [{ port: 443, targetPort: 'https', protocol: 'TCP' }]);
});

test('service validation messages', () => {
  assert.deepEqual(create(service, { metadata: { name: 'web' }, spec: { selector: { app: 'web' } } }).errors, ['spec.ports: Required value']);
  assert.deepEqual(create(service, { metadata: { name: 'web' }, spec: { ports: [{ port: 0 }] } }).errors, [
    'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
    'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive',
  ]);
  const errors = create(service, { metadata: { name: '1web' }, spec: { type: 'Bogus', ports: [{ port: 80 }] } }).errors;
  assert.ok(errors.includes('spec.type: Unsupported value: "Bogus": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'), errors.join('\n'));
  assert.ok(errors.some((e) => e.startsWith('metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters')));
  assert.deepEqual(create(service, { metadata: { name: 'ext' }, spec: { type: 'ExternalName' } }).errors, ['spec.externalName: Required value']);
});

test('the cluster IP may not change once set, and updates that omit it keep it', () => {
  const old = stored(service, { metadata: { name: 'web' }, spec: { clusterIP: '10.96.0.10', ports: [{ port: 80 }] } });
  const omitted = { metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } };
  const kept = update(service, omitted, old);
  assert.deepEqual(kept.errors, []);
  assert.equal((kept.object.spec as any).clusterIP, '10.96.0.10');
  const changed = { metadata: { name: 'web' }, spec: { clusterIP: '10.96.0.11', ports: [{ port: 80 }] } };
  assert.deepEqual(update(service, changed, old).errors, ['spec.clusterIPs[0]: Invalid value: ["10.96.0.11"]: may not change once set']);
});

test('service table: ports, cluster IP, external IPs', () => {
  const np = stored(service, { metadata: { name: 'np' }, spec: { type: 'NodePort', clusterIP: '10.96.0.20', selector: { app: 'web' }, ports: [{ port: 80, nodePort: 30080 }] } });
  assert.deepEqual(service.table!.cells(np, now), ['NodePort', '10.96.0.20', '<none>', '80:30080/TCP', '5m', 'app=web']);
  const lb = stored(service, { metadata: { name: 'lb' }, spec: { type: 'LoadBalancer', ports: [{ name: 'http', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }] } });
  assert.deepEqual(service.table!.cells(lb, now).slice(1, 4), ['<none>', '<pending>', '80/TCP,53/UDP']);
  lb.status = { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } };
  assert.equal(service.table!.cells(lb, now)[2], '192.0.2.10');
  const headless = stored(service, { metadata: { name: 'h' }, spec: { clusterIP: 'None', selector: { app: 'db' } } });
  assert.deepEqual(service.table!.cells(headless, now).slice(0, 4), ['ClusterIP', 'None', '<none>', '<none>']);
  assert.equal(service.table!.columns.length, 6);
});
