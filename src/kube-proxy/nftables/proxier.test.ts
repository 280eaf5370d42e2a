// The nftables proxier's transactions, against a recording nft: the first commit writes the
// whole table, later ones only what changed (without removals, except where a key changes
// hands), cleanups a second apart delete what was left stale, and a failure brings the whole
// table back.

import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { createLogger } from '../../component-base/logging.ts';
import { Registry } from '../../component-base/metrics.ts';
import { FakeClock } from '../../machinery/fake-clock.ts';
import type { EndpointSlice, Service } from '../types.ts';
import { servicePortChainBase } from './names.ts';
import type { NFT } from './nft.ts';
import { Proxier } from './proxier.ts';

class RecordingNFT implements NFT {
  readonly scripts: string[] = [];
  failNext = false;

  async run(script: string): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('nft: Error: Could not process rule: No such file or directory');
    }
    this.scripts.push(script);
  }

  async exec(): Promise<string> {
    return '';
  }

  /** The script of the last transaction, one command a line. */
  get last(): string[] {
    return (this.scripts.at(-1) ?? '').trimEnd().split('\n');
  }
}

const service = (name: string, clusterIP: string, spec: Service['spec'] = {}): Service => ({
  metadata: { name, namespace: 'default' },
  spec: { type: 'ClusterIP', clusterIP, ports: [{ name: 'http', port: 80, protocol: 'TCP' }], ...spec },
});
const slice = (svc: string, ips: string[]): EndpointSlice => ({
  metadata: { name: `${svc}-1`, namespace: 'default', labels: { 'kubernetes.io/service-name': svc } },
  addressType: 'IPv4',
  endpoints: ips.map((ip) => ({ addresses: [ip], nodeName: 'node-a', conditions: { ready: true } })),
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
});
const chainOf = (svc: string, prefix = 'service-') => `${prefix}${servicePortChainBase({ namespace: 'default', name: svc, port: 'http', protocol: 'TCP' })}`;
/** The endpoint-addrs map a chain's rule reads, from the scripts so far. */
const mapOf = (chain: string) => nft.scripts.join('\n').match(new RegExp(`add chain ip k8ts-unit ${chain.replaceAll('/', '\\/')} \\{ .*@(endpoint-addrs-\\d+)`))![1];
const endpointMapSpec = 'typeof numgen random mod 1 : ip daddr . tcp dport ; comment "endpoints by index: address . port" ;';

let nft: RecordingNFT;
let clock: FakeClock;
let registry: Registry;
let logs: string[];
let proxier: Proxier;

beforeEach(() => {
  nft = new RecordingNFT();
  clock = new FakeClock();
  registry = new Registry();
  logs = [];
  proxier = new Proxier({ nodeName: 'node-a', table: 'k8ts-unit', nodePortAddresses: ['192.0.2.1'], clock, log: createLogger('kube-proxy', { sink: (l) => logs.push(l) }), registry, nft });
});

/** Moves the clock on, then waits for any cleanup that fired (a commit runs after it). */
async function cleanupAfter(ms: number): Promise<void> {
  clock.advance(ms);
  assert.deepEqual(await proxier.commit(), { kind: 'none', commands: 0 });
}

async function withServices(): Promise<void> {
  await proxier.syncService('default/a', service('a', '10.96.0.1'), [slice('a', ['10.0.0.1', '10.0.0.2'])]);
  await proxier.syncService('default/b', service('b', '10.96.0.2'), [slice('b', ['10.0.1.1'])]);
  assert.deepEqual(await proxier.commit(), { kind: 'full', commands: nft.last.length });
}

