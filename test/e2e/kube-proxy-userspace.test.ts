// kube-proxy's userspace data plane against a real API server whose service CIDR is
// 127.100.0.0/16, so every ClusterIP is a loopback address this process can bind without root.
// Backends are three node:http servers on 127.0.0.2/3/4 standing in for pods; their
// EndpointSlices are written by hand (the Service has no selector, so no controller touches
// them). Checks, through real connections: requests to ClusterIP:port and to 127.0.0.1:nodePort
// reach all three; an endpoint marked not ready gets no traffic within 1 s; with no endpoint
// left a connection is reset at once; endpoints added back serve again; /healthz, /readyz and
// /metrics (sync and network programming latency); and `k8ts proxy` as a process.
//
// Upstream's EndpointSlice validation refuses loopback endpoint addresses (ValidateNonSpecialIP);
// on one machine without root, loopback is the only safe place for backends, so this API server
// is started with that one check lifted for EndpointSlices. Everything else is the stock server.

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { builtinKinds } from '../../src/api/builtin.ts';
import type { KindDefinition } from '../../src/api/kind.ts';
import { loadKubeconfig } from '../../src/client/kubeconfig.ts';
import { RestClient } from '../../src/client/rest-client.ts';
import { createLogger } from '../../src/component-base/logging.ts';
import { createKubeApiServer, type KubeApiServer } from '../../src/kube-apiserver/server.ts';
import { createKubeProxy, type KubeProxy } from '../../src/kube-proxy/server.ts';
import { kubectlPath } from '../support/k8ts-cluster.ts';
import { until } from '../support/until.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-e2e-proxy-'));
let apiserver: KubeApiServer;
let client: RestClient;
let proxy: KubeProxy | undefined;
const proxyLog: string[] = [];
const backends: Server[] = [];
const backendIPs = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];
const names = ['pod-a', 'pod-b', 'pod-c'];
let backendPort = 0;

/** The stock kinds, with EndpointSlices allowed to point at loopback addresses. */
function kindsWithLoopbackEndpoints(): KindDefinition[] {
  return builtinKinds().map((k) => {
    if (k.kind !== 'EndpointSlice' || !k.strategy?.validate) return k;
    const validate = k.strategy.validate;
    return { ...k, strategy: { ...k.strategy, validate: (o) => validate(o).filter((c) => !/loopback range/.test(c.message ?? '')) } };
  });
}

