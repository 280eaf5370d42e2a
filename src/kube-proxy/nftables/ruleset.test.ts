import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Endpoint } from '../endpoints.ts';
import { servicePortsOf } from '../service-port.ts';
import type { Service } from '../types.ts';
import { endpointChainBase, hashAndTruncate, servicePortChainBase } from './names.ts';
import { elementId, serviceRuleset, skeletonCommands, type EndpointBlocks, type RulesetOptions, type ServiceRuleset } from './ruleset.ts';

const options: RulesetOptions = { table: 'k8ts', nodePortAddresses: ['127.0.0.1'], masqueradeAll: false, masqueradeBit: 14 };

const ep = (ip: string, extra: Partial<Endpoint> = {}): Endpoint => ({ ip, port: 8080, nodeName: 'node-a', zone: '', isLocal: true, ready: true, serving: true, terminating: false, ...extra });
const remote = (ip: string, extra: Partial<Endpoint> = {}) => ep(ip, { nodeName: 'node-b', isLocal: false, ...extra });

function svc(spec: Service['spec'] = {}, name = 'web'): Service {
  return { metadata: { name, namespace: 'ns1' }, spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80, protocol: 'TCP' }], ...spec } };
}

/** Blocks of 16 keys of map 3 from 100 on, one per chain, in order of asking. */
function blocks(): EndpointBlocks {
  const asked: string[] = [];
  return {
    block(chain) {
      if (!asked.includes(chain)) asked.push(chain);
      return { map: 3, offset: 100 + 16 * asked.indexOf(chain) };
    },
  };
}

function rules(service: Service, endpoints: Endpoint[], opts: RulesetOptions = options): ServiceRuleset {
  return serviceRuleset(servicePortsOf(service, 'IPv4').map((info) => ({ info, endpoints })), opts, blocks());
}

const chain = (prefix: string, protocol: 'TCP' | 'UDP' = 'TCP') => `${prefix}${servicePortChainBase({ namespace: 'ns1', name: 'web', port: 'http', protocol })}`;
const cluster = chain('service-');
const local = chain('local-');
const external = chain('external-');
const el = (rs: ServiceRuleset, container: Parameters<typeof elementId>[0], key: string) => rs.elements.get(elementId(container, key));

describe('names', () => {
  test('match upstream: hash of the name, then the name', () => {
    assert.equal(servicePortChainBase({ namespace: 'ns1', name: 'svc1', port: 'p80', protocol: 'TCP' }), 'ULMVA6XW-ns1/svc1/tcp/p80');
    assert.equal(endpointChainBase({ namespace: 'ns1', name: 'svc1', port: 'p80', protocol: 'TCP' }, '10.180.0.1', 80), '5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80');
  });

  test('stay within nft limits', () => {
    const long = hashAndTruncate('x'.repeat(300));
    assert.equal(long.length, 240);
    assert.ok(long.endsWith('...'));
  });
});

describe('skeleton', () => {
  test('hooks run the filter checks before DNAT and dispatch through verdict maps', () => {
    const text = skeletonCommands(options).join('\n');
    assert.match(text, /^add chain ip k8ts filter-output \{ type filter hook output priority -110 ; \}$/m);
    assert.match(text, /^add chain ip k8ts nat-output \{ type nat hook output priority -100 ; \}$/m);
    assert.match(text, /^add chain ip k8ts nat-postrouting \{ type nat hook postrouting priority 100 ; \}$/m);
    assert.match(text, /^add rule ip k8ts services ip daddr \. meta l4proto \. th dport vmap @service-ips$/m);
    assert.match(text, /^add rule ip k8ts services ip daddr @nodeport-ips meta l4proto \. th dport vmap @service-nodeports$/m);
    assert.match(text, /^add set ip k8ts nodeport-ips \{ .* elements = \{ 127\.0\.0\.1 \} ; \}$/m);
    assert.match(text, /^add rule ip k8ts filter-output ct state new jump service-endpoints-check$/m);
    assert.match(text, /^add rule ip k8ts mark-for-masquerade meta mark set meta mark or 0x00004000$/m);
    assert.match(text, /^add rule ip k8ts masquerading masquerade fully-random$/m);
  });

  test('"all" serves NodePorts on every non-loopback local address', () => {
    const text = skeletonCommands({ ...options, nodePortAddresses: 'all' }).join('\n');
    assert.doesNotMatch(text, /nodeport-ips/);
    assert.match(text, /services fib daddr type local ip daddr != 127\.0\.0\.0\/8 meta l4proto \. th dport vmap @service-nodeports/);
  });
});

