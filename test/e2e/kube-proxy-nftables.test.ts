// kube-proxy's nftables data plane against a real API server (root and nft only; skipped
// otherwise, except that with CI=true a missing nft fails). The API server allocates ClusterIPs
// from a Service CIDR that the test network blackholes first (10.201.N.0/24, see
// src/kube-proxy/nftables/testing.ts); three "pods" (network namespaces on a test bridge,
// 10.123.N.0/24) run the backends and a fourth is a client. kube-proxy runs in this process with
// its own table (k8ts-test-<pid>) and the bridge address as node address, so NodePorts are
// served there and nothing of the host's own traffic is redirected. Services go through kubectl,
// EndpointSlices through the API (the Service has no selector, so no controller touches them).
// Checks, through real connections: ClusterIP and NodePort reach all ready endpoints, from the
// host and from a pod; an endpoint marked not ready gets no traffic within 1 s; no endpoint left
// means connections refused at once; ClientIP affinity pins a client; /healthz, /readyz and
// /metrics; a deleted Service stops being served. Table, namespaces, bridge and routes are
// removed afterwards, failed or not.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadKubeconfig } from '../../src/client/kubeconfig.ts';
import { RestClient } from '../../src/client/rest-client.ts';
import { createLogger } from '../../src/component-base/logging.ts';
import { createKubeApiServer, type KubeApiServer } from '../../src/kube-apiserver/server.ts';
import { deleteTable, nftCommand, nftUsable } from '../../src/kube-proxy/nftables/nft.ts';
import { bridgeNetfilterEnabled, request, requests, testNetworkSupported, TestNetwork, type Pod } from '../../src/kube-proxy/nftables/testing.ts';
import { createKubeProxy, type KubeProxy } from '../../src/kube-proxy/server.ts';
import { kubectlPath } from '../support/k8ts-cluster.ts';
import { until } from '../support/until.ts';

const table = `k8ts-test-${process.pid}`;
const nft = nftCommand();
const usable = testNetworkSupported() && (await nftUsable(nft));
const skip = usable ? false : process.getuid?.() !== 0 ? 'needs root (nft and network namespaces)' : process.env.CI === 'true' ? false : 'needs the nft binary (apt-get install nftables)';
if (!usable && skip === false) throw new Error('CI=true: the nftables e2e test needs root and the nft binary (apt-get install nftables)');

const names = ['pod-a', 'pod-b', 'pod-c'];
const backendPort = 8080;
let dataDir = '';
let network: TestNetwork | undefined;
let backends: Pod[] = [];
let client: Pod;
let apiserver: KubeApiServer | undefined;
let api: RestClient | undefined;
let proxy: KubeProxy | undefined;
const proxyLog: string[] = [];