function kubectl(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = execFile(
      kubectlPath(),
      ['--kubeconfig', apiserver.kubeconfigPath, '--cache-dir', join(dataDir, 'kubectl-cache'), ...args],
      { env: { ...process.env, HOME: dataDir }, timeout: 60_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr}`)) : resolve(stdout)),
    );
    if (input !== undefined) proc.stdin!.end(input);
  });
}

/** One request on a fresh connection: the body, or the error code (ECONNRESET, ECONNREFUSED...). */
function request(host: string, port: number, path = '/'): Promise<string> {
  return new Promise((resolve) => {
    const req = get({ host, port, path, agent: false, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
      res.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? String(err)));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? String(err)));
  });
}

async function requests(host: string, port: number, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await request(host, port));
  return out;
}

const nowRFC3339 = () => new Date().toISOString();

function slice(endpoints: { ip: string; ready: boolean; terminating?: boolean }[]) {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: 'web-1',
      namespace: 'default',
      labels: { 'kubernetes.io/service-name': 'web' },
      annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': nowRFC3339() },
    },
    addressType: 'IPv4',
    endpoints: endpoints.map((e) => ({ addresses: [e.ip], nodeName: 'node-1', conditions: { ready: e.ready, serving: e.ready || !!e.terminating, terminating: !!e.terminating } })),
    ports: [{ name: 'http', port: backendPort, protocol: 'TCP' }],
  };
}

const sliceRef = { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', namespace: 'default', name: 'web-1' };

async function replaceSlice(endpoints: { ip: string; ready: boolean; terminating?: boolean }[]): Promise<void> {
  const current = await client.get<{ metadata: { resourceVersion: string } }>(sliceRef);
  const body = slice(endpoints);
  await client.update(sliceRef, { ...body, metadata: { ...body.metadata, resourceVersion: current.metadata.resourceVersion } });
}

before(async () => {
  apiserver = createKubeApiServer({ dataDir, storeUrl: 'memory://', port: 0, serviceClusterIpRange: '127.100.0.0/16', kinds: kindsWithLoopbackEndpoints() });
  await apiserver.start();
  client = new RestClient(loadKubeconfig(apiserver.kubeconfigPath));
  for (const [i, ip] of backendIPs.entries()) {
    const server = createServer((_req, res) => res.end(names[i]));
    backends.push(server);
    server.listen(backendPort, ip);
    await once(server, 'listening');
    backendPort = (server.address() as AddressInfo).port;
  }
  proxy = createKubeProxy({
    kubeconfig: apiserver.kubeconfigPath,
    nodeName: 'node-1',
    mode: 'userspace',
    bindAddress: '127.0.0.1',
    healthPort: 0,
    logger: createLogger('kube-proxy', { sink: (l) => proxyLog.push(l) }),
  });
  await proxy.start();
  await proxy.ready;
});

after(async () => {
  await proxy?.close();
  for (const s of backends) await new Promise((r) => s.close(r));
  client?.close();
  await apiserver?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('kube-proxy userspace', () => {
  let clusterIP = '';
  let nodePort = 0;

  it('serves a NodePort Service on its ClusterIP and node port, spread over all ready endpoints', async () => {
    await kubectl(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default' },
      spec: { type: 'NodePort', ports: [{ name: 'http', port: 18080, targetPort: backendPort, protocol: 'TCP' }] },
    }));
    const svc = JSON.parse(await kubectl(['get', 'service', 'web', '-o', 'json']));
    clusterIP = svc.spec.clusterIP;
    nodePort = svc.spec.ports[0].nodePort;
    assert.match(clusterIP, /^127\.100\./);
    assert.ok(nodePort >= 30000 && nodePort <= 32767);
    // Before any endpoint: the listener is there and resets.
    await until('the ClusterIP listener', async () => (await request(clusterIP, 18080)) === 'ECONNRESET');

    await kubectl(['apply', '-f', '-'], JSON.stringify(slice(backendIPs.map((ip) => ({ ip, ready: true })))));
    await until('traffic through the ClusterIP', async () => names.includes(await request(clusterIP, 18080)), 5_000);
    const viaClusterIP = await requests(clusterIP, 18080, 30);
    assert.deepEqual([...new Set(viaClusterIP)].sort(), names, viaClusterIP.join(','));
    const viaNodePort = await requests('127.0.0.1', nodePort, 30);
    assert.deepEqual([...new Set(viaNodePort)].sort(), names, viaNodePort.join(','));
    assert.deepEqual(proxy!.listeners().filter((l) => !l.startsWith('TCP/127.100.0.1:')), [`TCP/${clusterIP}:18080`, `TCP/127.0.0.1:${nodePort}`].sort());
  });

  it('stops sending traffic to an endpoint marked not ready within 1 s', async () => {
    await replaceSlice([
      { ip: backendIPs[0], ready: true },
      { ip: backendIPs[1], ready: false },
      { ip: backendIPs[2], ready: true },
    ]);
    const changed = performance.now();
    await until('pod-b out of rotation', async () => !(await requests(clusterIP, 18080, 4)).includes('pod-b'), 1_000);
    assert.ok(performance.now() - changed < 1_000);
    const after = [...(await requests(clusterIP, 18080, 20)), ...(await requests('127.0.0.1', nodePort, 20))];
    assert.ok(!after.includes('pod-b'), after.join(','));
    assert.deepEqual([...new Set(after)].sort(), ['pod-a', 'pod-c']);
  });

  it('uses a terminating but serving endpoint only when no ready one is left', async () => {
    await replaceSlice([
      { ip: backendIPs[0], ready: false, terminating: true },
      { ip: backendIPs[1], ready: false },
      { ip: backendIPs[2], ready: true },
    ]);
    await until('only pod-c', async () => (await requests(clusterIP, 18080, 6)).every((b) => b === 'pod-c'), 1_000);
    await replaceSlice([
      { ip: backendIPs[0], ready: false, terminating: true },
      { ip: backendIPs[1], ready: false },
    ]);
    await until('the terminating pod-a', async () => (await requests(clusterIP, 18080, 6)).every((b) => b === 'pod-a'), 1_000);
  });

  it('resets connections at once when no endpoint is left, and serves again when endpoints come back', async () => {
    await replaceSlice([]);
    const changed = performance.now();
    await until('connections reset', async () => (await request(clusterIP, 18080)) === 'ECONNRESET', 1_000);
    assert.ok(performance.now() - changed < 1_000);
    const t = performance.now();
    assert.equal(await request('127.0.0.1', nodePort), 'ECONNRESET');
    assert.ok(performance.now() - t < 500, 'the reset is immediate');

    await replaceSlice(backendIPs.map((ip) => ({ ip, ready: true })));
    await until('traffic again', async () => names.includes(await request(clusterIP, 18080)), 1_000);
    assert.deepEqual([...new Set(await requests(clusterIP, 18080, 30))].sort(), names);
  });

  it('serves /healthz, /readyz and /metrics with sync and network programming latency', async () => {
    const port = proxy!.healthPort;
    const res = await new Promise<{ status: number; body: string; type: string }>((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (r) => {
        let body = '';
        r.setEncoding('utf8').on('data', (c: string) => (body += c));
        r.on('end', () => resolve({ status: r.statusCode!, body, type: String(r.headers['content-type']) }));
      }).on('error', reject);
    });
    assert.equal(res.status, 200);
    assert.equal(res.type, 'application/json');
    const healthz = JSON.parse(res.body);
    assert.ok(Date.parse(healthz.lastUpdated) > 0 && Date.parse(healthz.currentTime) > 0);
    assert.equal(await request('127.0.0.1', port, '/readyz'), 'ok');
    const metrics = await request('127.0.0.1', port, '/metrics');
    const count = (name: string) => Number(new RegExp(`^${name}_count (\\S+)$`, 'm').exec(metrics)?.[1] ?? 0);
    assert.ok(count('kubeproxy_sync_proxy_rules_duration_seconds') >= 5, metrics);
    assert.ok(count('kubeproxy_network_programming_duration_seconds') >= 5, metrics);
    assert.match(metrics, /^kubeproxy_sync_proxy_rules_last_timestamp_seconds \d+(\.\d+)?$/m);
    const le1 = Number(/^kubeproxy_network_programming_duration_seconds_bucket\{le="1"\} (\d+)$/m.exec(metrics)?.[1]);
    assert.ok(le1 >= 1, 'hand-written slices are applied well within a second');
  });

  it('stops serving a deleted Service', async () => {
    await kubectl(['delete', 'service', 'web']);
    await until('the listeners gone', async () => !proxy!.listeners().includes(`TCP/${clusterIP}:18080`), 2_000);
    assert.equal(await request(clusterIP, 18080), 'ECONNREFUSED');
    assert.equal(await request('127.0.0.1', nodePort), 'ECONNREFUSED');
  });

  it('runs as `k8ts proxy` and shuts down on SIGTERM', async () => {
    await proxy!.close();
    proxy = undefined;
    await kubectl(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default' },
      spec: { type: 'ClusterIP', ports: [{ name: 'http', port: 18080, protocol: 'TCP' }] },
    }));
    await replaceSlice(backendIPs.map((ip) => ({ ip, ready: true })));
    const ip = JSON.parse(await kubectl(['get', 'service', 'web', '-o', 'json'])).spec.clusterIP;
    const cli = fileURLToPath(new URL('../../src/cli/proxy.ts', import.meta.url));
    const script = `const { proxy } = await import(${JSON.stringify(cli)}); process.exitCode = await proxy.run(process.argv.slice(1));`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, '--', '--kubeconfig', apiserver.kubeconfigPath, '--mode', 'userspace', '--node-name', 'node-1', '--health-port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (output += c));
    const exited = once(child, 'exit');
    try {
      await until('the CLI proxy serving', async () => names.includes(await request(ip, 18080)), 15_000);
      assert.match(output, /Serving health and metrics address=http:\/\/127\.0\.0\.1:\d+/);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await exited;
    assert.equal(code, 0, output);
    assert.equal(await request(ip, 18080), 'ECONNREFUSED');
  });
});
