// The nftables proxier against the real kernel (root and nft only; skipped otherwise, except
// that with CI=true a missing nft fails): its transactions go to `nft -f -` into a table of
// this test's own (k8ts-test-<pid>), and real connections check what a user would see. The
// pods are network namespaces on a bridge this test creates (10.123.N.0/24, see testing.ts);
// ClusterIPs come from a Service CIDR it blackholes first (10.201.N.0/24). Everything is
// removed afterwards, failed or not.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../component-base/logging.ts';
import { Registry } from '../../component-base/metrics.ts';
import { realClock } from '../../machinery/clock.ts';
import type { EndpointSlice, Service } from '../types.ts';
import { deleteTable, nftCommand, nftUsable } from './nft.ts';
import { Proxier } from './proxier.ts';
import { bridgeNetfilterEnabled, freePort, request, requests, testNetworkSupported, TestNetwork, type Pod } from './testing.ts';

const table = `k8ts-test-${process.pid}`;
const nft = nftCommand();
const usable = testNetworkSupported() && (await nftUsable(nft));
const skip = usable ? false : process.getuid?.() !== 0 ? 'needs root (nft and network namespaces)' : process.env.CI === 'true' ? false : 'needs the nft binary (apt-get install nftables)';
if (!usable && skip === false) throw new Error('CI=true: the nftables data-plane tests need root and the nft binary (apt-get install nftables)');

const names = ['pod-0', 'pod-1', 'pod-2'];
const port = 8080;
let network: TestNetwork;
let backends: Pod[];
let client: Pod;
let proxier: Proxier;
const logs: string[] = [];

const service = (name: string, clusterIP: string, spec: Service['spec'] = {}): Service => ({
  metadata: { name, namespace: 'default' },
  spec: { type: 'ClusterIP', clusterIP, ports: [{ name: 'http', port: 80, protocol: 'TCP' }], ...spec },
});
const slice = (svc: string, pods: { pod: Pod; node?: string }[]): EndpointSlice => ({
  metadata: { name: `${svc}-1`, namespace: 'default', labels: { 'kubernetes.io/service-name': svc } },
  addressType: 'IPv4',
  endpoints: pods.map(({ pod, node = 'node-a' }) => ({ addresses: [pod.ip], nodeName: node, conditions: { ready: true } })),
  ports: [{ name: 'http', port, protocol: 'TCP' }],
});

async function sync(key: string, svc: Service | undefined, slices: EndpointSlice[]): Promise<void> {
  await proxier.syncService(`default/${key}`, svc, slices);
  await proxier.commit();
}

const distinct = (replies: string[]) => [...new Set(replies)].sort();