function kubectl(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = execFile(
      kubectlPath(),
      ['--kubeconfig', apiserver!.kubeconfigPath, '--cache-dir', join(dataDir, 'kubectl-cache'), ...args],
      { env: { ...process.env, HOME: dataDir }, timeout: 60_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr}`)) : resolve(stdout)),
    );
    if (input !== undefined) proc.stdin!.end(input);
  });
}

function slice(ready: boolean[]) {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: 'web-1',
      namespace: 'default',
      labels: { 'kubernetes.io/service-name': 'web' },
      annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': new Date().toISOString() },
    },
    addressType: 'IPv4',
    endpoints: backends.map((pod, i) => ({ addresses: [pod.ip], nodeName: 'node-1', conditions: { ready: ready[i], serving: ready[i], terminating: false } })).filter((_, i) => ready[i] !== undefined),
    ports: [{ name: 'http', port: backendPort, protocol: 'TCP' }],
  };
}

const sliceRef = { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', namespace: 'default', name: 'web-1' };

async function replaceSlice(ready: boolean[]): Promise<void> {
  const current = await api!.get<{ metadata: { resourceVersion: string } }>(sliceRef);
  const body = slice(ready);
  await api!.update(sliceRef, { ...body, metadata: { ...body.metadata, resourceVersion: current.metadata.resourceVersion } });
}

const distinct = (replies: string[]) => [...new Set(replies)].sort();

describe('kube-proxy nftables', { skip }, () => {
  let clusterIP = '';
  let nodePort = 0;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'k8ts-e2e-proxy-nft-'));
    network = await TestNetwork.create();
    for (const [i, name] of names.entries()) {
      const pod = await network.addPod(`p${i}`);
      await pod.serve(backendPort, name);
      backends.push(pod);
    }
    client = await network.addPod('client');
    apiserver = createKubeApiServer({ dataDir, storeUrl: 'memory://', port: 0, serviceClusterIpRange: network.serviceCIDR });
    await apiserver.start();
    api = new RestClient(loadKubeconfig(apiserver.kubeconfigPath));
    proxy = createKubeProxy({
      kubeconfig: apiserver.kubeconfigPath,
      nodeName: 'node-1',
      mode: 'nftables',
      nftablesTable: table,
      bindAddress: network.gateway,
      healthPort: 0,
      logger: createLogger('kube-proxy', { sink: (l) => proxyLog.push(l) }),
    });
    await proxy.start();
    await proxy.ready;
  });

  after(async () => {
    await proxy?.close();
    await deleteTable(table, nft).catch(() => {});
    await network?.close();
    api?.close();
    await apiserver?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves a NodePort Service on its ClusterIP and node port, from the host and from a pod', async () => {
    await kubectl(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default' },
      spec: { type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: backendPort, protocol: 'TCP' }] },
    }));
    const svc = JSON.parse(await kubectl(['get', 'service', 'web', '-o', 'json']));
    clusterIP = svc.spec.clusterIP;
    nodePort = svc.spec.ports[0].nodePort;
    assert.ok(clusterIP.startsWith(network!.serviceCIDR.replace(/0\/24$/, '')), clusterIP);
    // No endpoints yet: rejected by the kernel, not left hanging.
    await until('the rejection of a service without endpoints', async () => (await request(clusterIP, 80, 1000)) === 'ECONNREFUSED', 5_000);

    await kubectl(['apply', '-f', '-'], JSON.stringify(slice([true, true, true])));
    await until('traffic through the ClusterIP', async () => names.includes(await request(clusterIP, 80)), 5_000);
    assert.deepEqual(distinct(await requests(clusterIP, 80, 40)), names);
    assert.deepEqual(distinct(await requests(network!.gateway, nodePort, 40)), names);
    if (bridgeNetfilterEnabled()) assert.deepEqual(distinct(await client.connect(clusterIP, 80, 40)), names);
    assert.deepEqual(proxy!.listeners(), [], 'no sockets: the kernel forwards');
  });

  it('stops sending traffic to an endpoint marked not ready within 1 s', async () => {
    await replaceSlice([true, false, true]);
    const changed = performance.now();
    await until('pod-b out of rotation', async () => !(await requests(clusterIP, 80, 6)).includes('pod-b'), 1_000);
    assert.ok(performance.now() - changed < 1_000);
    const replies = [...(await requests(clusterIP, 80, 30)), ...(await requests(network!.gateway, nodePort, 30))];
    assert.deepEqual(distinct(replies), ['pod-a', 'pod-c']);
  });

  it('refuses connections at once when no endpoint is left, and serves again when they come back', async () => {
    await replaceSlice([]);
    await until('connections refused', async () => (await request(clusterIP, 80, 1000)) === 'ECONNREFUSED', 1_000);
    const t = performance.now();
    assert.equal(await request(clusterIP, 80), 'ECONNREFUSED');
    assert.equal(await request(network!.gateway, nodePort), 'ECONNREFUSED');
    assert.ok(performance.now() - t < 500, 'the rejection is immediate');
    await replaceSlice([true, true, true]);
    await until('traffic again', async () => names.includes(await request(clusterIP, 80)), 1_000);
    assert.deepEqual(distinct(await requests(clusterIP, 80, 40)), names);
  });

  it('pins a client to one endpoint with ClientIP session affinity', async () => {
    await kubectl(['patch', 'service', 'web', '--type', 'merge', '-p', JSON.stringify({ spec: { sessionAffinity: 'ClientIP' } })]);
    await until('affinity', async () => distinct(await requests(clusterIP, 80, 10)).length === 1, 2_000);
    assert.equal(distinct(await requests(clusterIP, 80, 20)).length, 1);
    await kubectl(['patch', 'service', 'web', '--type', 'merge', '-p', JSON.stringify({ spec: { sessionAffinity: 'None' } })]);
    await until('no affinity', async () => distinct(await requests(clusterIP, 80, 20)).length > 1, 2_000);
  });

  it('serves /healthz, /readyz and /metrics with sync and network programming latency', async () => {
    const port = proxy!.healthPort;
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (r) => {
        let body = '';
        r.setEncoding('utf8').on('data', (c: string) => (body += c));
        r.on('end', () => resolve({ status: r.statusCode!, body }));
      }).on('error', reject);
    });
    assert.equal(res.status, 200);
    assert.ok(Date.parse(JSON.parse(res.body).lastUpdated) > 0);
    const text = (path: string) =>
      new Promise<string>((resolve, reject) => {
        get({ host: '127.0.0.1', port, path, agent: false }, (r) => {
          let body = '';
          r.setEncoding('utf8').on('data', (c: string) => (body += c));
          r.on('end', () => resolve(body));
        }).on('error', reject);
      });
    assert.equal(await text('/readyz'), 'ok');
    const metrics = await text('/metrics');
    const count = (name: string) => Number(new RegExp(`^${name}_count (\\S+)$`, 'm').exec(metrics)?.[1] ?? 0);
    assert.ok(count('kubeproxy_sync_proxy_rules_duration_seconds') >= 5, metrics);
    assert.ok(count('kubeproxy_network_programming_duration_seconds') >= 3, metrics);
    assert.equal(count('kubeproxy_sync_full_proxy_rules_duration_seconds'), 1, 'one full sync, at start');
    assert.ok(count('kubeproxy_sync_partial_proxy_rules_duration_seconds') >= 5);
    assert.match(metrics, /^kubeproxy_sync_proxy_rules_nftables_sync_failures_total 0$/m);
  });

  it('stops serving a deleted Service', async () => {
    await kubectl(['delete', 'service', 'web']);
    await until('the ClusterIP no longer served', async () => (await request(clusterIP, 80, 1000)) === 'ECONNREFUSED', 2_000);
    assert.equal(await request(network!.gateway, nodePort, 1000), 'ECONNREFUSED', 'nothing listens on the node port itself');
    // What it left in the table goes with the cleanups that follow, off the sync path.
    await until('its elements deleted', async () => !(await nft.exec(['list', 'map', 'ip', table, 'service-ips'])).includes(clusterIP), 5_000);
    assert.ok(proxyLog.some((l) => /Wrote the nftables table table=k8ts-test-\d+/.test(l)), proxyLog.join('\n'));
  });
});
