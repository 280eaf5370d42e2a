import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../kind.ts';
import { endpointSlice } from './endpoint-slice.ts';

const now = Date.parse('2024-05-01T12:00:00Z');

function slice(extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-abc12', namespace: 'default', creationTimestamp: '2024-05-01T11:55:00Z' },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true } }],
    ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
    ...extra,
  };
}

function messages(object: KubeObject): string[] {
  return (endpointSlice.strategy!.validate!(object) ?? []).map((c) => `${c.field}: ${c.message}`);
}

test('a typical slice validates', () => {
  assert.deepEqual(messages(slice()), []);
});

test('ports default to an empty name and TCP', () => {
  const s = slice({ ports: [{ port: 53 }] });
  endpointSlice.strategy!.defaults!(s);
  assert.deepEqual(s.ports, [{ port: 53, name: '', protocol: 'TCP' }]);
});

test('invalid slices give upstream messages', () => {
  assert.deepEqual(messages(slice({ addressType: '' })), ['addressType: Required value']);
  assert.deepEqual(messages(slice({ addressType: 'IP' })), ['addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"']);
  assert.deepEqual(messages(slice({ endpoints: [{ addresses: [] }] })), ['endpoints[0].addresses: Required value: must contain at least 1 address']);
  assert.deepEqual(messages(slice({ endpoints: [{ addresses: ['fe80::1'] }] })), [
    'endpoints[0].addresses[0]: Invalid value: "fe80::1": must be a valid IPv4 address',
    'endpoints[0].addresses[0]: Invalid value: "fe80::1": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
  ]);
  assert.deepEqual(messages(slice({ endpoints: [{ addresses: ['127.0.0.1'] }] })), [
    'endpoints[0].addresses[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
  ]);
  assert.deepEqual(
    messages(
      slice({
        ports: [
          { name: 'http', port: 80, protocol: 'TCP' },
          { name: 'http', port: 81, protocol: 'ICMP' },
        ],
      }),
    ),
    ['ports[1].name: Duplicate value: "http"', 'ports[1].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"'],
  );
  assert.deepEqual(messages(slice({ addressType: 'FQDN', endpoints: [{ addresses: ['localhost'] }] })), [
    'endpoints[0].addresses[0]: Invalid value: "localhost": should be a domain with at least two segments separated by dots',
  ]);
});

test('addressType is immutable', () => {
  const errs = endpointSlice.strategy!.validateUpdate!(slice({ addressType: 'IPv6' }), slice());
  assert.deepEqual(
    errs.map((c) => `${c.field}: ${c.message}`),
    ['addressType: Invalid value: "IPv6": field is immutable'],
  );
});

test('table cells as kubectl prints them', () => {
  assert.deepEqual(
    endpointSlice.table!.columns.map((c) => c.name),
    ['AddressType', 'Ports', 'Endpoints', 'Age'],
  );
  assert.deepEqual(endpointSlice.table!.cells(slice(), now), ['IPv4', '80', '10.0.0.1', '5m']);
  const many = slice({
    endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }, { addresses: ['10.0.0.3'] }, { addresses: ['10.0.0.4'] }, { addresses: ['10.0.0.5'] }],
    ports: [{ name: 'a', port: 1 }, { name: 'b' }, {}, { port: 4 }],
  });
  assert.deepEqual(endpointSlice.table!.cells(many, now), ['IPv4', '1,b,* + 1 more...', '10.0.0.1,10.0.0.2,10.0.0.3 + 2 more...', '5m']);
  assert.deepEqual(endpointSlice.table!.cells(slice({ endpoints: [], ports: [] }), now).slice(1, 3), ['<unset>', '<unset>']);
});
