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
import { FakeClock } from '../../machinery/fake-clock.ts';
import type { EndpointSlice, Service } from '../types.ts';
import { deleteTable, nftCommand, nftUsable, type NFT } from './nft.ts';
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

  it('a deleted service stops reaching its endpoints at once; a new one on its ClusterIP, port and node port reaches its own', async () => {
    const ip = network.serviceIP(15);
    const np = await freePort();
    const svc = (name: string) => service(name, ip, { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: np }] });
    await sync('old', svc('old'), [slice('old', [{ pod: backends[0] }, { pod: backends[1] }])]);
    assert.deepEqual(distinct(await requests(ip, 80, 20)), ['pod-0', 'pod-1']);
    await sync('old', undefined, []);
    // Its elements are still there, naming its flushed chains: no DNAT, and the stale ClusterIP
    // is refused by cluster-ips-check.
    assert.match(await nft.exec(['list', 'map', 'ip', table, 'service-ips']), new RegExp(`${ip.replaceAll('.', '\\.')} \\. tcp \\. 80 : goto service-[A-Z2-7]{8}-default/old/`));
    assert.deepEqual(distinct(await requests(ip, 80, 10, 1000)), ['ECONNREFUSED']);
    assert.deepEqual(distinct(await requests('127.0.0.1', np, 5, 1000)), ['ECONNREFUSED'], 'nothing listens on the node port itself');
    if (bridgeNetfilterEnabled()) assert.deepEqual(await client.connect(ip, 80, 1, 1000), ['ECONNREFUSED']);

    await sync('new', svc('new'), [slice('new', [{ pod: backends[2] }])]);
    assert.deepEqual(distinct(await requests(ip, 80, 20)), ['pod-2']);
    assert.deepEqual(distinct(await requests('127.0.0.1', np, 10)), ['pod-2']);
    const listing = () => nft.exec(['list', 'table', 'ip', table]);
    const deadline = performance.now() + 5000;
    while (/default\/old\//.test(await listing())) {
      assert.ok(performance.now() < deadline, 'the stale chains are deleted within 5 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(distinct(await requests(ip, 80, 10)), ['pod-2']);
    await sync('new', undefined, []);
  });

  it('a new service on the address of a deleted one without endpoints is not refused', async () => {
    const ip = network.serviceIP(16);
    await sync('gone', service('gone', ip), []);
    assert.equal(await request(ip, 80), 'ECONNREFUSED');
    await sync('gone', undefined, []);
    await sync('back', service('back', ip), [slice('back', [{ pod: backends[1] }])]);
    assert.deepEqual(distinct(await requests(ip, 80, 10)), ['pod-1']);
    await sync('back', undefined, []);
  });

  it('random changes, deletions and reuses of addresses: the kernel takes every transaction, and after the cleanups the table is what a full write makes', async () => {
    // A table of its own, no traffic: only what the kernel accepts and what it ends up holding.
    const own = `${table}-r`;
    const clock = new FakeClock();
    let failNext = false;
    const failing: NFT = {
      run: async (script) => {
        if (failNext) {
          failNext = false;
          throw new Error('injected failure');
        }
        await nft.run(script);
      },
      exec: nft.exec,
    };
    const warnings: string[] = [];
    const p = new Proxier({ nodeName: 'node-a', table: own, nodePortAddresses: [network.gateway], localhostNodePorts: false, clock, log: createLogger('kube-proxy', { sink: (l) => warnings.push(l) }), nft: failing });
    let seed = 7;
    const rand = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff), seed % n);
    const nodePorts = await Promise.all([freePort(), freePort()]);
    const random = (name: string): [Service, EndpointSlice[]] => {
      const svcPort = { name: 'http', port: 80 + rand(2), protocol: 'TCP' as const, ...(rand(3) === 0 ? { nodePort: nodePorts[rand(2)] } : {}) };
      const spec: Service['spec'] = {
        type: svcPort.nodePort ? 'NodePort' : 'ClusterIP',
        clusterIP: network.serviceIP(100 + rand(5)),
        ports: [svcPort],
        ...(rand(4) === 0 ? { sessionAffinity: 'ClientIP' as const, sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 * (1 + rand(2)) } } } : {}),
        ...(rand(5) === 0 ? { externalTrafficPolicy: 'Local' as const } : rand(5) === 0 ? { internalTrafficPolicy: 'Local' as const } : {}),
      };
      const ips = [...new Set(Array.from({ length: rand(5) }, () => network.gateway.replace(/\.1$/, `.${200 + rand(8)}`)))];
      const eps = { metadata: { name: `${name}-1`, namespace: 'default', labels: { 'kubernetes.io/service-name': name } }, addressType: 'IPv4' as const, ports: [{ name: 'http', port, protocol: 'TCP' as const }] };
      return [service(name, spec.clusterIP!, spec), [{ ...eps, endpoints: ips.map((ip) => ({ addresses: [ip], nodeName: rand(3) ? 'node-a' : 'node-b', conditions: { ready: true } })) }]];
    };
    const dispatch = async () => {
      const text = await nft.exec(['list', 'table', 'ip', own]);
      const names = (kind: string) => [...text.matchAll(new RegExp(`^\\t${kind} (\\S+) \\{`, 'gm'))].map((m) => m[1]).sort();
      const elements = (name: string) =>
        new RegExp(`^\\t(?:set|map) ${name} \\{[^}]*?elements = \\{([^}]*)\\}`, 'ms')
          .exec(text)?.[1]
          .split(',')
          .map((e) => e.trim().replace(/\s+/g, ' '))
          .sort() ?? [];
      return { chains: names('chain'), sets: names('set'), maps: ['cluster-ips', 'service-ips', 'service-nodeports', 'no-endpoint-services', 'no-endpoint-nodeports'].map((m) => [m, elements(m)]) };
    };
    try {
      const kinds: string[] = [];
      for (let step = 0; step < 150; step++) {
        for (let n = 1 + rand(3); n > 0; n--) {
          const name = `r${rand(10)}`;
          if (rand(3) === 0) await p.syncService(`default/${name}`, undefined, []);
          else await p.syncService(`default/${name}`, ...random(name));
        }
        kinds.push((await p.commit()).kind);
        // Now and then a cleanup runs in between.
        clock.advance(400 * rand(4));
        kinds.push((await p.commit()).kind);
      }
      assert.ok(!kinds.slice(1).includes('full'), 'no transaction failed, no cleanup either');
      for (let i = 0; i < 4; i++) {
        clock.advance(1000);
        await p.commit();
      }
      assert.ok(!warnings.some((l) => / WARN .*nftables/.test(l)), warnings.join('\n'));
      const incremental = await dispatch();
      // A failed transaction makes the next commit write the whole table.
      failNext = true;
      await p.syncService('default/extra', service('extra', network.serviceIP(110)), []);
      await assert.rejects(p.commit(), /injected failure/);
      await p.syncService('default/extra', undefined, []);
      assert.equal((await p.commit()).kind, 'full');
      const full = await dispatch();
      assert.deepEqual(incremental, full);
      assert.ok(incremental.chains.some((c) => c.startsWith('service-')), 'the run ends with services in place');
    } finally {
      await p.close();
      await deleteTable(own, nft).catch(() => {});
    }
  });

  it('a deleted service stops being served; its chains go within seconds', async () => {
    await sync('web', undefined, []);
    assert.equal(await request('127.0.0.1', nodePort, 1000), 'ECONNREFUSED', 'nothing listens on the node port itself');
    assert.equal(await request(webIP, 80, 1000), 'ECONNREFUSED');
    const chains = () => nft.exec(['list', 'table', 'ip', table]);
    assert.match(await chains(), /service-[A-Z2-7]{8}-default\/web\/tcp\/http/);
    // Its elements go with the next cleanup, a second later, its chains with the one after.
    const deadline = performance.now() + 5000;
    while (/default\/web\//.test(await chains())) {
      assert.ok(performance.now() < deadline, 'the stale chains are deleted within 5 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(!logs.some((l) => /Unable to delete stale/.test(l)), logs.join('\n'));
  });
});
