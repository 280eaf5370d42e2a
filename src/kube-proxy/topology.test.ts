import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Endpoint } from './endpoints.ts';
import type { ServicePortInfo } from './service-port.ts';
import { categorizeEndpoints } from './topology.ts';

const ep = (ip: string, state: 'ready' | 'terminating' | 'not-serving-terminating' | 'not-ready', local = false): Endpoint => ({
  ip,
  port: 80,
  nodeName: local ? 'me' : 'other',
  zone: '',
  isLocal: local,
  ready: state === 'ready',
  serving: state === 'ready' || state === 'terminating',
  terminating: state === 'terminating' || state === 'not-serving-terminating',
});
const port = (p: Partial<ServicePortInfo> = {}): ServicePortInfo => ({
  name: { namespace: 'default', name: 'web', port: '', protocol: 'TCP' },
  clusterIP: '127.100.0.5',
  port: 80,
  protocol: 'TCP',
  nodePort: 0,
  externalIPs: [],
  loadBalancerIPs: [],
  stickyMaxAgeSeconds: 0,
  internalPolicyLocal: false,
  externalPolicyLocal: false,
  ...p,
});
const ips = (list: Endpoint[] | undefined) => list?.map((e) => e.ip);

test('Cluster policy uses the ready endpoints only, while any is ready', () => {
  const r = categorizeEndpoints([ep('1', 'ready'), ep('2', 'terminating'), ep('3', 'not-ready')], port());
  assert.deepEqual(ips(r.clusterEndpoints), ['1']);
  assert.equal(r.localEndpoints, undefined);
  assert.deepEqual(ips(r.allReachableEndpoints), ['1']);
  assert.equal(r.hasAnyEndpoints, true);
});

test('with no ready endpoint left, serving terminating ones are used (not the non-serving ones)', () => {
  const r = categorizeEndpoints([ep('1', 'not-ready'), ep('2', 'terminating'), ep('3', 'not-serving-terminating')], port());
  assert.deepEqual(ips(r.clusterEndpoints), ['2']);
  assert.equal(r.hasAnyEndpoints, true);
  const none = categorizeEndpoints([ep('1', 'not-ready'), ep('3', 'not-serving-terminating')], port());
  assert.deepEqual(ips(none.clusterEndpoints), []);
  assert.equal(none.hasAnyEndpoints, false);
});

test('internalTrafficPolicy Local uses only this node’s endpoints, falling back to its terminating ones', () => {
  const r = categorizeEndpoints([ep('1', 'ready'), ep('2', 'ready', true), ep('3', 'terminating', true)], port({ internalPolicyLocal: true }));
  assert.equal(r.clusterEndpoints, undefined);
  assert.deepEqual(ips(r.localEndpoints), ['2']);
  assert.deepEqual(ips(r.allReachableEndpoints), ['2']);
  // A ready endpoint elsewhere does not stop the local fallback to terminating ones.
  const t = categorizeEndpoints([ep('1', 'ready'), ep('3', 'terminating', true)], port({ internalPolicyLocal: true }));
  assert.deepEqual(ips(t.localEndpoints), ['3']);
  const none = categorizeEndpoints([ep('1', 'ready')], port({ internalPolicyLocal: true }));
  assert.deepEqual(ips(none.localEndpoints), []);
  assert.deepEqual(ips(none.allReachableEndpoints), []);
  assert.equal(none.hasAnyEndpoints, true, 'there are endpoints, just not here');
});

test('externalTrafficPolicy Local on a node port keeps cluster endpoints for ClusterIP traffic and local ones for the node port', () => {
  const r = categorizeEndpoints([ep('1', 'ready'), ep('2', 'ready', true)], port({ nodePort: 30080, externalPolicyLocal: true }));
  assert.deepEqual(ips(r.clusterEndpoints), ['1', '2']);
  assert.deepEqual(ips(r.localEndpoints), ['2']);
  assert.deepEqual(ips(r.allReachableEndpoints), ['1', '2']);
  const term = categorizeEndpoints([ep('1', 'ready'), ep('2', 'terminating', true)], port({ nodePort: 30080, externalPolicyLocal: true }));
  assert.deepEqual(ips(term.clusterEndpoints), ['1']);
  assert.deepEqual(ips(term.localEndpoints), ['2']);
  assert.deepEqual(ips(term.allReachableEndpoints)?.sort(), ['1', '2']);
});

test('no endpoints: nothing at all', () => {
  const r = categorizeEndpoints([], port());
  assert.deepEqual(r, { clusterEndpoints: undefined, localEndpoints: undefined, allReachableEndpoints: [], hasAnyEndpoints: false });
});