describe('nftables proxier transactions', () => {
  test('the first commit replaces the whole table in one transaction', async () => {
    await withServices();
    assert.equal(nft.scripts.length, 1);
    const lines = nft.last;
    assert.deepEqual(lines.slice(0, 3), ['add table ip k8ts-unit { comment "rules for kube-proxy" ; }', 'delete table ip k8ts-unit', 'add table ip k8ts-unit { comment "rules for kube-proxy" ; }']);
    assert.ok(lines.includes(`add chain ip k8ts-unit ${chainOf('a')}`));
    assert.ok(lines.includes(`add chain ip k8ts-unit ${chainOf('b')} { meta l4proto tcp dnat to 10.0.1.1:8080 ; }`));
    const serviceIPs = lines.find((l) => l.startsWith('add map ip k8ts-unit service-ips') && l.includes('elements'))!;
    assert.match(serviceIPs, new RegExp(`elements = \\{ 10\\.96\\.0\\.1 \\. tcp \\. 80 : goto ${chainOf('a')}, 10\\.96\\.0\\.2 \\. tcp \\. 80 : goto ${chainOf('b')} \\}`));
    // Elements are added while their chains are still empty; rules come after.
    assert.ok(lines.indexOf(serviceIPs) < lines.findIndex((l) => l.startsWith(`add chain ip k8ts-unit ${chainOf('a')} {`)));
    assert.match(registry.render(), /^kubeproxy_sync_full_proxy_rules_duration_seconds_count 1$/m);
  });

  test('an endpoint replaced rewrites its endpoint map, and no rule', async () => {
    await withServices();
    const map = mapOf(chainOf('a'));
    assert.ok(nft.last.includes(`add chain ip k8ts-unit ${chainOf('a')} { meta l4proto tcp dnat ip to numgen random mod 2 map @${map} ; }`));
    await proxier.syncService('default/a', service('a', '10.96.0.1'), [slice('a', ['10.0.0.1', '10.0.0.3'])]);
    assert.deepEqual(await proxier.commit(), { kind: 'partial', commands: 3 });
    // The map is flushed and refilled: no `delete element`, which would make nft read every chain.
    assert.deepEqual(nft.last, [
      `flush map ip k8ts-unit ${map}`,
      `add map ip k8ts-unit ${map} { ${endpointMapSpec} elements = { 0 : 10.0.0.1 . 8080, 1 : 10.0.0.3 . 8080 } ; }`,
      'add set ip k8ts-unit hairpin-endpoints { type ipv4_addr . ipv4_addr ; comment "endpoint . endpoint: connections DNATed back to their source" ; elements = { 10.0.0.3 . 10.0.0.3 } ; }',
    ]);
    assert.match(registry.render(), /^kubeproxy_sync_partial_proxy_rules_duration_seconds_count 1$/m);
  });

  test('an endpoint added rewrites the rule only, without removals', async () => {
    await withServices();
    await proxier.syncService('default/b', service('b', '10.96.0.2'), [slice('b', ['10.0.1.1', '10.0.1.2'])]);
    await proxier.commit();
    // b moves from a plain DNAT to a block of its own: keys 0 and 1 of its map.
    const bMap = mapOf(chainOf('b'));
    assert.deepEqual(nft.last, [
      `flush chain ip k8ts-unit ${chainOf('b')}`,
      `add map ip k8ts-unit ${bMap} { ${endpointMapSpec} elements = { 0 : 10.0.1.1 . 8080, 1 : 10.0.1.2 . 8080 } ; }`,
      'add set ip k8ts-unit hairpin-endpoints { type ipv4_addr . ipv4_addr ; comment "endpoint . endpoint: connections DNATed back to their source" ; elements = { 10.0.1.2 . 10.0.1.2 } ; }',
      `add chain ip k8ts-unit ${chainOf('b')} { meta l4proto tcp dnat ip to numgen random mod 2 map @${bMap} ; }`,
    ]);
    await proxier.syncService('default/a', service('a', '10.96.0.1'), [slice('a', ['10.0.0.1', '10.0.0.2', '10.0.0.3'])]);
    await proxier.commit();
    // Three endpoints need a block of four, the next free one of a's map (the chain's name
    // picks it); the old block's keys stay behind, unread.
    assert.ok(nft.last.every((l) => !l.startsWith('delete')), nft.last.join('\n'));
    const aMap = mapOf(chainOf('a'));
    const offset = aMap === bMap ? 4 : 2;
    assert.ok(nft.last.includes(`add chain ip k8ts-unit ${chainOf('a')} { meta l4proto tcp dnat ip to numgen random mod 3 offset ${offset} map @${aMap} ; }`), nft.last.join('\n'));
  });

  test('nothing changed: no transaction', async () => {
    await withServices();
    await proxier.syncService('default/a', service('a', '10.96.0.1'), [slice('a', ['10.0.0.2', '10.0.0.1'])]);
    assert.deepEqual(await proxier.commit(), { kind: 'none', commands: 0 });
    assert.equal(nft.scripts.length, 1);
  });

  test('a new service adds its chain and elements', async () => {
    await withServices();
    await proxier.syncService('default/c', service('c', '10.96.0.3', { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }] }), [slice('c', ['10.0.2.1'])]);
    await proxier.commit();
    const lines = nft.last;
    assert.ok(lines.every((l) => !/^(delete|flush)/.test(l)), lines.join('\n'));
    assert.ok(lines.includes(`add chain ip k8ts-unit ${chainOf('c')}`));
    assert.ok(lines.includes(`add chain ip k8ts-unit ${chainOf('c', 'external-')} { jump mark-for-masquerade ; goto ${chainOf('c')} ; }`));
    assert.ok(lines.some((l) => l.startsWith('add map ip k8ts-unit service-nodeports') && l.includes(`tcp . 30080 : goto ${chainOf('c', 'external-')}`)));
    assert.ok(lines.some((l) => l.startsWith('add set ip k8ts-unit cluster-ips') && l.includes('elements = { 10.96.0.3 }')));
  });

  test('a deleted service is flushed at once; its elements go with a cleanup a second later, its chains with the next', async () => {
    await withServices();
    const map = mapOf(chainOf('a'));
    await proxier.syncService('default/a', undefined, []);
    assert.deepEqual(await proxier.commit(), { kind: 'partial', commands: 1 });
    // No removal: nft need not read the table. The stale elements send packets to the empty chain.
    assert.deepEqual(nft.last, [`flush chain ip k8ts-unit ${chainOf('a')}`]);
    assert.deepEqual(proxier.serviceKeys(), ['default/b']);
    await cleanupAfter(999);
    assert.equal(nft.scripts.length, 2, 'nothing before the delay');
    await cleanupAfter(1);
    assert.deepEqual(nft.last, [
      'delete element ip k8ts-unit cluster-ips { 10.96.0.1 }',
      'delete element ip k8ts-unit service-ips { 10.96.0.1 . tcp . 80 }',
      `delete element ip k8ts-unit ${map} { 0, 1 }`,
      'delete element ip k8ts-unit hairpin-endpoints { 10.0.0.1 . 10.0.0.1, 10.0.0.2 . 10.0.0.2 }',
    ]);
    // The chain was named by an element until now: it goes a cleanup later.
    await cleanupAfter(1000);
    assert.deepEqual(nft.last, [`delete chain ip k8ts-unit ${chainOf('a')}`]);
    assert.equal(clock.pendingTimers, 0, 'nothing left to clean up');
    await cleanupAfter(5000);
    assert.equal(nft.scripts.length, 4);
  });

  test('deletions in one burst are cleaned up together', async () => {
    await withServices();
    await proxier.syncService('default/a', undefined, []);
    await proxier.commit();
    clock.advance(500);
    await proxier.syncService('default/b', undefined, []);
    await proxier.commit();
    await cleanupAfter(500);
    assert.ok(nft.last.includes('delete element ip k8ts-unit service-ips { 10.96.0.1 . tcp . 80, 10.96.0.2 . tcp . 80 }'), nft.last.join('\n'));
    await cleanupAfter(1000);
    assert.deepEqual(nft.last, [`delete chain ip k8ts-unit ${chainOf('a')}`, `delete chain ip k8ts-unit ${chainOf('b')}`]);
    assert.equal(nft.scripts.length, 5);
  });

  test('a new service on a deleted one\'s ClusterIP and port replaces the stale element in one transaction', async () => {
    await withServices();
    await proxier.syncService('default/a', undefined, []);
    await proxier.commit();
    await proxier.syncService('default/c', service('c', '10.96.0.1'), [slice('c', ['10.0.2.1'])]);
    await proxier.commit();
    const lines = nft.last;
    const del = lines.indexOf('delete element ip k8ts-unit service-ips { 10.96.0.1 . tcp . 80 }');
    const add = lines.findIndex((l) => l.startsWith('add map ip k8ts-unit service-ips') && l.includes(`elements = { 10.96.0.1 . tcp . 80 : goto ${chainOf('c')} }`));
    assert.ok(del >= 0 && del < add, lines.join('\n'));
    // That transaction reads the table anyway: the other stale elements go along.
    assert.ok(lines.includes('delete element ip k8ts-unit hairpin-endpoints { 10.0.0.1 . 10.0.0.1, 10.0.0.2 . 10.0.0.2 }'), lines.join('\n'));
    assert.ok(!lines.some((l) => l.startsWith('delete element ip k8ts-unit cluster-ips')), 'the ClusterIP is in use again');
    // Nothing names a's chain any more: the next cleanup deletes it, and nothing else is stale.
    await cleanupAfter(1000);
    assert.deepEqual(nft.last, [`delete chain ip k8ts-unit ${chainOf('a')}`]);
    assert.equal(clock.pendingTimers, 0);
  });

  test('a service deleted and created again with the same rules revives its chain, with no removal', async () => {
    await withServices();
    await proxier.syncService('default/b', undefined, []);
    await proxier.commit();
    await proxier.syncService('default/b', service('b', '10.96.0.2'), [slice('b', ['10.0.1.1'])]);
    await proxier.commit();
    // Its elements, still in the kernel with the same values, name the chain again.
    assert.deepEqual(nft.last, [`add chain ip k8ts-unit ${chainOf('b')} { meta l4proto tcp dnat to 10.0.1.1:8080 ; }`]);
    await cleanupAfter(5000);
    assert.equal(nft.scripts.length, 3, 'nothing stale: no cleanup');
  });

  test('a service that loses all endpoints moves to the reject map, and back', async () => {
    await withServices();
    await proxier.syncService('default/b', service('b', '10.96.0.2'), []);
    await proxier.commit();
    assert.deepEqual(nft.last, [
      `flush chain ip k8ts-unit ${chainOf('b')}`,
      'add map ip k8ts-unit no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ; elements = { 10.96.0.2 . tcp . 80 : goto reject-chain } ; }',
    ]);
    await proxier.syncService('default/b', service('b', '10.96.0.2'), [slice('b', ['10.0.1.1'])]);
    await proxier.commit();
    // The reject element would refuse the traffic before DNAT: it goes in the same transaction.
    assert.ok(nft.last.includes('delete element ip k8ts-unit no-endpoint-services { 10.96.0.2 . tcp . 80 }'));
    // The chain was flushed but not yet deleted: it is reused, not declared again; the stale
    // service-ips element names it already.
    assert.ok(!nft.last.includes(`add chain ip k8ts-unit ${chainOf('b')}`));
    assert.ok(!nft.last.some((l) => l.includes('service-ips')), nft.last.join('\n'));
    assert.ok(nft.last.includes(`add chain ip k8ts-unit ${chainOf('b')} { meta l4proto tcp dnat to 10.0.1.1:8080 ; }`));
    await cleanupAfter(5000);
    assert.equal(nft.scripts.length, 3, 'a revived chain is not deleted');
  });

  test('a stale reject element goes when a new service takes its ClusterIP and port', async () => {
    await proxier.syncService('default/e', service('e', '10.96.0.5'), []);
    await proxier.commit();
    await proxier.syncService('default/e', undefined, []);
    assert.deepEqual(await proxier.commit(), { kind: 'none', commands: 0 }, 'no chain to flush: nothing to write');
    await proxier.syncService('default/f', service('f', '10.96.0.5'), [slice('f', ['10.0.5.1'])]);
    await proxier.commit();
    assert.ok(nft.last.includes('delete element ip k8ts-unit no-endpoint-services { 10.96.0.5 . tcp . 80 }'), nft.last.join('\n'));
    assert.ok(nft.last.some((l) => l.startsWith('add map ip k8ts-unit service-ips') && l.includes(`10.96.0.5 . tcp . 80 : goto ${chainOf('f')}`)));
  });

  test('stale hairpin elements wait for a transaction that deletes anyway', async () => {
    await withServices();
    await proxier.syncService('default/a', service('a', '10.96.0.1'), [slice('a', ['10.0.0.1'])]);
    await proxier.commit();
    assert.ok(nft.last.every((l) => !l.startsWith('delete')), nft.last.join('\n'));
    await cleanupAfter(5000);
    assert.equal(nft.scripts.length, 2, 'a few stale hairpin pairs need no cleanup of their own');
    await proxier.syncService('default/b', undefined, []);
    await proxier.commit();
    await cleanupAfter(1000);
    assert.ok(nft.last.includes('delete element ip k8ts-unit hairpin-endpoints { 10.0.0.2 . 10.0.0.2, 10.0.1.1 . 10.0.1.1 }'), nft.last.join('\n'));
  });

  test('many stale elements of endpoint maps make a cleanup of their own', async () => {
    const many = Array.from({ length: 300 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
    await proxier.syncService('default/a', service('a', '10.96.0.1'), [slice('a', many)]);
    await proxier.commit();
    const map = mapOf(chainOf('a'));
    await proxier.syncService('default/a', service('a', '10.96.0.1'), [slice('a', many.slice(0, 1))]);
    await proxier.commit();
    assert.ok(nft.last.every((l) => !l.startsWith('delete')), nft.last.join('\n'));
    await cleanupAfter(1000);
    assert.ok(nft.last.some((l) => l.startsWith(`delete element ip k8ts-unit ${map} { 0, 1, `)), nft.last.join('\n'));
    assert.ok(nft.last.some((l) => l.startsWith('delete element ip k8ts-unit hairpin-endpoints')));
  });

  test('a deleted service with ClientIP affinity leaves its sets to the cleanup too', async () => {
    const sticky = (timeoutSeconds: number) => service('a', '10.96.0.1', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds } } });
    await proxier.syncService('default/a', sticky(60), [slice('a', ['10.0.0.1'])]);
    await proxier.commit();
    const endpointChain = nft.last.find((l) => l.startsWith('add chain ip k8ts-unit endpoint-'))!.split(' ')[4];
    const affinitySet = nft.last.find((l) => l.startsWith('add set ip k8ts-unit affinity-'))!.split(' ')[4];
    await proxier.syncService('default/a', undefined, []);
    await proxier.commit();
    assert.deepEqual(nft.last, [`flush chain ip k8ts-unit ${chainOf('a')}`, `flush chain ip k8ts-unit ${endpointChain}`]);
    await cleanupAfter(1000);
    // The endpoint chain and the set were named by rules only, flushed a second ago.
    assert.deepEqual(nft.last.slice(-2), [`delete chain ip k8ts-unit ${endpointChain}`, `delete set ip k8ts-unit ${affinitySet}`]);
    await cleanupAfter(1000);
    assert.deepEqual(nft.last, [`delete chain ip k8ts-unit ${chainOf('a')}`]);

    // Created again before the cleanup with another timeout: the stale set is replaced.
    await proxier.syncService('default/a', sticky(60), [slice('a', ['10.0.0.1'])]);
    await proxier.commit();
    await proxier.syncService('default/a', undefined, []);
    await proxier.commit();
    await proxier.syncService('default/a', sticky(120), [slice('a', ['10.0.0.1'])]);
    await proxier.commit();
    const lines = nft.last;
    const del = lines.indexOf(`delete set ip k8ts-unit ${affinitySet}`);
    const add = lines.findIndex((l) => l.startsWith(`add set ip k8ts-unit ${affinitySet}`) && l.includes('timeout 120s'));
    assert.ok(del >= 0 && del < add, lines.join('\n'));
    const written = nft.scripts.length;
    await cleanupAfter(5000);
    assert.equal(nft.scripts.length, written, 'everything is in use again: no cleanup');
  });

  test('a failed cleanup makes the next commit write the whole table', async () => {
    await withServices();
    await proxier.syncService('default/a', undefined, []);
    await proxier.commit();
    nft.failNext = true;
    clock.advance(1000);
    // Serialized after the failed cleanup.
    assert.deepEqual(await proxier.commit(), { kind: 'full', commands: nft.last.length });
    assert.match(registry.render(), /^kubeproxy_sync_proxy_rules_nftables_cleanup_failures_total 1$/m);
    assert.ok(logs.some((l) => /WARN .*Unable to delete stale nftables objects/.test(l)), logs.join('\n'));
    assert.ok(!nft.last.some((l) => l.includes('default/a/')), 'the deleted service is gone from the new table');
    await cleanupAfter(5000);
    assert.equal(clock.pendingTimers, 0);
  });

  test('after a failed transaction the next one rewrites the whole table', async () => {
    await withServices();
    nft.failNext = true;
    await proxier.syncService('default/a', service('a', '10.96.0.1'), [slice('a', ['10.0.0.9'])]);
    await assert.rejects(proxier.commit(), /Could not process rule/);
    assert.match(registry.render(), /^kubeproxy_sync_proxy_rules_nftables_sync_failures_total 1$/m);
    assert.deepEqual(await proxier.commit(), { kind: 'full', commands: nft.last.length });
    assert.ok(nft.last.includes(`add chain ip k8ts-unit ${chainOf('a')} { meta l4proto tcp dnat to 10.0.0.9:8080 ; }`));
  });

  test('two services claiming one NodePort: the first keeps it until it lets go', async () => {
    const np = (name: string, ip: string) => service(name, ip, { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }] });
    await proxier.syncService('default/a', np('a', '10.96.0.1'), [slice('a', ['10.0.0.1'])]);
    await proxier.commit();
    await proxier.syncService('default/b', np('b', '10.96.0.2'), [slice('b', ['10.0.1.1'])]);
    await proxier.commit();
    assert.ok(logs.some((l) => /WARN .*Another service already uses this address and port service=default\/b .*owner=default\/a/.test(l)), logs.join('\n'));
    assert.ok(!nft.last.some((l) => l.includes('30080')), 'b does not take the port');
    await proxier.syncService('default/a', undefined, []);
    await proxier.commit();
    assert.ok(nft.last.includes('delete element ip k8ts-unit service-nodeports { tcp . 30080 }'));
    assert.ok(nft.last.some((l) => l.startsWith('add map ip k8ts-unit service-nodeports') && l.includes(`tcp . 30080 : goto ${chainOf('b', 'external-')}`)), nft.last.join('\n'));
  });

  test('an affinity timeout change recreates the sets and the chains that use them', async () => {
    const sticky = (timeoutSeconds: number) => service('a', '10.96.0.1', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds } } });
    await proxier.syncService('default/a', sticky(60), [slice('a', ['10.0.0.1'])]);
    await proxier.commit();
    await proxier.syncService('default/a', sticky(120), [slice('a', ['10.0.0.1'])]);
    await proxier.commit();
    const lines = nft.last;
    const flush = lines.findIndex((l) => l.startsWith(`flush chain ip k8ts-unit ${chainOf('a')}`));
    const del = lines.findIndex((l) => l.startsWith('delete set ip k8ts-unit affinity-'));
    const add = lines.findIndex((l) => l.startsWith('add set ip k8ts-unit affinity-') && l.includes('timeout 120s'));
    const rules = lines.findIndex((l) => l.startsWith(`add chain ip k8ts-unit ${chainOf('a')} {`));
    assert.ok(flush >= 0 && flush < del && del < add && add < rules, lines.join('\n'));
  });
});
