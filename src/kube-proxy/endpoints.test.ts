import assert from 'node:assert/strict';
import { test } from 'node:test';
import { endpointsFromSlices, endpointString, lastChangeTriggerTime } from './endpoints.ts';
import type { EndpointSlice } from './types.ts';

const slice = (name: string, endpoints: EndpointSlice['endpoints'], ports: EndpointSlice['ports'] = [{ name: 'http', port: 8080, protocol: 'TCP' }], addressType: EndpointSlice['addressType'] = 'IPv4'): EndpointSlice => ({
  metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
  addressType,
  endpoints,
  ports,
});
const options = { nodeName: 'node-a', ipFamily: 'IPv4' as const };

test('endpoints of all slices of a Service are merged, deduplicated and sorted by address', () => {
  const got = endpointsFromSlices(
    [
      slice('web-2', [{ addresses: ['10.0.0.3'], conditions: { ready: true } }, { addresses: ['10.0.0.1'], conditions: { ready: true }, nodeName: 'node-a' }]),
      slice('web-1', [{ addresses: ['10.0.0.2'], conditions: { ready: true } }, { addresses: ['10.0.0.1'], conditions: { ready: true } }]),
    ],
    options,
  );
  const http = got.get('http/TCP')!;
  assert.deepEqual(http.map(endpointString), ['10.0.0.1:8080', '10.0.0.2:8080', '10.0.0.3:8080']);
  assert.equal(http[0].isLocal, true, 'the local copy of a duplicate wins');
});

test('conditions default as upstream: ready and serving unless false, terminating only if true', () => {
  const got = endpointsFromSlices([slice('s', [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'], conditions: { ready: false, serving: true, terminating: true } }])], options).get('http/TCP')!;
  assert.deepEqual(
    got.map((e) => [e.ready, e.serving, e.terminating]),
    [
      [true, true, false],
      [false, true, true],
    ],
  );
});

test('ports are matched by name and protocol; endpoints of another family, FQDN slices and portless ports are left out', () => {
  const got = endpointsFromSlices(
    [
      slice('a', [{ addresses: ['10.0.0.1'] }], [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }, { name: 'none', port: null }]),
      slice('b', [{ addresses: ['fd00::1'] }], [{ name: 'dns', port: 53, protocol: 'UDP' }], 'IPv6'),
      slice('c', [{ addresses: ['example.com'] }], [{ name: 'dns', port: 53, protocol: 'UDP' }], 'FQDN'),
      slice('d', [{ addresses: [] }], [{ name: 'dns', port: 53, protocol: 'UDP' }]),
    ],
    options,
  );
  assert.deepEqual([...got.keys()].sort(), ['dns-tcp/TCP', 'dns/UDP']);
  assert.deepEqual(got.get('dns/UDP')!.map(endpointString), ['10.0.0.1:53']);
});

test('the last-change-trigger-time annotation is read as ms', () => {
  const s = slice('s', []);
  assert.equal(lastChangeTriggerTime(s), undefined);
  s.metadata.annotations = { 'endpoints.kubernetes.io/last-change-trigger-time': '2025-01-01T00:00:01Z' };
  assert.equal(lastChangeTriggerTime(s), Date.UTC(2025, 0, 1, 0, 0, 1));
});