describe('serviceRuleset', () => {
  test('a ClusterIP service DNATs to a ready endpoint at random, through its block of an endpoint-addrs map', () => {
    const rs = rules(svc(), [ep('10.0.0.1'), ep('10.0.0.2'), ep('10.0.0.3'), ep('10.0.0.4', { ready: false, serving: false })]);
    assert.equal(el(rs, 'service-ips', '10.96.0.10 . tcp . 80'), `goto ${cluster}`);
    assert.equal(el(rs, 'cluster-ips', '10.96.0.10'), '');
    assert.deepEqual([...rs.chains.keys()], [cluster]);
    assert.equal(rs.chains.get(cluster), 'meta l4proto tcp dnat ip to numgen random mod 3 offset 100 map @endpoint-addrs-3');
    assert.deepEqual(['100', '101', '102', '103'].map((k) => el(rs, 'endpoint-addrs-3', k)), ['10.0.0.1 . 8080', '10.0.0.2 . 8080', '10.0.0.3 . 8080', undefined]);
    assert.deepEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3'].map((ip) => el(rs, 'hairpin-endpoints', `${ip} . ${ip}`)), ['', '', '']);
    assert.equal(rs.sets.size, 0);
  });

  test('a service without endpoints has no chains and is rejected', () => {
    const rs = rules(svc({ type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }] }), [ep('10.0.0.1', { ready: false, serving: false })]);
    assert.equal(rs.chains.size, 0);
    assert.equal(el(rs, 'service-ips', '10.96.0.10 . tcp . 80'), undefined);
    assert.equal(el(rs, 'no-endpoint-services', '10.96.0.10 . tcp . 80'), 'goto reject-chain');
    assert.equal(el(rs, 'no-endpoint-nodeports', 'tcp . 30080'), 'goto reject-chain');
  });

  test('terminating but serving endpoints are used when none is ready', () => {
    const rs = rules(svc(), [ep('10.0.0.1', { ready: false, terminating: true }), ep('10.0.0.2', { ready: false })]);
    assert.equal(rs.chains.get(cluster), 'meta l4proto tcp dnat to 10.0.0.1:8080');
  });

  test('NodePort and external IPs go through the external chain, masqueraded', () => {
    const rs = rules(svc({ type: 'NodePort', externalIPs: ['192.0.2.10'], ports: [{ name: 'http', port: 80, nodePort: 30080, protocol: 'UDP' }] }), [ep('10.0.0.1')]);
    const [udpExternal, udpCluster] = [chain('external-', 'UDP'), chain('service-', 'UDP')];
    assert.equal(el(rs, 'service-nodeports', 'udp . 30080'), `goto ${udpExternal}`);
    assert.equal(el(rs, 'service-ips', '192.0.2.10 . udp . 80'), `goto ${udpExternal}`);
    assert.equal(rs.chains.get(udpExternal), `jump mark-for-masquerade ; goto ${udpCluster}`);
    assert.equal(rs.chains.get(udpCluster), 'meta l4proto udp dnat to 10.0.0.1:8080');
  });

  test('externalTrafficPolicy Local sends outside traffic to local endpoints only, and drops it without any', () => {
    const spec = { type: 'NodePort' as const, externalTrafficPolicy: 'Local' as const, ports: [{ name: 'http', port: 80, nodePort: 30080 }] };
    const rs = rules(svc(spec), [ep('10.0.0.1'), remote('10.0.0.2')]);
    assert.equal(rs.chains.get(local), 'meta l4proto tcp dnat to 10.0.0.1:8080');
    assert.equal(el(rs, 'service-ips', '10.96.0.10 . tcp . 80'), `goto ${cluster}`, 'ClusterIP traffic keeps the Cluster policy');
    assert.equal(rs.chains.get(cluster), 'meta l4proto tcp dnat ip to numgen random mod 2 offset 100 map @endpoint-addrs-3');
    assert.equal(
      rs.chains.get(external),
      `fib saddr type local jump mark-for-masquerade comment "masquerade local traffic" ; fib saddr type local goto ${cluster} comment "short-circuit local traffic" ; goto ${local}`,
    );

    const none = rules(svc(spec), [remote('10.0.0.2')]);
    assert.equal(none.chains.has(local), false);
    assert.equal(el(none, 'no-endpoint-nodeports', 'tcp . 30080'), 'drop');
    assert.equal(el(none, 'service-nodeports', 'tcp . 30080'), `goto ${external}`, 'the node itself still reaches the service');
    assert.doesNotMatch(none.chains.get(external)!, new RegExp(`goto ${local}`));
    assert.deepEqual(none.noLocalEndpoints, { internal: 0, external: 1 });

    const withCIDR = rules(svc(spec), [ep('10.0.0.1')], { ...options, clusterCIDR: '10.0.0.0/16' });
    assert.match(withCIDR.chains.get(external)!, new RegExp(`^ip saddr 10\\.0\\.0\\.0/16 goto ${cluster} comment "short-circuit pod traffic"`));
  });

  test('internalTrafficPolicy Local uses local endpoints for the ClusterIP, and drops without any', () => {
    const spec = { internalTrafficPolicy: 'Local' as const };
    const rs = rules(svc(spec), [ep('10.0.0.1'), remote('10.0.0.2')]);
    assert.equal(el(rs, 'service-ips', '10.96.0.10 . tcp . 80'), `goto ${local}`);
    assert.equal(rs.chains.get(local), 'meta l4proto tcp dnat to 10.0.0.1:8080');
    assert.equal(rs.chains.has(cluster), false);
    const none = rules(svc(spec), [remote('10.0.0.2')]);
    assert.equal(el(none, 'no-endpoint-services', '10.96.0.10 . tcp . 80'), 'drop');
    assert.equal(none.chains.size, 0);
    assert.deepEqual(none.noLocalEndpoints, { internal: 1, external: 0 });
  });

  test('ClientIP affinity: per-endpoint chains and affinity sets with the timeout', () => {
    const rs = rules(svc({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } }), [ep('10.0.0.1'), ep('10.0.0.2')]);
    const name = { namespace: 'ns1', name: 'web', port: 'http', protocol: 'TCP' as const };
    const [e1, e2] = ['10.0.0.1', '10.0.0.2'].map((ip) => endpointChainBase(name, ip, 8080));
    assert.deepEqual([...rs.sets], [
      [`affinity-${e1}`, 'type ipv4_addr ; flags dynamic,timeout ; timeout 60s ;'],
      [`affinity-${e2}`, 'type ipv4_addr ; flags dynamic,timeout ; timeout 60s ;'],
    ]);
    assert.equal(
      rs.chains.get(cluster),
      [
        `ip saddr @affinity-${e1} goto endpoint-${e1}`,
        `ip saddr @affinity-${e2} goto endpoint-${e2}`,
        `numgen random mod 2 == 0 goto endpoint-${e1}`,
        `goto endpoint-${e2}`,
      ].join(' ; '),
    );
    assert.equal(rs.chains.get(`endpoint-${e1}`), `update @affinity-${e1} { ip saddr } ; meta l4proto tcp dnat to 10.0.0.1:8080`);
  });

  test('masqueradeAll and clusterCIDR mark ClusterIP traffic for masquerading', () => {
    const all = rules(svc(), [ep('10.0.0.1')], { ...options, masqueradeAll: true });
    assert.match(all.chains.get(cluster)!, /^ip daddr 10\.96\.0\.10 tcp dport 80 jump mark-for-masquerade ; /);
    const cidr = rules(svc(), [ep('10.0.0.1')], { ...options, clusterCIDR: '10.244.0.0/16' });
    assert.match(cidr.chains.get(cluster)!, /^ip daddr 10\.96\.0\.10 tcp dport 80 ip saddr != 10\.244\.0\.0\/16 jump mark-for-masquerade ; /);
  });

  test('names the API would refuse never reach nft', () => {
    const rs = rules(svc({ ports: [{ name: 'x ; flush ruleset', port: 80 }] }), [ep('10.0.0.1')]);
    assert.equal(rs.chains.size + rs.elements.size, 0);
  });
});