describe('nftables data plane', { skip }, () => {
  let webIP = '';
  let nodePort = 0;

  before(async () => {
    network = await TestNetwork.create();
    backends = [];
    for (const [i, name] of names.entries()) {
      const pod = await network.addPod(`b${i}`);
      await pod.serve(port, name);
      backends.push(pod);
    }
    client = await network.addPod('client');
    proxier = new Proxier({
      nodeName: 'node-a',
      table,
      nodePortAddresses: ['127.0.0.1', network.gateway],
      // The bridge carries route_localnet itself; the host's setting stays as it is.
      localhostNodePorts: false,
      clock: realClock,
      log: createLogger('kube-proxy', { sink: (l) => logs.push(l), verbose: true }),
      registry: new Registry(),
      nft,
    });
    webIP = network.serviceIP(10);
    nodePort = await freePort();
    await sync('web', service('web', webIP, { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort }] }), [slice('web', backends.map((pod) => ({ pod })))]);
  });

  after(async () => {
    await proxier?.close();
    await deleteTable(table, nft).catch(() => {});
    await network?.close();
    assert.doesNotMatch(await nft.exec(['list', 'tables']), new RegExp(`\\b${table}\\b`));
  });

  it('reaches every endpoint through the ClusterIP from the host', async () => {
    const replies = await requests(webIP, 80, 40);
    assert.deepEqual(distinct(replies), names, replies.join(','));
  });

  it('reaches every endpoint through a NodePort on 127.0.0.1 and on the node address', async () => {
    assert.deepEqual(distinct(await requests('127.0.0.1', nodePort, 40)), names);
    assert.deepEqual(distinct(await requests(network.gateway, nodePort, 40)), names);
  });

  it('serves pods through the bridge, including a pod that lands on itself', { skip: bridgeNetfilterEnabled() ? false : 'br_netfilter is off (net.bridge.bridge-nf-call-iptables)' }, async () => {
    assert.deepEqual(distinct(await client.connect(webIP, 80, 40)), names);
    assert.deepEqual(distinct(await client.connect(network.gateway, nodePort, 30)), names);
    // A third of these are DNATed back to pod-0 itself: masqueraded, they work too.
    const hairpin = await backends[0].connect(webIP, 80, 30);
    assert.deepEqual(distinct(hairpin), names, hairpin.join(','));
  });

  it('rejects connections to a service without endpoints, and to undefined ClusterIP ports, at once', async () => {
    const emptyIP = network.serviceIP(11);
    await sync('empty', service('empty', emptyIP), []);
    const t = performance.now();
    assert.equal(await request(emptyIP, 80), 'ECONNREFUSED');
    assert.equal(await request(webIP, 81), 'ECONNREFUSED');
    assert.ok(performance.now() - t < 1000);
    assert.deepEqual(await client.connect(emptyIP, 80, 1), ['ECONNREFUSED']);
  });

  it('pins a client to one endpoint with ClientIP affinity, across endpoint changes', async () => {
    const stickyIP = network.serviceIP(12);
    const sticky = service('sticky', stickyIP, { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } } });
    await sync('sticky', sticky, [slice('sticky', backends.map((pod) => ({ pod })))]);
    const first = await requests(stickyIP, 80, 20);
    assert.equal(distinct(first).length, 1, first.join(','));
    const chosen = first[0];
    const others = backends.filter((_, i) => names[i] !== chosen);
    // Another endpoint goes: the chosen one and its affinity set stay.
    await sync('sticky', sticky, [slice('sticky', backends.filter((pod) => pod !== others[0]).map((pod) => ({ pod })))]);
    assert.deepEqual(distinct(await requests(stickyIP, 80, 10)), [chosen]);
  });

  it('stops sending traffic to a removed or replaced endpoint at the next sync', async () => {
    const web = service('web', webIP, { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort }] });
    await sync('web', web, [slice('web', [{ pod: backends[0] }, { pod: backends[1] }])]);
    const replies = [...(await requests(webIP, 80, 30)), ...(await requests('127.0.0.1', nodePort, 30))];
    assert.deepEqual(distinct(replies), ['pod-0', 'pod-1']);
    // Same count: the element of pod-1 is overwritten in place, the rule stays.
    await sync('web', web, [slice('web', [{ pod: backends[0] }, { pod: backends[2] }])]);
    assert.deepEqual(distinct(await requests(webIP, 80, 30)), ['pod-0', 'pod-2']);
  });

  it('externalTrafficPolicy Local: outside clients reach local endpoints only, or nothing', async () => {
    const localIP = network.serviceIP(13);
    const localPort = await freePort();
    const svc = service('local', localIP, { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, nodePort: localPort }] });
    await sync('local', svc, [slice('local', [{ pod: backends[0] }, { pod: backends[1], node: 'node-b' }])]);
    // The client pod is outside any cluster CIDR the proxier knows: external traffic.
    assert.deepEqual(distinct(await client.connect(network.gateway, localPort, 20)), ['pod-0']);
    // The node itself is short-circuited to all endpoints; the ClusterIP keeps the Cluster policy.
    assert.deepEqual(distinct(await requests('127.0.0.1', localPort, 30)), ['pod-0', 'pod-1']);
    assert.deepEqual(distinct(await requests(localIP, 80, 30)), ['pod-0', 'pod-1']);
    await sync('local', svc, [slice('local', [{ pod: backends[1], node: 'node-b' }])]);
    assert.deepEqual(await client.connect(network.gateway, localPort, 1, 1000), ['ETIMEDOUT'], 'dropped, not rejected');
  });

  it('internalTrafficPolicy Local without local endpoints drops ClusterIP traffic', async () => {
    const ip = network.serviceIP(14);
    await sync('internal', service('internal', ip, { internalTrafficPolicy: 'Local' }), [slice('internal', [{ pod: backends[1], node: 'node-b' }])]);
    assert.equal(await request(ip, 80, 1000), 'ETIMEDOUT');
    await sync('internal', service('internal', ip, { internalTrafficPolicy: 'Local' }), [slice('internal', [{ pod: backends[1], node: 'node-b' }, { pod: backends[2] }])]);
    assert.deepEqual(distinct(await requests(ip, 80, 10)), ['pod-2']);
  });

  it('a deleted service stops being served; its chains go a second later', async () => {
    await sync('web', undefined, []);
    assert.equal(await request('127.0.0.1', nodePort, 1000), 'ECONNREFUSED', 'nothing listens on the node port itself');
    const chains = () => nft.exec(['list', 'table', 'ip', table]);
    assert.match(await chains(), /service-[A-Z2-7]{8}-default\/web\/tcp\/http/);
    const deadline = performance.now() + 3000;
    while (/default\/web\//.test(await chains())) {
      assert.ok(performance.now() < deadline, 'the stale chains are deleted within 3 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  });
});
