import assert from 'node:assert/strict';
import { test } from 'node:test';
import { servicePortsOf, usesClusterEndpoints, usesLocalEndpoints } from './service-port.ts';
import type { Service } from './types.ts';

const svc = (spec: Service['spec']): Service => ({ metadata: { name: 'web', namespace: 'default' }, spec });

test('headless, ExternalName and IP-less Services have nothing to proxy', () => {
  assert.deepEqual(servicePortsOf(svc({ clusterIP: 'None', clusterIPs: ['None'], ports: [{ port: 80 }] }), 'IPv4'), []);
  assert.deepEqual(servicePortsOf(svc({ type: 'ExternalName', ports: [{ port: 80 }] }), 'IPv4'), []);
  assert.deepEqual(servicePortsOf(svc({ ports: [{ port: 80 }] }), 'IPv4'), []);
  assert.deepEqual(servicePortsOf(svc({ clusterIP: 'fd00::1', ports: [{ port: 80 }] }), 'IPv4'), []);
});

test('one port info per TCP/UDP port, with node port, affinity and policies', () => {
  const ports = servicePortsOf(
    svc({
      type: 'NodePort',
      clusterIP: '127.100.0.5',
      ports: [
        { name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 },
        { name: 'dns', port: 53, protocol: 'UDP', nodePort: 30053 },
        { name: 'sctp', port: 9, protocol: 'SCTP' },
      ],
      sessionAffinity: 'ClientIP',
      externalTrafficPolicy: 'Local',
    }),
    'IPv4',
  );
  assert.equal(ports.length, 2, 'SCTP is not proxied');
  const [http, dns] = ports;
  assert.deepEqual(http.name, { namespace: 'default', name: 'web', port: 'http', protocol: 'TCP' });
  assert.equal(http.clusterIP, '127.100.0.5');
  assert.equal(http.nodePort, 30080);
  assert.equal(http.stickyMaxAgeSeconds, 10800);
  assert.equal(http.externalPolicyLocal, true);
  assert.equal(http.internalPolicyLocal, false);
  assert.equal(dns.protocol, 'UDP');
  // Externally accessible with eTP Local: both sets of endpoints are needed.
  assert.equal(usesClusterEndpoints(http), true);
  assert.equal(usesLocalEndpoints(http), true);
});

test('externalTrafficPolicy counts only for externally accessible Services', () => {
  const [p] = servicePortsOf(svc({ clusterIP: '127.100.0.5', ports: [{ port: 80 }], externalTrafficPolicy: 'Local', internalTrafficPolicy: 'Local' }), 'IPv4');
  assert.equal(p.externalPolicyLocal, false);
  assert.equal(p.internalPolicyLocal, true);
  assert.equal(usesClusterEndpoints(p), false);
  assert.equal(usesLocalEndpoints(p), true);
  const [q] = servicePortsOf(svc({ clusterIP: '127.100.0.5', ports: [{ port: 80 }], sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } }), 'IPv4');
  assert.equal(q.stickyMaxAgeSeconds, 60);
});
